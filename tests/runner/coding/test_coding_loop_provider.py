"""The coding loop when the manager's model provider fails, against scripted ports: a provider that cannot be
reached is retried after the timing's waits and shown as a state, never as a question; one that refuses, or
stays unreachable, pauses the project until the user's Retry (resume)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.loop import ProjectLoop, Stopped
from autocode_runner.coding.manager.errors import MalformedReplyError, ProviderError, ProviderUnavailable
from autocode_runner.coding.ports import ClaudeTrouble
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess, Timing
from autocode_runner.contract.vocab import ProjectStatus
from autocode_runner.contract.wire import Command
from autocode_runner.instance_io import EventSink

from tests.runner.coding.test_coding_loop import TASK, ScriptedClaude, ScriptedManager, logs, seen

UNREACHABLE = ProviderUnavailable("could not be reached: Connection error")
BAD_KEY = ProviderError("refused the request (HTTP 401): Incorrect API key provided (invalid_api_key)")


class FailingManager(ScriptedManager):
    """Raises the scripted errors from compose_task, one per call, then composes the task."""

    def __init__(self, errors: Sequence[Exception]) -> None:
        super().__init__()
        self.errors = list(errors)
        self.composed = 0

    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str:
        self.composed += 1
        if self.errors:
            raise self.errors.pop(0)
        return TASK


class StartlessClaude(ScriptedClaude):
    """Will not start the first `failures` times."""

    def __init__(self, failures: int) -> None:
        super().__init__([seen(ClaudeState.IDLE)])
        self.failures = failures
        self.running = False

    async def alive(self) -> bool:
        return self.running

    async def start(self, *, resume: bool) -> None:
        if self.failures:
            self.failures -= 1
            raise ClaudeTrouble("Claude Code did not show its prompt within 60 s")
        self.running = True


States = Callable[[], list[dict[str, Any]]]
Driver = Callable[[ProjectLoop, States], Awaitable[None]]


async def nothing(loop: ProjectLoop, states: States) -> None:
    return None


async def until(states: States, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first state report that meets the condition, as soon as the loop has written it."""
    while True:
        found = next((state for state in states() if condition(state)), None)
        if found is not None:
            return found
        await asyncio.sleep(0.005)


def failed(state: dict[str, Any]) -> bool:
    return (state["provider_problem"] or {}).get("state") == "failed"


def run(
    tmp_path: Path, claude: ScriptedClaude, manager: ScriptedManager, retry: Sequence[float], driver: Driver = nothing
) -> tuple[ProjectLoop, list[Any], ProjectStatus | Stopped]:
    """Run the loop to its end (completed, or Stopped) while `driver` sends the user's commands."""
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
        timing=Timing(poll_seconds=0.0, provider_retry_seconds=list(retry)),
    )
    out = io.StringIO()
    loop = ProjectLoop(spec, claude, manager, EventSink(out), Path(spec.workspace), Path(spec.rules_file))

    def states() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        return [line["data"] for line in lines if line["event"] == "state"]

    async def main() -> ProjectStatus | Stopped:
        commands = asyncio.ensure_future(driver(loop, states))
        try:
            return await asyncio.wait_for(loop.run(), 10)
        except Stopped as stopped:
            return stopped
        finally:
            commands.cancel()

    result = asyncio.run(main())
    return loop, [json.loads(line) for line in out.getvalue().splitlines()], result


def problems(events: list[Any]) -> list[dict[str, Any] | None]:
    """Each state report's provider problem, consecutive repeats folded."""
    seen_: list[dict[str, Any] | None] = []
    for event in events:
        if event["event"] == "state":
            problem = event["data"]["provider_problem"]
            if not seen_ or seen_[-1] != problem:
                seen_.append(problem)
    return seen_


def test_an_unreachable_provider_is_retried_as_a_state_then_cleared(tmp_path: Path) -> None:
    manager = FailingManager([UNREACHABLE, UNREACHABLE])
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    _, events, result = run(tmp_path, claude, manager, retry=[0.05, 0.05, 0.05])

    assert result is ProjectStatus.COMPLETED
    assert manager.composed == 3 and claude.submitted == [TASK]
    first, second, cleared = problems(events)[-3:]
    assert cleared is None
    for problem, attempt in ((first, 2), (second, 3)):
        assert problem is not None
        assert problem["state"] == "retrying" and problem["provider"] == "OpenAI"
        assert (problem["attempt"], problem["attempts"]) == (attempt, 4)
        assert "could not be reached" in problem["message"]
        assert datetime.fromisoformat(problem["retry_at"]) > datetime(2020, 1, 1, tzinfo=UTC)
    reports = [event["data"] for event in events if event["event"] == "state"]
    assert all(report["escalation"] == "" for report in reports), "a provider's trouble is never a question"
    assert all(r["status"] == "running" for r in reports if r["provider_problem"]), "retrying keeps the status"
    lines = logs(events)
    assert any(
        line.startswith("OpenAI could not be reached: Connection error. Retrying at ")
        and line.endswith("attempt 2 of 4")
        for line in lines
    ), lines
    assert "OpenAI answered again: continuing" in lines


def test_exhausted_retries_pause_the_project_until_the_users_retry(tmp_path: Path) -> None:
    manager = FailingManager([UNREACHABLE, UNREACHABLE, UNREACHABLE])

    async def press_retry(loop: ProjectLoop, states: States) -> None:
        state = await until(states, failed)
        assert state["status"] == "paused" and state["escalation"] == ""
        await asyncio.sleep(0.05)
        assert manager.composed == 3, "nothing is tried again before the user's Retry"
        loop.command({"type": Command.RESUME.value})

    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    _, events, result = run(tmp_path, claude, manager, retry=[0.01, 0.01], driver=press_retry)

    assert result is ProjectStatus.COMPLETED and manager.composed == 4
    failed_problem = next(p for p in problems(events) if p and p["state"] == "failed")
    assert failed_problem["retry_at"] == "" and "also after 3 attempts" in failed_problem["message"]
    lines = logs(events)
    assert any("Check your OpenAI key and its address in Settings, then press Retry." in line for line in lines)
    assert "Retrying now, as you asked" in lines
    assert problems(events)[-1] is None


def test_a_refusing_provider_waits_for_retry_at_once(tmp_path: Path) -> None:
    manager = FailingManager([BAD_KEY])

    async def press_retry(loop: ProjectLoop, states: States) -> None:
        await until(states, failed)
        loop.command({"type": Command.RESUME.value})

    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    _, events, result = run(tmp_path, claude, manager, retry=[5.0], driver=press_retry)

    assert result is ProjectStatus.COMPLETED
    assert [p["state"] for p in problems(events) if p] == ["failed"], "a bad key is not worth waiting for"
    assert any(line.startswith("OpenAI refused the request (HTTP 401)") for line in logs(events))


def test_unusable_answers_wait_for_retry_and_a_reply_counts_as_one(tmp_path: Path) -> None:
    manager = FailingManager([MalformedReplyError("compose_task: unusable even after a correction")])

    async def reply(loop: ProjectLoop, states: States) -> None:
        await until(states, failed)
        loop.command({"type": Command.REPLY.value, "message": "try again please"})

    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    _, events, result = run(tmp_path, claude, manager, retry=[5.0], driver=reply)

    assert result is ProjectStatus.COMPLETED and manager.composed == 2
    problem = next(p for p in problems(events) if p)
    assert problem["state"] == "failed" and "could not compose the task" in problem["message"]
    assert "Retrying now, as you asked" in logs(events)


def test_a_stop_ends_the_wait_for_the_next_attempt(tmp_path: Path) -> None:
    manager = FailingManager([UNREACHABLE])

    async def stop(loop: ProjectLoop, states: States) -> None:
        await until(states, lambda state: state["provider_problem"] is not None)
        loop.command({"type": Command.STOP.value})

    claude = ScriptedClaude([seen(ClaudeState.IDLE)])
    _, _, result = run(tmp_path, claude, manager, retry=[600.0], driver=stop)
    assert isinstance(result, Stopped)
    assert manager.composed == 1


def test_a_pause_holds_the_retry_until_resume(tmp_path: Path) -> None:
    manager = FailingManager([UNREACHABLE])

    async def pause_then_resume(loop: ProjectLoop, states: States) -> None:
        await until(states, lambda state: state["provider_problem"] is not None)
        loop.command({"type": Command.PAUSE.value})
        await until(states, lambda state: state["status"] == "paused")
        await asyncio.sleep(0.05)
        assert manager.composed == 1
        loop.command({"type": Command.RESUME.value})

    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    _, _, result = run(tmp_path, claude, manager, retry=[600.0], driver=pause_then_resume)
    assert result is ProjectStatus.COMPLETED and manager.composed == 2


def test_claude_code_that_will_not_start_waits_for_retry_not_an_answer(tmp_path: Path) -> None:
    claude = StartlessClaude(failures=1)

    async def press_retry(loop: ProjectLoop, states: States) -> None:
        await until(states, failed)
        loop.command({"type": Command.RESUME.value})

    _, events, result = run(tmp_path, claude, ScriptedManager(), retry=[5.0], driver=press_retry)
    assert result is ProjectStatus.COMPLETED
    problem = next(p for p in problems(events) if p)
    assert problem["provider"] == "Anthropic" and "did not let Claude Code start" in problem["message"]
    assert "Retrying now, as you asked" in logs(events)


def test_a_final_rate_limit_screen_waits_for_retry_then_resends_the_task(tmp_path: Path) -> None:
    limited = seen(ClaudeState.RATE_LIMITED, error="You've hit your usage limit", retrying=False)
    claude = ScriptedClaude([limited, seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])

    async def press_retry(loop: ProjectLoop, states: States) -> None:
        await until(states, failed)
        loop.command({"type": Command.RESUME.value})

    _, events, result = run(tmp_path, claude, ScriptedManager(), retry=[5.0], driver=press_retry)
    assert result is ProjectStatus.COMPLETED
    assert claude.submitted == [TASK, TASK]
    problem = next(p for p in problems(events) if p)
    assert problem["state"] == "failed" and "usage limit" in problem["message"]
    assert all(event["data"]["escalation"] == "" for event in events if event["event"] == "state")
