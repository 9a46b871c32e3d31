"""Slugs: any script in, a safe directory name out, unique within its parent."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlmodel import Session

from controlplane.models import Agent, LearningCourse, LearningSubject, Project, User
from controlplane.services.slugs import MAX_SLUG_LENGTH, make_slug, unique_slug

SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Angličtina", "anglictina"),
        ("Konverzace", "konverzace"),
        ("Slovíčka", "slovicka"),
        ("Příliš žluťoučký kůň", "prilis-zlutoucky-kun"),
        ("Straße", "strasse"),
        ("Ελληνικά", "ellenika"),
        ("Async Programming", "async-programming"),
        ("  spaced  out  ", "spaced-out"),
        ("C++ & Rust", "c-rust"),
    ],
)
def test_transliterates_to_ascii(name: str, slug: str) -> None:
    assert make_slug(name) == slug


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "..",
        ".",
        ".hidden",
        "a/b",
        "a\\b",
        "/absolute",
        "~/home",
        "日本語",
        "",
        "...",
        "-_-",
        "x" * 300,
        "CON",
        "name\x00with\x00nul",
        "emoji 🚀 rocket",
        "tab\tand\nnewline",
    ],
)
def test_is_always_filesystem_safe(name: str) -> None:
    slug = make_slug(name)
    assert SAFE.fullmatch(slug), slug
    assert len(slug) <= MAX_SLUG_LENGTH
    assert "/" not in slug and ".." not in slug and not slug.startswith(".")


@pytest.fixture
def owners(app: FastAPI, client: object) -> tuple[Session, int, int, int]:
    session = Session(app.state.engine)
    users = [User(username=name, password_hash="x") for name in ("ana", "ben")]
    session.add_all(users)
    session.flush()
    agent = Agent(user_id=users[0].id, name="a", type="coding", model="a/b")
    session.add(agent)
    session.commit()
    return session, users[0].id or 0, users[1].id or 0, agent.id or 0


def test_unique_per_user(owners: tuple[Session, int, int, int]) -> None:
    session, ana, ben, agent = owners
    for expected in ("anglictina", "anglictina-2", "anglictina-3"):
        slug = unique_slug(session, Project, "Angličtina", user_id=ana)
        assert slug == expected
        session.add(Project(user_id=ana, agent_id=agent, name="Angličtina", slug=slug))
        session.commit()
    assert unique_slug(session, Project, "Angličtina", user_id=ben) == "anglictina"


def test_collision_suffix_still_fits(owners: tuple[Session, int, int, int]) -> None:
    session, ana, _, agent = owners
    long_name = "word " * 40
    first = unique_slug(session, Project, long_name, user_id=ana)
    session.add(Project(user_id=ana, agent_id=agent, name="long", slug=first))
    session.commit()
    second = unique_slug(session, Project, long_name, user_id=ana)
    assert second != first and second.endswith("-2") and len(second) <= MAX_SLUG_LENGTH
    assert SAFE.fullmatch(second)


def test_courses_are_unique_per_subject(owners: tuple[Session, int, int, int]) -> None:
    session, ana, _, agent = owners
    subjects = [
        LearningSubject(user_id=ana, agent_id=agent, name=n, slug=make_slug(n)) for n in ("Angličtina", "Python")
    ]
    session.add_all(subjects)
    session.commit()
    english, python = (s.id or 0 for s in subjects)
    session.add(LearningCourse(user_id=ana, subject_id=english, name="Basics", slug="basics"))
    session.commit()
    assert unique_slug(session, LearningCourse, "Basics", subject_id=english) == "basics-2"
    assert unique_slug(session, LearningCourse, "Basics", subject_id=python) == "basics"
