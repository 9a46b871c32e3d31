"""Property tests of the slug helpers (controlplane/services/slugs.py), on a real SQLite database with the real
tables: a slug names a directory, so whatever the name, it is only `[a-z0-9-]`, never empty, at most 64 characters,
and `unique_slug` makes it unique within its parent by appending -2, -3…"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from controlplane.models import LearningSubject
from controlplane.services.slugs import FALLBACK_SLUG, MAX_SLUG_LENGTH, make_slug, unique_slug

PROPERTY_SETTINGS = settings(
    max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SUFFIXED = re.compile(r"(?P<base>.*)-(?P<number>[0-9]+)")

# Names in any script, and names made to collide: the same words differently written, slugs that already end
# in a number, names past the length limit, names with nothing a slug keeps.
names = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["Angličtina", "anglictina", "ANGLIČTINA!", "日本語", "x", "x-2", "x 2", "--", "", "...", "💡"]),
    st.sampled_from(["a" * 70, "a" * 63 + " b", "word " * 20, "a" * 62 + "-2"]),
)


@PROPERTY_SETTINGS
@given(names)
def test_a_slug_is_lowercase_ascii_digits_and_single_hyphens_never_empty_at_most_64(name: str) -> None:
    slug = make_slug(name)
    assert SLUG.fullmatch(slug), slug
    assert 1 <= len(slug) <= MAX_SLUG_LENGTH
    assert slug not in (".", "..")


@PROPERTY_SETTINGS
@given(st.text(alphabet=string.punctuation + string.whitespace, max_size=20))
def test_a_name_with_nothing_a_slug_keeps_is_untitled(name: str) -> None:
    assert make_slug(name) == FALLBACK_SLUG


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """The real tables in a private in-memory database (foreign keys off: the subjects need no users here)."""
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


owners = itertools.count(1)


@PROPERTY_SETTINGS
@given(st.lists(names, min_size=1, max_size=12))
def test_unique_slug_makes_every_slug_unique_within_its_parent_by_appending_a_number(
    engine: Engine, batch: list[str]
) -> None:
    owner, neighbour = next(owners), next(owners)
    with Session(engine) as session:
        session.add(LearningSubject(user_id=neighbour, agent_id=1, name="x", slug=make_slug(batch[0])))
        session.commit()
        made: list[str] = []
        for name in batch:
            slug = unique_slug(session, LearningSubject, name, user_id=owner)
            session.add(LearningSubject(user_id=owner, agent_id=1, name=name[:120], slug=slug))
            session.commit()  # the table's unique constraint (user_id, slug) would refuse a duplicate
            made.append(slug)
            assert SLUG.fullmatch(slug) and len(slug) <= MAX_SLUG_LENGTH, slug
            base = make_slug(name)
            if slug != base:
                suffixed = SUFFIXED.fullmatch(slug)
                assert suffixed is not None, slug
                assert int(suffixed["number"]) >= 2
                assert base.startswith(suffixed["base"]), (base, slug)
        assert made[0] == make_slug(batch[0]), "another parent's slug is no collision"
        assert len(set(made)) == len(made)
