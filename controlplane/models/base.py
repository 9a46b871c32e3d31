"""Column types and helpers shared by every table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import JSON, CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class DesiredState(StrEnum):
    """What the user wants of something that runs (a sandbox, an agent instance); it survives restarts."""

    RUNNING = "running"
    STOPPED = "stopped"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back timezone-aware datetimes (SQLite forgets the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def timestamp_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def owner_field(table: str, *, nullable: bool = False, ondelete: Literal["CASCADE", "SET NULL"] = "CASCADE") -> Any:
    """A foreign key that the database itself cascades, so deletes never leave orphans."""
    return Field(
        default=None if nullable else ...,
        foreign_key=f"{table}.id",
        ondelete=ondelete,
        nullable=nullable,
        index=True,
    )


def json_field(default_factory: Any) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON, nullable=False)


def one_of(column: str, words: Iterable[str], name: str) -> CheckConstraint:
    """A CHECK that the column holds a word of its vocabulary, built from the vocabulary itself."""
    quoted = ", ".join(f"'{word}'" for word in words)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)
