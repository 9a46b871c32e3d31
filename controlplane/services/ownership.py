"""The owner check every resource query goes through: another user's id is answered as "not found"."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from controlplane.errors import NotFound

ModelT = TypeVar("ModelT", bound=SQLModel)


def owned(session: Session, model: type[ModelT], item_id: int, user_id: int | None, label: str) -> ModelT:
    """The row if it exists and belongs to the user; otherwise NotFound, so ids of others reveal nothing."""
    item = session.get(model, item_id)
    if item is None or getattr(item, "user_id", None) != user_id:
        raise NotFound(label)
    return item
