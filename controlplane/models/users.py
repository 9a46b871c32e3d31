"""Accounts and what hangs directly off them: refresh tokens, preferences, the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from controlplane.models.base import created_at_field, json_field, one_of, owner_field, timestamp_field

Role = Literal["admin", "user"]
ROLES: tuple[str, ...] = get_args(Role)


class User(SQLModel, table=True):
    __tablename__ = "users"
    # AUTOINCREMENT: SQLite would otherwise give a deleted user's id to the next account, and that
    # user's unexpired access tokens (which name only the id) would sign in as the newcomer.
    # A batch_alter_table on users must pass table_kwargs={"sqlite_autoincrement": True} to keep it.
    __table_args__ = (
        one_of("role", ROLES, "ck_users_role"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32, unique=True, index=True)
    display_name: str = Field(default="", max_length=80)  # how people are named; "" shows the username
    password_hash: str
    role: str = Field(default="user", max_length=16)
    created_at: datetime = created_at_field()


class RefreshToken(SQLModel, table=True):
    """One issued refresh token; rotation chains tokens into a family so that reuse revokes them all."""

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    family_id: str = Field(max_length=64, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()


class UserPreferences(SQLModel, table=True):
    __tablename__ = "user_preferences"

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    data: dict[str, Any] = json_field(dict)
    updated_at: datetime = created_at_field()


class AuditEvent(SQLModel, table=True):
    """Who did what to whom, and when. Survives the deletion of the people it names."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_target_time", "action", "target_name", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    actor_id: int | None = owner_field("users", nullable=True, ondelete="SET NULL")
    actor_name: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: int | None = None
    target_name: str | None = Field(default=None, max_length=255)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = json_field(dict)
