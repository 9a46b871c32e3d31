"""What the control loop needs from Claude Code and from the manager LLM, as small protocols.

The loop is written against these, so its decisions read plainly and the pieces behind them (the tmux
driver, the screen classifier, nanobot) can change without touching it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.manager.tools import ToolUse
from autocode_runner.coding.plan import Answer, Decision
from autocode_runner.contract.plan import PlanStep


class ClaudeTrouble(Exception):
    """Claude Code did not do what the driver asked (start, take a message, take an answer) in time."""


@dataclass(frozen=True)
class Observation:
    """Claude Code's state as the loop needs it, from the screen (and hooks, where they say more).

    `state` is the classifier's vocabulary (claude/screen.py), used as is: one word per state everywhere.
    """

    state: ClaudeState
    fingerprint: str = ""  # the screen without spinners and timers: unchanged means no progress
    question: str = ""
    options: Sequence[str] = field(default_factory=tuple)
    error: str = ""
    reply: str = ""
    retrying: bool = False  # Claude Code retries the failed request by itself (e.g. a 429 with a countdown)


class ClaudePort(Protocol):
    session_id: str  # Claude Code's conversation; a failed resume may replace it

    async def start(self, *, resume: bool) -> None: ...
    async def alive(self) -> bool: ...
    async def capture(self) -> str: ...
    async def submit(self, text: str) -> None: ...
    async def choose(self, number: int) -> None: ...
    async def interrupt(self) -> None: ...
    async def kill(self) -> None: ...
    def hook_events(self) -> list[dict[str, Any]]: ...
    def observe(self, screen: str) -> Observation: ...
    async def consult(self, question: str) -> str:
        """Claude Code's answer in a side conversation that leaves the project's session alone (ClaudeTrouble
        when there is none)."""
        ...


class ManagerPort(Protocol):
    def set_identity(self, identity: str) -> None: ...
    async def plan(self, goal: str, architecture: str, details: str) -> list[PlanStep]: ...
    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str: ...
    async def evaluate(self, step: PlanStep, screen: str, evidence: str) -> Decision: ...
    async def answer(self, step: PlanStep, question: str, options: Sequence[str]) -> Answer: ...
    async def alternative(self, step: PlanStep, errors: Sequence[str]) -> str: ...
    async def summarize(self, steps: Sequence[PlanStep], index: int) -> str: ...
    def take_tool_uses(self) -> list[ToolUse]: ...
