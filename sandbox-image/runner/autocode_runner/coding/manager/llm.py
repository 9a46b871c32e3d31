"""The manager's LLM side, as the control loop calls it: plan, instruct, judge, answer, rethink, summarise.

    manager = ManagerLLM(project_dir, "openai/gpt-4o", api_key, base_url=None, identity=identity_text)
    steps = await manager.plan(goal, architecture, details)
    prompt = await manager.compose_task(steps, 0)
    decision = await manager.evaluate(steps[0], screen, {"git diff --stat": diff, "pytest": output})

All calls share one conversation, so the model remembers what it asked Claude Code before. Structured answers
are JSON, parsed tolerantly; a reply of the wrong shape gets one correction, then `MalformedReplyError`. Provider
failures (bad key, outage) become `ProviderError` with the provider's message. Both are `ManagerError`s.
One ManagerLLM per process (nanobot's config path is process-wide).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from autocode_runner.coding.manager import prompts
from autocode_runner.coding.manager.bot import ManagerBot
from autocode_runner.coding.manager.config import ManagerFiles, write_manager_files
from autocode_runner.coding.manager.errors import (
    MalformedReplyError,
    ManagerError,
    ProviderError,
    ReplyFormatError,
)
from autocode_runner.coding.manager.replies import parse_answer, parse_decision, parse_plan, plain_text
from autocode_runner.coding.manager.tools import ToolUse, manager_tools
from autocode_runner.coding.plan import Answer, Decision
from autocode_runner.contract.plan import PlanStep
from autocode_runner.nanobot_support import split_model

__all__ = [
    "Answer",
    "Decision",
    "MalformedReplyError",
    "ManagerError",
    "ManagerLLM",
    "ProviderError",
]

T = TypeVar("T")
Evidence = Mapping[str, str] | str | None


class ManagerLLM:
    """The manager model of one project, configured under `<workspace>/.nanobot/`."""

    def __init__(
        self,
        workspace: Path,
        model: str,
        api_key: str,
        base_url: str | None,
        identity: str,
        tools: Sequence[str] = (),
    ) -> None:
        provider, _ = split_model(model)
        self.files = ManagerFiles.under(Path(workspace))
        self.model = model
        chosen = manager_tools(tools)
        write_manager_files(self.files, model, base_url, identity, chosen)
        self._bot = ManagerBot(self.files, provider, api_key, chosen, Path(workspace))

    # --- what the loop asks -----------------------------------------------------------------------------------

    async def plan(self, goal: str, architecture: str = "", details: str = "") -> list[PlanStep]:
        """An ordered plan of pending steps for the goal."""
        request = prompts.plan_request(goal, architecture, details)
        steps = await self._ask_json("plan", request, parse_plan, prompts.PLAN_SHAPE)
        self._log("plan", f"{len(steps)} steps: " + "; ".join(step.title for step in steps))
        return steps

    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str:
        """The message that starts step `index` in Claude Code."""
        _check_index(steps, index)
        message = await self._ask_text("compose_task", prompts.compose_request(steps, index))
        self._log("compose_task", f"step {index + 1} {steps[index].title!r}")
        return message

    async def evaluate(self, step: PlanStep, screen: str, evidence: Evidence = None) -> Decision:
        """Whether Claude Code finished `step`, judged from its screen and evidence (diff stat, test output...)."""
        request = prompts.evaluate_request(step, screen, evidence)
        decision = await self._ask_json("evaluate", request, parse_decision, prompts.DECISION_SHAPE)
        self._log("evaluate", f"{step.title!r}: {decision.verdict} ({decision.reason})")
        return decision

    async def answer(self, step: PlanStep, question: str, options: Sequence[str] = ()) -> Answer:
        """What to type when Claude Code asks: an option's number, or free text when there are no options."""
        request = prompts.answer_request(step, question, options)
        answer = await self._ask_json("answer", request, lambda text: parse_answer(text, options), prompts.ANSWER_SHAPE)
        self._log("answer", f"{step.title!r}: keys {answer.keys!r} ({answer.reason})")
        return answer

    async def alternative(self, step: PlanStep, errors: Sequence[str]) -> str:
        """A message taking a different approach to `step`, after the attempts that ended in `errors`."""
        message = await self._ask_text("alternative", prompts.alternative_request(step, errors))
        self._log("alternative", f"{step.title!r} after {len(errors)} failed attempts")
        return message

    async def summarize(self, steps: Sequence[PlanStep], index: int) -> str:
        """The state summary to send Claude Code after its context was compacted, while on step `index`."""
        _check_index(steps, index)
        message = await self._ask_text("summarize", prompts.summarize_request(steps, index))
        self._log("summarize", f"at step {index + 1} {steps[index].title!r}")
        return message

    # --- the manager's files ----------------------------------------------------------------------------------

    def take_tool_uses(self) -> list[ToolUse]:
        """The tools the model ran since the last call, in order (for the decision log)."""
        uses, self._bot.tool_uses = self._bot.tool_uses, []
        return uses

    def set_identity(self, identity: str) -> None:
        """Replace IDENTITY.md (say, with the plan filled in); the next request's system prompt uses it."""
        self.files.identity.write_text(identity, encoding="utf-8")

    def remember(self, fact: str) -> None:
        """Add a line to MEMORY.md, which every later system prompt includes."""
        with self.files.memory.open("a", encoding="utf-8") as memory:
            memory.write(f"- {' '.join(fact.split())}\n")

    async def close(self) -> None:
        await self._bot.aclose()

    async def __aenter__(self) -> ManagerLLM:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # --- asking, with one correction --------------------------------------------------------------------------

    async def _ask_json(self, kind: str, request: str, parse: Callable[[str], T], shape: str) -> T:
        return await self._ask(kind, request, parse, lambda problem: prompts.json_correction(problem, shape))

    async def _ask_text(self, kind: str, request: str) -> str:
        return await self._ask(kind, request, plain_text, prompts.text_correction)

    async def _ask(self, kind: str, request: str, parse: Callable[[str], T], correction: Callable[[str], str]) -> T:
        try:
            reply = await self._bot.ask(request)
            try:
                return parse(reply)
            except ReplyFormatError as problem:
                self._log(kind, f"unusable reply ({problem}); asking once more")
                reply = await self._bot.ask(correction(str(problem)))
            try:
                return parse(reply)
            except ReplyFormatError as problem:
                raise MalformedReplyError(
                    f"{kind}: the manager model's reply was unusable even after a correction: {problem}"
                    f" (the reply began {reply[:200]!r})"
                ) from problem
        except ManagerError as error:
            self._log(kind, f"failed: {error}")
            raise

    def _log(self, kind: str, line: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        with self.files.history.open("a", encoding="utf-8") as history:
            history.write(f"- {stamp} {kind}: {' '.join(line.split())}\n")


def _check_index(steps: Sequence[PlanStep], index: int) -> None:
    if not 0 <= index < len(steps):
        raise IndexError(f"step index {index} is outside the plan's {len(steps)} steps")
