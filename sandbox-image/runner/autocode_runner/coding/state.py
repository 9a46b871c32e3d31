"""The project's resumable state: the plan, where the loop is, and what it needs to pick up after a restart.

The control plane stores every report, so a new instance (after a runner, sandbox or control-plane restart)
starts from the last one: finished steps are never repeated, and a step in progress is resumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autocode_runner.coding.plan import Step


@dataclass
class LoopState:
    """Opaque to the control plane. phase: planning | sending | monitoring | escalated | done."""

    phase: str = "planning"
    last_task: str = ""
    errors: list[str] = field(default_factory=list)  # normalized error signatures of the current step
    alternative_tried: bool = False
    submitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "last_task": self.last_task,
            "errors": self.errors,
            "alternative_tried": self.alternative_tried,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoopState:
        return cls(
            phase=str(data.get("phase", "planning")),
            last_task=str(data.get("last_task", "")),
            errors=[str(e) for e in data.get("errors", []) if isinstance(e, str)],
            alternative_tried=bool(data.get("alternative_tried", False)),
        )


@dataclass
class ProjectState:
    status: str
    steps: list[Step]
    current_step: int
    loop: LoopState
    claude_session_id: str
    escalation: str = ""

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> ProjectState:
        steps = []
        for raw in spec.get("plan") or []:
            try:
                steps.append(Step.from_dict(raw))
            except (ValueError, TypeError):
                continue
        current = spec.get("current_step") or 0
        current = min(max(int(current), 0), len(steps))
        return cls(
            status=str(spec.get("status") or "planning"),
            steps=steps,
            current_step=current,
            loop=LoopState.from_dict(spec.get("loop_state") or {}),
            claude_session_id=str(spec.get("claude_session_id") or ""),
            escalation="",
        )

    @property
    def step(self) -> Step:
        return self.steps[self.current_step]

    def report(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "plan": [step.to_dict() for step in self.steps],
            "current_step": self.current_step,
            "loop_state": self.loop.to_dict(),
            "claude_session_id": self.claude_session_id,
            "escalation": self.escalation,
        }
