"""The project's resumable state: the plan, where the loop is, and what it needs to pick up after a restart.

The control plane stores every report, so a new instance (after a runner, sandbox or control-plane restart)
starts from the last one: finished steps are never repeated, and a step in progress is resumed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.specs import CodingSpec
from autocode_runner.contract.vocab import ProjectStatus


class Phase(StrEnum):
    """Where the loop is within the project; stored in `loop_state`, which only the loop reads."""

    PLANNING = "planning"
    SENDING = "sending"  # the current step's task is to be composed and sent
    MONITORING = "monitoring"  # a task was sent: watching Claude Code work on it
    ESCALATED = "escalated"  # waiting for the user's answer
    DONE = "done"


@dataclass
class LoopState:
    """Opaque to the control plane: the loop's own notes on the current step."""

    phase: Phase = Phase.PLANNING
    last_task: str = ""
    errors: list[str] = field(default_factory=list)  # normalized error signatures of the current step
    alternative_tried: bool = False
    submitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase.value,
            "last_task": self.last_task,
            "errors": self.errors,
            "alternative_tried": self.alternative_tried,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoopState:
        """Tolerant: the state of an older loop still resumes (an unknown phase starts over at planning)."""
        return cls(
            phase=_phase(data.get("phase")),
            last_task=str(data.get("last_task", "")),
            errors=[str(e) for e in data.get("errors", []) if isinstance(e, str)],
            alternative_tried=bool(data.get("alternative_tried", False)),
        )


def _phase(value: object) -> Phase:
    try:
        return Phase(str(value))
    except ValueError:
        return Phase.PLANNING


@dataclass
class ProjectState:
    status: ProjectStatus
    steps: list[PlanStep]
    current_step: int
    loop: LoopState
    claude_session_id: str
    escalation: str = ""
    provider_problem: ProviderProblem | None = None  # a model provider failing: retrying, or waiting for Retry

    @classmethod
    def from_spec(cls, spec: CodingSpec) -> ProjectState:
        steps = [dataclasses.replace(step) for step in spec.plan]  # the loop updates its own copies
        return cls(
            status=spec.status,
            steps=steps,
            current_step=min(max(spec.current_step, 0), len(steps)),
            loop=LoopState.from_dict(spec.loop_state),
            claude_session_id=spec.claude_session_id,
            escalation="",
        )

    @property
    def step(self) -> PlanStep:
        return self.steps[self.current_step]

    def report(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "plan": [step.to_dict() for step in self.steps],
            "current_step": self.current_step,
            "loop_state": self.loop.to_dict(),
            "claude_session_id": self.claude_session_id,
            "escalation": self.escalation,
            "provider_problem": self.provider_problem.to_dict() if self.provider_problem else None,
        }
