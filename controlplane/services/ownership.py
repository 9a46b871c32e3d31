"""The owner check every resource query goes through: another user's id is answered as "not found"."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from controlplane.errors import NotFound

ModelT = TypeVar("ModelT", bound=SQLModel)


def owned_or_none(session: Session, model: type[ModelT], item_id: int, user_id: int | None) -> ModelT | None:
    """The row if it exists and belongs to the user, else None (for a runner's report about a row that is gone
    or was never this user's: ignored, not an error)."""
    item = session.get(model, item_id)
    return item if item is not None and getattr(item, "user_id", None) == user_id else None


def owned(session: Session, model: type[ModelT], item_id: int, user_id: int | None, label: str) -> ModelT:
    """The row if it exists and belongs to the user; otherwise NotFound, so ids of others reveal nothing."""
    item = owned_or_none(session, model, item_id, user_id)
    if item is None:
        raise NotFound(label)
    return item
