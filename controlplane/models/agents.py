"""Agents (templates a user configured), the instances running from them, and their logs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import (
    UTCDateTime,
    created_at_field,
    json_field,
    owner_field,
    timestamp_field,
    utcnow,
)

AGENT_TYPES = ("coding", "research", "learning", "social_media", "custom")
INSTANCE_STATUSES = ("running", "stopped", "crashed")
LOG_LEVELS = ("info", "action", "error", "agent_decision")


class Agent(SQLModel, table=True):
    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_agents_user_name"),
        CheckConstraint("type IN ('coding', 'research', 'learning', 'social_media', 'custom')", name="ck_agents_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    name: str = Field(max_length=80)
    type: str = Field(max_length=32)
    model: str = Field(max_length=200)
    identity: str = Field(default="", sa_type=Text)
    tools: list[str] = json_field(list)
    mcp_servers: dict[str, Any] = json_field(dict)
    global_rules: str = Field(default="", sa_type=Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )


class AgentInstance(SQLModel, table=True):
    """A running (or finished) subprocess started from an agent, e.g. one coding project's manager."""

    __tablename__ = "agent_instances"
    __table_args__ = (CheckConstraint("status IN ('running', 'stopped', 'crashed')", name="ck_agent_instances_status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    project_id: int | None = owner_field("projects", nullable=True)
    pid: int | None = None
    status: str = Field(default="running", max_length=16)
    started_at: datetime = created_at_field()
    stopped_at: datetime | None = timestamp_field()


class Log(SQLModel, table=True):
    """A structured log line of an agent. user_id is kept beside the spec's fields for owner filtering."""

    __tablename__ = "logs"
    __table_args__ = (CheckConstraint("level IN ('info', 'action', 'error', 'agent_decision')", name="ck_logs_level"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    project_id: int | None = owner_field("projects", nullable=True)
    agent_instance_id: int | None = owner_field("agent_instances", nullable=True)
    level: str = Field(max_length=16)
    message: str = Field(sa_type=Text)
    timestamp: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
