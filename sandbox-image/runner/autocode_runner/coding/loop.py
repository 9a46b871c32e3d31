"""The coding agent's control loop: PLAN, SEND TASK, MONITOR, EVALUATE, NEXT (issue 6, docs/coding-agent.md).

One loop per project, in the project's own instance process. It drives Claude Code through the plan one
step at a time, handles what goes wrong (a crash, silence, questions, repeated errors, a full context,
rate limits) with a visible log entry each, and reports its state after every change so any restart
resumes at the current step. Commands from the user (pause, resume, reply, plan, stop) arrive through
`command()` and take effect at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from autocode_runner.coding import workspace as ws
from autocode_runner.coding.events import EventSink
from autocode_runner.coding.identity import compose_identity
from autocode_runner.coding.manager_errors import ManagerError
from autocode_runner.coding.plan import Decision, Step
from autocode_runner.coding.ports import ClaudePort, ClaudeTrouble, ManagerPort, Observation
from autocode_runner.coding.state import ProjectState

T = TypeVar("T")
SHOWN_CHARS = 400
SILENCE_STRIKES_BEFORE_RESTART = 2
# After a submission, an idle screen counts as "finished" only once Claude Code was seen working, a Stop hook
# arrived, or this many polls passed (a very fast turn can start and end between two captures).
IDLE_POLLS_AFTER_SUBMIT = 3


class Stopped(Exception):
    """The user stopped the project: leave at once, keeping the state for a later start."""


@dataclass(frozen=True)
class Timing:
    poll_seconds: float = 2.0
    silence_seconds: float = 300.0
    max_attempts: int = 3

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Timing:
        raw = spec.get("timing") or {}
        return cls(
            poll_seconds=float(raw.get("poll_seconds", 2.0)),
            silence_seconds=float(raw.get("silence_seconds", 300.0)),
            max_attempts=int(raw.get("max_attempts", 3)),
        )


def error_signature(text: str) -> str:
    """Errors that differ only in numbers, paths' line numbers or case count as the same error."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return re.sub(r"\d+", "N", first.lower())[:200]


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProjectLoop:
    def __init__(
        self,
        spec: dict[str, Any],
        claude: ClaudePort,
        manager: ManagerPort,
        sink: EventSink,
        workspace: Path,
        rules_file: Path,
    ) -> None:
        self.spec = spec
        self.claude = claude
        self.manager = manager
        self.sink = sink
        self.workspace = workspace
        self.rules_file = rules_file
        self.timing = Timing.from_spec(spec)
        self.state = ProjectState.from_spec(spec)
        self._wake = asyncio.Event()
        self._paused = spec.get("status") == "paused" and not spec.get("escalation")
        self._stopping = False
        self._replies: list[str] = []
        self._resumed = False
        self._new_plan: list[Step] | None = None
        self._claude_fresh = False  # Claude Code was (re)started by this instance, not adopted running

    # -- commands from the user -----------------------------------------------------------------------
    def command(self, command: dict[str, Any]) -> None:
        kind = command.get("type")
        if kind == "stop":
            self._stopping = True
        elif kind == "pause":
            self._paused = True
        elif kind == "resume":
            self._paused = False
            self._resumed = True
        elif kind == "reply":
            self._replies.append(str(command.get("message", "")))
            self._paused = False
        elif kind == "plan":
            try:
                self._new_plan = [Step.from_dict(raw) for raw in command.get("steps") or []]
            except (ValueError, TypeError) as error:
                self.sink.log("error", f"The new plan was not applied: {error}")
        self._wake.set()

    # -- reporting ------------------------------------------------------------------------------------
    def report(self) -> None:
        self.sink.emit("project.state", self.state.report())

    def _refresh_identity(self) -> None:
        spec = self.spec
        self.manager.set_identity(
            compose_identity(
                agent_identity=str(spec.get("agent", {}).get("identity", "")),
                rules=ws.read_text(self.rules_file),
                claude_md=ws.read_text(self.workspace / ".claude" / "CLAUDE.md"),
                goal=str(spec.get("goal", "")),
                architecture=str(spec.get("architecture", "")),
                details=str(spec.get("details", "")),
                steps=self.state.steps,
            )
        )

    # -- waiting, pausing, stopping -------------------------------------------------------------------
    async def _sleep(self, seconds: float) -> None:
        """Sleep for a poll, waking early for a command."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _gate(self) -> bool:
        """A safe point: stop if asked, wait while paused, apply a new plan (then True)."""
        if self._stopping:
            raise Stopped
        if self._paused:
            previous = self.state.status
            self.state.status = "paused"
            self.report()
            self.sink.log("info", "Paused; resume to continue")
            while self._paused and not self._stopping:
                await self._sleep(3600)
            if self._stopping:
                raise Stopped
            self.state.status = previous if previous != "paused" else "running"
            self.report()
            self.sink.log("info", "Resumed")
        if self._new_plan is None:
            return False
        self._apply_plan(self._new_plan)
        self._new_plan = None
        return True

    def _apply_plan(self, steps: list[Step]) -> None:
        self.state.steps = steps
        self.state.current_step = next((i for i, s in enumerate(steps) if s.status != "done"), len(steps))
        self._refresh_identity()
        self.report()
        self.sink.log(
            "info", f"The plan was edited: {len(steps)} steps, continuing at step {self.state.current_step + 1}"
        )

    async def _ask(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """A manager call; when the model fails, escalate and try again after the user's answer."""
        while True:
            try:
                return await call()
            except ManagerError as error:
                await self._escalate(f"The manager model could not {what}: {error}")

    # -- the loop -------------------------------------------------------------------------------------
    async def run(self) -> str:
        """Work until the plan is done (returns "completed") or the user stops it (raises Stopped)."""
        ws.prepare(self.workspace, str(self.spec.get("architecture", "")))
        self._refresh_identity()
        await self._gate()
        await self._ensure_claude()
        if not self.state.steps:
            await self._plan()
        while self.state.current_step < len(self.state.steps):
            await self._gate()
            await self._run_step()
        self.state.status = "completed"
        self.state.loop.phase = "done"
        self.report()
        self.sink.log("info", f"All {len(self.state.steps)} steps are done: the project is completed")
        return "completed"

    async def _ensure_claude(self) -> None:
        if await self.claude.alive():
            self.sink.log("info", "Claude Code is already running in the project's session: continuing with it")
            return
        self._claude_fresh = True
        resume = bool(self.state.claude_session_id) and self.state.loop.phase != "planning"
        self.sink.log("info", "Resuming Claude Code's session" if resume else "Starting Claude Code")
        await self._start_claude(resume=resume)

    async def _start_claude(self, *, resume: bool) -> None:
        """Start Claude Code; when it will not start, escalate and try again after the user's answer."""
        while True:
            try:
                await self.claude.start(resume=resume)
                break
            except ClaudeTrouble as error:
                await self.claude.kill()
                await self._escalate(f"{error}. Check the Anthropic key and its base URL, then reply or resume.")
        self._note_session()

    def _note_session(self) -> None:
        if self.state.claude_session_id != self.claude.session_id:
            self.state.claude_session_id = self.claude.session_id
            self.report()

    async def _plan(self) -> None:
        self.state.status = "planning"
        self.state.loop.phase = "planning"
        self.report()
        self.sink.log("info", "Writing the implementation plan from the goal")
        spec = self.spec
        steps = await self._ask(
            "write a plan",
            lambda: self.manager.plan(
                str(spec.get("goal", "")), str(spec.get("architecture", "")), str(spec.get("details", ""))
            ),
        )
        self.state.steps = steps
        self.state.current_step = 0
        self.state.status = "running"
        self.state.loop.phase = "sending"
        self._refresh_identity()
        self.report()
        outline = "; ".join(f"{i + 1}. {s.title}" for i, s in enumerate(steps))
        self.sink.log("agent_decision", f"Plan of {len(steps)} steps: {outline}")

    async def _run_step(self) -> None:
        index = self.state.current_step
        step = self.state.step
        loop = self.state.loop
        resuming = step.status == "running" and loop.phase == "monitoring" and bool(loop.last_task)
        step.status = "running"
        self.state.status = "running"
        if resuming:
            self.sink.log("info", f"Resuming step {index + 1}: {step.title}")
            if self._claude_fresh:  # the turn in progress died with the old Claude Code: give the task again
                self.sink.log("info", "Claude Code was not running: resending the step's task to its resumed session")
                await self._send(loop.last_task)
        else:
            loop.errors = []
            loop.alternative_tried = False
            self.sink.log("info", f"Step {index + 1} of {len(self.state.steps)}: {step.title}")
            task = await self._ask("compose the task", lambda: self.manager.compose_task(self.state.steps, index))
            await self._send(task)
        await self._monitor(step)

    async def _send(self, text: str, *, remember: bool = True) -> None:
        loop = self.state.loop
        if remember:
            loop.last_task = text
        loop.phase = "monitoring"
        loop.submitted_at = time.monotonic()
        self.report()
        self.sink.log("action", f"Sent to Claude Code: {shorten(text)}")
        try:
            await self.claude.submit(text)
        except ClaudeTrouble as error:  # once: restart it and send again; a second failure ends the loop
            await self._restart_claude(f"{error}: restarting Claude Code and sending again")
            await self.claude.submit(text)

    async def _restart_claude(self, why: str) -> None:
        self.sink.log("error", why)
        await self.claude.kill()
        await self._start_claude(resume=bool(self.state.claude_session_id))

    # -- monitoring -----------------------------------------------------------------------------------
    async def _monitor(self, step: Step) -> None:
        loop = self.state.loop
        last_fingerprint = ""
        last_change = time.monotonic()
        seen_busy = False
        polls_since_submit = 0
        silence_strikes = 0
        compacted = False
        rate_limit_noted = False
        answered: tuple[str, float] = ("", 0.0)
        while True:
            await self._sleep(self.timing.poll_seconds)
            if await self._gate():
                current = (
                    self.state.steps[self.state.current_step]
                    if self.state.current_step < len(self.state.steps)
                    else None
                )
                if current is None or current.title != step.title or current.status == "done":
                    self.sink.log(
                        "info", "The plan's edit changed the current step: interrupting Claude Code, moving on"
                    )
                    await self.claude.interrupt()
                    return
                step = current  # the same step, perhaps with new details: keep watching it
            if self._replies:
                await self._deliver_replies()
                seen_busy, polls_since_submit = False, 0
                continue
            if not await self.claude.alive():
                await self._restart_claude("Claude Code exited (crashed or quit): restarting it with its session")
                await self._send(loop.last_task, remember=False)
                seen_busy, polls_since_submit, last_change = False, 0, time.monotonic()
                continue
            screen = await self.claude.capture()
            seen = self.claude.observe(screen)
            hooks = self.claude.hook_events()
            names = {str(event.get("hook_event_name", "")) for event in hooks}
            polls_since_submit += 1
            now = time.monotonic()
            if seen.fingerprint != last_fingerprint:
                last_fingerprint, last_change = seen.fingerprint, now
                silence_strikes = 0
            if "PreCompact" in names or seen.kind == "compacting":
                if not compacted:
                    self.sink.log("info", "Claude Code's context is full: it is compacting the conversation")
                compacted = True
                continue
            if seen.kind == "busy":
                seen_busy = True
                if now - last_change > self.timing.silence_seconds:
                    silence_strikes += 1
                    await self._on_silence(silence_strikes)
                    last_change = time.monotonic()
                    seen_busy, polls_since_submit = False, 0
                continue
            if seen.kind == "asking":
                if answered[0] == seen.fingerprint and now - answered[1] < 10:
                    continue  # the prompt we just answered, still on screen
                await self._answer(step, seen)
                answered = (seen.fingerprint, time.monotonic())
                continue
            if seen.kind == "rate_limited" and seen.retrying:
                seen_busy = True  # Claude Code waits and retries by itself; only a final limit needs the user
                if not rate_limit_noted:
                    self.sink.log("error", f"Claude Code is rate limited and retrying: {shorten(seen.error, 200)}")
                    rate_limit_noted = True
                continue
            if seen.kind == "context_full":
                self.sink.log("error", "Claude Code's context is full and was not compacted: running /compact")
                await self.claude.submit("/compact")
                compacted = True
                continue
            if seen.kind == "rate_limited":
                await self._escalate(
                    f"Claude Code shows a rate-limit or billing screen ({shorten(seen.error or seen.question, 200)}). "
                    "It was not answered automatically: resolve it, then reply or resume."
                )
                continue
            if seen.kind in ("starting", "exited"):
                continue
            finished = seen_busy or "Stop" in names or polls_since_submit >= IDLE_POLLS_AFTER_SUBMIT
            if not finished:
                continue
            if compacted:
                compacted = False
                summary = await self._ask(
                    "summarize the state", lambda: self.manager.summarize(self.state.steps, self.state.current_step)
                )
                self.sink.log("info", "Sending a summary of the project's state after the compaction")
                await self._send(summary, remember=False)
                seen_busy, polls_since_submit = False, 0
                continue
            if await self._evaluate(step, seen, screen):
                return
            seen_busy, polls_since_submit = False, 0

    async def _evaluate(self, step: Step, seen: Observation, screen: str) -> bool:
        """True when the step is done; otherwise a fix or retry has been sent (or escalated)."""
        if seen.kind == "api_error":
            decision = Decision("retry", message=self.state.loop.last_task, reason=seen.error or "API error")
            self.sink.log("error", f"Claude Code reported an error: {shorten(decision.reason, 300)}")
        else:
            evidence = await ws.evidence(self.workspace)
            decision = await self._ask("evaluate the step", lambda: self.manager.evaluate(step, screen, evidence))
        if decision.verdict == "complete":
            step.status = "done"
            self.state.current_step += 1
            self.state.loop.phase = "sending"
            self.state.loop.last_task = ""
            self._refresh_identity()
            self.report()
            self.sink.log("agent_decision", f"Step {self.state.current_step} is done: {shorten(decision.reason, 300)}")
            return True
        await self._retry(step, decision)
        return False

    async def _retry(self, step: Step, decision: Decision) -> None:
        loop = self.state.loop
        step.attempts += 1
        signature = error_signature(decision.reason or decision.message)
        loop.errors.append(signature)
        repeats = loop.errors.count(signature)
        self.report()
        if repeats < self.timing.max_attempts:
            self.sink.log(
                "agent_decision",
                f"Not done yet ({decision.verdict}, attempt {step.attempts}): {shorten(decision.reason, 300)}",
            )
            await self._send(decision.message or loop.last_task, remember=decision.verdict == "retry")
            return
        if not loop.alternative_tried:
            loop.alternative_tried = True
            self.sink.log(
                "agent_decision",
                f"The same problem came back {repeats} times ({shorten(decision.reason, 200)}): "
                "trying another approach",
            )
            text = await self._ask("propose another approach", lambda: self.manager.alternative(step, loop.errors))
            loop.errors = []
            await self._send(text)
            return
        await self._escalate(
            f"Step {self.state.current_step + 1} ({step.title}) keeps failing with the same problem, also after "
            f"another approach: {shorten(decision.reason, 300)}. Reply with guidance, or edit the plan and resume."
        )

    async def _answer(self, step: Step, seen: Observation) -> None:
        answer = await self._ask("answer Claude Code", lambda: self.manager.answer(step, seen.question, seen.options))
        self.sink.log(
            "agent_decision",
            f"Claude Code asked: {shorten(seen.question, 200)} -> answering {answer.keys!r} "
            f"({shorten(answer.reason, 200)})",
        )
        try:
            if answer.keys.isdigit() and seen.options:
                await self.claude.choose(int(answer.keys))
            else:
                await self.claude.submit(answer.keys)
        except ClaudeTrouble as error:  # the next poll sees the question again and answers again
            self.sink.log("error", str(error))

    async def _on_silence(self, strikes: int) -> None:
        minutes = self.timing.silence_seconds / 60
        if strikes >= SILENCE_STRIKES_BEFORE_RESTART:
            await self._restart_claude(f"Claude Code is still silent after {strikes} checks: restarting it")
            await self._send(self.state.loop.last_task, remember=False)
            return
        self.sink.log("error", f"No change on Claude Code's screen for {minutes:g} min: interrupting it and asking why")
        await self.claude.interrupt()
        await self._send(
            f"You showed no progress for {minutes:g} minutes and were interrupted. Say briefly what happened, "
            "then continue the current task.",
            remember=False,
        )

    async def _escalate(self, message: str) -> None:
        """Pause the project with a question for the user; return when they reply or resume."""
        loop = self.state.loop
        previous_phase = loop.phase
        self.state.escalation = message
        self.state.status = "paused"
        loop.phase = "escalated"
        self._resumed = False
        self.report()
        self.sink.log("error", f"Needs you: {message}")
        while not self._replies and not self._resumed and not self._stopping:
            await self._sleep(3600)
        if self._stopping:
            raise Stopped
        self._resumed = False
        self.state.escalation = ""
        self.state.status = "running"
        loop.phase = previous_phase if previous_phase != "escalated" else "monitoring"
        loop.errors = []
        loop.alternative_tried = False
        self.report()
        if self._replies:
            await self._deliver_replies()
        else:
            self.sink.log("info", "Resumed by the user")

    async def _deliver_replies(self) -> None:
        replies, self._replies = self._replies, []
        text = "\n\n".join(replies)
        self.sink.log("info", f"The user answered: {shorten(text)}")
        await self._send(f"The project owner says:\n{text}\n\nContinue with the current task.", remember=False)
