"""Filesystem-safe slugs from names in any script ("Angličtina" -> "anglictina")."""

from __future__ import annotations

from typing import Any, Protocol

from slugify import slugify
from sqlmodel import Session, col, select

MAX_SLUG_LENGTH = 64
FALLBACK_SLUG = "untitled"


class SluggedTable(Protocol):
    """A table model with a `slug` column (Project, LearningCourse)."""

    slug: str


def make_slug(name: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Transliterate to lowercase ASCII letters, digits and single hyphens.

    The result never contains "/", "." or "..", never starts with a dot or hyphen, and is never empty.
    """
    slug = slugify(name, max_length=max_length, word_boundary=True, save_order=True)
    slug = slug.strip("-")
    return slug or FALLBACK_SLUG


def unique_slug(session: Session, table: type[SluggedTable], name: str, **scope: Any) -> str:
    """A slug for `name` that no row of `table` with the same scope (e.g. user_id=3) already uses.

    Collisions get "-2", "-3", ... appended, the base shortened so the whole still fits.
    """
    base = make_slug(name)
    query = select(table.slug).where(col(table.slug).startswith(base))
    for column, value in scope.items():
        query = query.where(getattr(table, column) == value)
    taken = set(session.exec(query).all())
    if base not in taken:
        return base
    counter = 2
    while True:
        suffix = f"-{counter}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken and not _taken_exactly(session, table, candidate, scope):
            return candidate
        counter += 1


def _taken_exactly(session: Session, table: type[SluggedTable], slug: str, scope: dict[str, Any]) -> bool:
    """A shortened base may fall outside the prefix query above, so check the candidate itself."""
    query = select(table.slug).where(table.slug == slug)
    for column, value in scope.items():
        query = query.where(getattr(table, column) == value)
    return session.exec(query).first() is not None
