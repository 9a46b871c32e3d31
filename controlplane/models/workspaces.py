"""Things that own a directory in the user's sandbox: projects, research sessions, subjects, courses.

Each carries a slug, unique within its parent directory, that names its directory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autocode_runner.contract.learning import MAX_LEVEL_CHARS, LevelScale
from autocode_runner.contract.vocab import ProjectStatus, ProviderProblemState, values
from sqlalchemy import JSON, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import (
    DesiredState,
    UTCDateTime,
    created_at_field,
    json_field,
    one_of,
    owner_field,
    timestamp_field,
    utcnow,
)

RESEARCH_STATUSES = ("active", "archived")


def provider_problem_check() -> CheckConstraint:
    """A stored provider problem is null or has a state of its vocabulary."""
    words = ", ".join(f"'{word}'" for word in values(ProviderProblemState))
    rule = f"provider_problem IS NULL OR json_extract(provider_problem, '$.state') IN ({words})"
    return CheckConstraint(rule, name="ck_projects_provider_problem_state")


def updated_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, sa_column_kwargs={"onupdate": utcnow})


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("user_id", "slug", name="uq_projects_user_slug"),
        one_of("status", values(ProjectStatus), "ck_projects_status"),
        one_of("desired_state", values(DesiredState), "ck_projects_desired_state"),
        provider_problem_check(),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)
    description: str = Field(default="", sa_type=Text)
    architecture: str = Field(default="", sa_type=Text)
    details: str = Field(default="", sa_type=Text)
    implementation_plan: list[dict[str, Any]] = json_field(list)
    status: str = Field(default=ProjectStatus.CREATED.value, max_length=16)
    # What the user wants: "running" keeps the instance alive across runner, sandbox and control-plane restarts.
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16)
    current_step: int = 0
    claude_session_id: str = Field(default="", max_length=64)
    # The loop's own resumable state (phase, last task, error history); opaque to the control plane.
    loop_state: dict[str, Any] = json_field(dict)
    # An open question to the user (repeated errors, a rate-limit screen); empty when there is none.
    escalation: str = Field(default="", sa_type=Text)
    # A model provider failing (autocode_runner.contract.problems.ProviderProblem as JSON); null when none is.
    provider_problem: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True), nullable=True)
    tmux_session: str = Field(default="", max_length=128)
    workspace_path: str = Field(default="", max_length=512)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ResearchSession(SQLModel, table=True):
    __tablename__ = "research_sessions"
    __table_args__ = (
        UniqueConstraint("user_id", "slug", name="uq_research_sessions_user_slug"),
        one_of("status", RESEARCH_STATUSES, "ck_research_sessions_status"),
        one_of("desired_state", values(DesiredState), "ck_research_sessions_desired_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)
    status: str = Field(default="active", max_length=16)
    tmux_session: str = Field(default="", max_length=128)
    workspace_path: str = Field(default="", max_length=512)
    # The Claude Code session the next message continues (the latest id any init or result reported).
    claude_session_id: str = Field(default="", max_length=64)
    # "running" while its process should run (from a message or a resume until it ends by itself).
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16)
    last_activity_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class LearningSubject(SQLModel, table=True):
    __tablename__ = "learning_subjects"
    __table_args__ = (UniqueConstraint("user_id", "slug", name="uq_learning_subjects_user_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)
    created_at: datetime = created_at_field()


class LearningCourse(SQLModel, table=True):
    __tablename__ = "learning_courses"
    __table_args__ = (
        UniqueConstraint("subject_id", "slug", name="uq_learning_courses_subject_slug"),
        one_of("level_scale", values(LevelScale), "ck_learning_courses_level_scale"),
        one_of("desired_state", values(DesiredState), "ck_learning_courses_desired_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    subject_id: int = owner_field("learning_subjects")
    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)
    instructions: str = Field(default="", sa_type=Text)
    chat_history_path: str = Field(default="", max_length=512)
    student_notes_path: str = Field(default="", max_length=512)
    # The course's level: CEFR (A1-C2) for a language, or a short free text; empty until assessed.
    level_scale: str = Field(default=LevelScale.FREE.value, max_length=16)
    level: str = Field(default="", max_length=MAX_LEVEL_CHARS)
    # "running" while its tutor's process should run (from a message until it ends by itself when idle).
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16)
    last_activity_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
