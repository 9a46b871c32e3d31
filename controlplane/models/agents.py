"""Agents (templates a user configured), the instances running from them, and their logs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, get_args

from autocode_runner.contract.vocab import LogLevel, values
from autocode_runner.contract.wire import InstanceKind
from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import (
    UTCDateTime,
    created_at_field,
    json_field,
    one_of,
    owner_field,
    timestamp_field,
    utcnow,
)

AgentType = Literal["coding", "research", "learning", "social_media", "custom"]
AGENT_TYPES: tuple[str, ...] = get_args(AgentType)


class InstanceStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"  # it ended because somebody wanted it to (a stop, a completed project)
    CRASHED = "crashed"  # it ended unasked; the supervisor starts it again when it is still wanted


class Agent(SQLModel, table=True):
    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_agents_user_name"),
        one_of("type", AGENT_TYPES, "ck_agents_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    name: str = Field(max_length=80)
    type: str = Field(max_length=32)
    model: str = Field(max_length=200)
    # Claude Code's own model for a coding agent's projects (`claude --model`): "" is Claude Code's default.
    claude_model: str = Field(default="", max_length=100)
    identity: str = Field(default="", sa_type=Text)
    tools: list[str] = json_field(list)
    mcp_servers: dict[str, Any] = json_field(dict)
    global_rules: str = Field(default="", sa_type=Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )


class AgentInstance(SQLModel, table=True):
    """A running (or finished) instance process of any kind, started from an agent: one coding project's
    manager, one research chat... `target_id` is the id in the kind's own table (a project's id for coding);
    coding rows also fill `project_id`, whose foreign key removes them with their project."""

    __tablename__ = "agent_instances"
    __table_args__ = (
        one_of("status", values(InstanceStatus), "ck_agent_instances_status"),
        one_of("kind", values(InstanceKind), "ck_agent_instances_kind"),
        Index("ix_agent_instances_kind_target", "kind", "target_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    kind: str = Field(default=InstanceKind.CODING.value, max_length=16)
    target_id: int
    project_id: int | None = owner_field("projects", nullable=True)
    pid: int | None = None
    status: str = Field(default=InstanceStatus.RUNNING.value, max_length=16)
    started_at: datetime = created_at_field()
    stopped_at: datetime | None = timestamp_field()


class Log(SQLModel, table=True):
    """A structured log line of an agent. user_id is kept beside the spec's fields for owner filtering."""

    __tablename__ = "logs"
    __table_args__ = (one_of("level", values(LogLevel), "ck_logs_level"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    project_id: int | None = owner_field("projects", nullable=True)
    agent_instance_id: int | None = owner_field("agent_instances", nullable=True)
    level: str = Field(max_length=16)
    message: str = Field(sa_type=Text)
    timestamp: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
