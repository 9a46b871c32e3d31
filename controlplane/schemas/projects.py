"""Request and response bodies of coding projects, their plans and their agents' global rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from autocode_runner.contract.plan import MAX_PLAN_STEPS, PlanStep
from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.vocab import ProjectStatus
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from controlplane.models.agents import InstanceStatus
from controlplane.models.base import DesiredState
from controlplane.rules import length_rule
from controlplane.schemas.common import STRICT_BODY, LongText, SaidAs
from controlplane.services.agents import NOT_NULL

PROJECT_NAME_MAX = 120
ProjectName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=PROJECT_NAME_MAX),
    SaidAs(length_rule(1, PROJECT_NAME_MAX)),
]
Goal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000)]


class ProjectCreate(BaseModel):
    """A goal is enough; architecture and details are optional guidance for the plan."""

    model_config = STRICT_BODY

    name: ProjectName
    description: Goal = Field(description="The project's goal")
    architecture: LongText = ""
    details: LongText = ""


class ProjectUpdate(BaseModel):
    model_config = STRICT_BODY

    name: ProjectName | None = None
    description: Goal | None = None
    architecture: LongText | None = None
    details: LongText | None = None

    @field_validator("name", "description", "architecture", "details", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        """Each field may be left out, but null would blank it by accident."""
        if value is None:
            raise ValueError(NOT_NULL)
        return value


class PlanUpdate(BaseModel):
    model_config = STRICT_BODY

    steps: list[PlanStep] = Field(max_length=MAX_PLAN_STEPS)


class RulesBody(BaseModel):
    model_config = STRICT_BODY

    content: LongText


class ClaudeMdBody(BaseModel):
    """The project's .claude/CLAUDE.md, Claude Code's standing instructions; AutoCode keeps its marked part
    current (the goal, architecture, details and global rules), the rest is the user's."""

    model_config = STRICT_BODY

    content: LongText


class ReplyBody(BaseModel):
    """The user's answer to an escalation; the manager reads it and continues."""

    model_config = STRICT_BODY

    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class InstancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pid: int | None
    status: InstanceStatus
    started_at: datetime
    stopped_at: datetime | None


class ProjectPublic(BaseModel):
    id: int
    agent_id: int
    name: str
    slug: str
    description: str
    architecture: str
    details: str
    implementation_plan: list[PlanStep]
    status: ProjectStatus
    desired_state: DesiredState
    current_step: int
    escalation: str
    provider_problem: ProviderProblem | None = Field(
        description="A model provider failing: retrying by itself, or waiting for the user's Retry (resume)"
    )
    workspace_path: str
    tmux_session: str
    steps_done: int
    steps_total: int
    instance: InstancePublic | None
    created_at: datetime
    updated_at: datetime
