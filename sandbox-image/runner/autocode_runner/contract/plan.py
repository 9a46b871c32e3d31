"""A coding project's plan step: what the manager writes, the loop works through, the control plane stores
and the API shows. Defined once here; the control plane's schemas use this class directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.vocab import StepStatus

MAX_STEP_TITLE = 300
MAX_STEP_TEXT = 100_000
MAX_STEP_ATTEMPTS = 1000
MAX_PLAN_STEPS = 200


@dataclass
class PlanStep:
    """One coherent change Claude Code can finish in one session, with the check that proves it."""

    # Unknown fields are refused by pydantic too (this is read by name, no import needed).
    __pydantic_config__ = {"extra": "forbid"}

    title: str
    details: str = ""
    acceptance: str = ""
    status: StepStatus = StepStatus.PENDING
    attempts: int = 0

    def __post_init__(self) -> None:
        self.title = self.title.strip()
        if not self.title or len(self.title) > MAX_STEP_TITLE:
            raise ContractError(f"title: must be 1 to {MAX_STEP_TITLE} characters")
        if max(len(self.details), len(self.acceptance)) > MAX_STEP_TEXT:
            raise ContractError(f"details and acceptance: at most {MAX_STEP_TEXT} characters each")
        if not 0 <= self.attempts <= MAX_STEP_ATTEMPTS:
            raise ContractError(f"attempts: must be between 0 and {MAX_STEP_ATTEMPTS}")
        self.status = StepStatus(self.status)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: object) -> PlanStep:
        return from_dict(cls, data)

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> PlanStep:
        """A stored step read forgivingly: one written before a limit existed is trimmed to fit, never dropped,
        so the plan's step numbers stay what the user saw."""
        status = data.get("status")
        attempts = data.get("attempts")
        return cls(
            title=str(data.get("title") or "").strip()[:MAX_STEP_TITLE] or "Untitled step",
            details=str(data.get("details") or "")[:MAX_STEP_TEXT],
            acceptance=str(data.get("acceptance") or "")[:MAX_STEP_TEXT],
            status=StepStatus(status) if isinstance(status, str) and status in set(StepStatus) else StepStatus.PENDING,
            attempts=min(attempts, MAX_STEP_ATTEMPTS) if isinstance(attempts, int) and attempts >= 0 else 0,
        )


def steps_done(plan: list[PlanStep]) -> int:
    return sum(1 for step in plan if step.status is StepStatus.DONE)


def first_open_step(plan: list[PlanStep]) -> int:
    """Where work continues: the first step that is not done (the plan's length when all are)."""
    return next((index for index, step in enumerate(plan) if step.status is not StepStatus.DONE), len(plan))
