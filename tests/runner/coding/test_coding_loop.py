"""The coding loop's monitor on the host, against scripted ports: what it does for each state Claude Code shows.

The real Claude Code and manager run in tests/controlplane/projects/test_coding_agent.py; these check the dispatch
from an observed state to its handler without a container, in well under a second.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.loop import ProjectLoop
from autocode_runner.coding.manager.tools import ToolUse
from autocode_runner.coding.plan import Answer, Decision
from autocode_runner.coding.ports import Observation
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess, Timing
from autocode_runner.contract.vocab import ProjectStatus, StepStatus
from autocode_runner.instance_io import EventSink

TASK = "Build step one."


class ScriptedClaude:
    """Shows one observation per poll (the last one again when the script runs out) and records the input."""

    def __init__(self, observations: Sequence[Observation], hooks: Sequence[Sequence[str]] = ()) -> None:
        self.session_id = "session-1"
        self._observations = list(observations)
        self._hooks = [list(names) for names in hooks]
        self.submitted: list[str] = []
        self.chosen: list[int] = []
        self.consulted: list[str] = []  # side conversations, never submitted to the session

    async def start(self, *, resume: bool) -> None:
        return None

    async def alive(self) -> bool:
        return True

    async def capture(self) -> str:
        return "screen"

    async def submit(self, text: str) -> None:
        self.submitted.append(text)

    async def choose(self, number: int) -> None:
        self.chosen.append(number)

    async def interrupt(self) -> None:
        return None

    async def kill(self) -> None:
        return None

    def hook_events(self) -> list[dict[str, Any]]:
        names = self._hooks.pop(0) if self._hooks else []
        return [{"hook_event_name": name} for name in names]

    def observe(self, screen: str) -> Observation:
        return self._observations.pop(0) if len(self._observations) > 1 else self._observations[0]

    async def consult(self, question: str) -> str:
        self.consulted.append(question)
        return f"Option {len(self.consulted)}: keep it simple."


class ScriptedManager:
    """Completes every step it is asked to judge; answers questions with option 1."""

    def __init__(self) -> None:
        self.evaluated: list[str] = []
        self.summaries = 0
        self.tool_uses: list[ToolUse] = []  # what the model "ran" during the next call

    def set_identity(self, identity: str) -> None:
        return None

    async def plan(self, goal: str, architecture: str, details: str) -> list[PlanStep]:
        raise AssertionError("the spec has a plan")

    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str:
        return TASK

    async def evaluate(self, step: PlanStep, screen: str, evidence: str) -> Decision:
        self.evaluated.append(step.title)
        return Decision("complete", reason="the check passes")

    async def answer(self, step: PlanStep, question: str, options: Sequence[str]) -> Answer:
        return Answer("1", "allowed")

    async def alternative(self, step: PlanStep, errors: Sequence[str]) -> str:
        raise AssertionError("no alternative needed")

    async def summarize(self, steps: Sequence[PlanStep], index: int) -> str:
        self.summaries += 1
        return "Summary of the project."

    def take_tool_uses(self) -> list[ToolUse]:
        uses, self.tool_uses = self.tool_uses, []
        return uses


def seen(state: ClaudeState, fingerprint: str = "", **fields: Any) -> Observation:
    return Observation(state=state, fingerprint=fingerprint or state.value, **fields)


def run_loop(tmp_path: Path, claude: ScriptedClaude, manager: ScriptedManager) -> tuple[ProjectLoop, list[Any]]:
    spec = CodingSpec(
        name="p",
        workspace=str(tmp_path / "work"),
        goal="a goal",
        tmux_session="project-1",
        rules_file=str(tmp_path / "RULES.md"),
        agent=AgentProfile(id=1, model="openai/gpt-4o"),
        manager=ModelAccess("manager-key"),
        claude=ClaudeOptions(ModelAccess("claude-key")),
        plan=[PlanStep("Step one", "details", "acceptance")],
        status=ProjectStatus.RUNNING,
        timing=Timing(poll_seconds=0.0),
    )
    out = io.StringIO()
    loop = ProjectLoop(
        spec,
        claude=claude,
        manager=manager,
        sink=EventSink(out),
        workspace=Path(spec.workspace),
        rules_file=Path(spec.rules_file),
    )
    result = asyncio.run(asyncio.wait_for(loop.run(), 10))
    assert result is ProjectStatus.COMPLETED
    return loop, [json.loads(line) for line in out.getvalue().splitlines()]


def logs(events: list[Any]) -> list[str]:
    return [event["data"]["message"] for event in events if event["event"] == "log"]


def test_every_state_claude_code_can_show_has_a_handler(tmp_path: Path) -> None:
    loop, _ = run_loop(tmp_path, ScriptedClaude([seen(ClaudeState.IDLE)]), ScriptedManager())
    assert set(loop._handlers) == set(ClaudeState)


def test_a_step_is_sent_watched_and_judged_done(tmp_path: Path) -> None:
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    manager = ScriptedManager()
    loop, events = run_loop(tmp_path, claude, manager)
    assert claude.submitted == [TASK]
    assert manager.evaluated == ["Step one"]
    assert loop.state.steps[0].status is StepStatus.DONE
    assert "Step 1 is done: the check passes" in logs(events)
    final = [event["data"] for event in events if event["event"] == "state"][-1]
    assert final["status"] == "completed"
    assert final["plan"][0]["status"] == "done"
    assert final["loop_state"]["phase"] == "done"


def test_a_question_is_answered_once_while_it_stays_on_screen(tmp_path: Path) -> None:
    question = seen(ClaudeState.PERMISSION, "dialog", question="Create file?", options=("Yes", "No"))
    claude = ScriptedClaude([question, question, seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    run_loop(tmp_path, claude, ScriptedManager())
    assert claude.chosen == [1]
    assert claude.submitted == [TASK]


def test_after_a_compaction_claude_code_gets_a_summary_before_the_step_is_judged(tmp_path: Path) -> None:
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)], hooks=[["PreCompact"]])
    manager = ScriptedManager()
    _, events = run_loop(tmp_path, claude, manager)
    assert claude.submitted == [TASK, "Summary of the project."]
    assert manager.summaries == 1
    assert "Claude Code's context is full: it is compacting the conversation" in logs(events)


def test_an_api_error_resends_the_task(tmp_path: Path) -> None:
    error = seen(ClaudeState.API_ERROR, error="API Error: 500 overloaded")
    claude = ScriptedClaude([seen(ClaudeState.BUSY), error, seen(ClaudeState.BUSY, "again"), seen(ClaudeState.IDLE)])
    manager = ScriptedManager()
    loop, events = run_loop(tmp_path, claude, manager)
    assert claude.submitted == [TASK, TASK]
    assert manager.evaluated == ["Step one"]  # the error itself needed no judgment
    assert loop.state.steps[0].attempts == 1
    assert "Claude Code reported an error: API Error: 500 overloaded" in logs(events)


def test_a_retrying_rate_limit_is_noted_once_and_waited_out(tmp_path: Path) -> None:
    limited = seen(ClaudeState.RATE_LIMITED, error="429 · retrying in 5s", retrying=True)
    claude = ScriptedClaude([limited, limited, seen(ClaudeState.IDLE)])
    _, events = run_loop(tmp_path, claude, ScriptedManager())
    assert [line for line in logs(events) if "rate limited" in line] == [
        "Claude Code is rate limited and retrying: 429 · retrying in 5s"
    ]
    assert claude.submitted == [TASK]
