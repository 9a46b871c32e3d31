"""The manager's verdicts on Claude Code's work and its answers to Claude Code's questions.

Plain dataclasses with to/from dict, free of nanobot, so a decision made in the manager's own process
(manager/call.py) comes back as JSON. Plan steps are the contract's `PlanStep`, shared with the control plane.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

Verdict = Literal["complete", "fix", "retry"]
VERDICTS: tuple[str, ...] = get_args(Verdict)


def _text(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"'{name}' must be a string, got {value!r}")
    return value


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
        return cls(cast(Verdict, verdict), _text(data, "message", ""), _text(data, "reason", ""))


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
