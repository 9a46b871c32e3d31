"""The manager's vocabulary: plan steps, verdicts on Claude Code's work, and answers to its questions.

Plain dataclasses with to/from dict, free of nanobot, so the control plane and the loop can store and exchange
them as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

StepStatus = Literal["pending", "running", "done", "failed"]
Verdict = Literal["complete", "fix", "retry"]
STEP_STATUSES: tuple[str, ...] = get_args(StepStatus)
VERDICTS: tuple[str, ...] = get_args(Verdict)


def _text(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"'{name}' must be a string, got {value!r}")
    return value


@dataclass
class Step:
    """One coherent change Claude Code can finish in one session, with the check that proves it."""

    title: str
    details: str
    acceptance: str
    status: StepStatus = "pending"
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        status = data.get("status", "pending")
        if status not in STEP_STATUSES:
            raise ValueError(f"'status' must be one of {', '.join(STEP_STATUSES)}, got {status!r}")
        attempts = data.get("attempts", 0)
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 0:
            raise ValueError(f"'attempts' must be a non-negative integer, got {attempts!r}")
        return cls(_text(data, "title"), _text(data, "details", ""), _text(data, "acceptance", ""), status, attempts)


@dataclass
class Decision:
    """The manager's verdict on an attempt; `message` is what to send Claude Code for fix or retry."""

    verdict: Verdict
    message: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        verdict = data.get("verdict")
        if verdict not in VERDICTS:
            raise ValueError(f"'verdict' must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        return cls(verdict, _text(data, "message", ""), _text(data, "reason", ""))


@dataclass
class Answer:
    """What to type into Claude Code's prompt: an option's number ("2") or free text."""

    keys: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        return cls(_text(data, "keys"), _text(data, "reason", ""))
