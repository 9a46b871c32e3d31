"""The coding agent's control loop: PLAN, SEND TASK, MONITOR, EVALUATE, NEXT (issue 6, docs/coding-agent.md).

One loop per project, in the project's own instance process. It drives Claude Code through the plan one
step at a time, handles what goes wrong (a crash, silence, questions, repeated errors, a full context,
rate limits, a model provider that cannot be reached) with a visible log entry each, and reports its state
after every change so any restart resumes at the current step. Commands from the user (pause, resume,
reply, plan, stop) arrive through `command()` and take effect at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from autocode_runner.coding import trouble
from autocode_runner.coding import workspace as ws
from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.context import (
    CLAUDE_MD,
    ProjectContext,
    read_context,
    sync_claude_md,
    users_part,
    write_context,
)
from autocode_runner.coding.identity import compose_identity
from autocode_runner.coding.manager.errors import ManagerError, ProviderError, ProviderUnavailable
from autocode_runner.coding.manager.tools import describe as describe_tool_use
from autocode_runner.coding.plan import Decision
from autocode_runner.coding.ports import ClaudePort, ClaudeTrouble, ManagerPort, Observation
from autocode_runner.coding.state import Phase, ProjectState
from autocode_runner.contract.plan import PlanStep, first_open_step
from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.providers import provider_name
from autocode_runner.contract.specs import CodingSpec
from autocode_runner.contract.vocab import LogLevel, ProjectStatus, StepStatus
from autocode_runner.contract.wire import Command
from autocode_runner.instance_io import EventSink

T = TypeVar("T")
SHOWN_CHARS = 400
SILENCE_STRIKES_BEFORE_RESTART = 2
# After a submission, an idle screen counts as "finished" only once Claude Code was seen working, a Stop hook
# arrived, or this many polls passed (a very fast turn can start and end between two captures).
IDLE_POLLS_AFTER_SUBMIT = 3
# A question answered this recently that is still on screen is the same one, not yet redrawn: not asked again.
ANSWERED_ECHO_SECONDS = 10.0
WAIT_FOR_COMMAND_SECONDS = 3600.0
CONSULT_AFTER_FAILURES = 2  # a step that failed this often: Claude Code is asked for other ways
MAX_ADVICE = 3  # consultations kept in the manager's identity (the newest)
CONSULT_PREFIX = (
    "CONSULTATION: the project's manager asks for your advice in a side conversation. Read the project's files if "
    "it helps, but change nothing. Answer briefly."
)
REREAD_NOTE = "The project's instructions in .claude/CLAUDE.md changed: read that file again before you start."


class Stopped(Exception):
    """The user stopped the project: leave at once, keeping the state for a later start."""


def error_signature(text: str) -> str:
    """Errors that differ only in numbers, paths' line numbers or case count as the same error."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return re.sub(r"\d+", "N", first.lower())[:200]


def counted(count: int, noun: str) -> str:
    """ "1 step", "2 steps": the log is read by people."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Watch:
    """What monitoring one step remembers from poll to poll."""

    step: PlanStep
    last_fingerprint: str = ""
    last_change: float = field(default_factory=time.monotonic)  # when the screen last showed progress
    seen_busy: bool = False  # Claude Code was seen working since the last message
    polls_since_submit: int = 0
    silence_strikes: int = 0
    compacted: bool = False  # the context was compacted: Claude Code needs a summary when it is idle again
    rate_limit_noted: bool = False
    answered: tuple[str, float] = ("", 0.0)  # the screen of the last question answered, and when

    def message_sent(self) -> None:
        """A new message went to Claude Code: an idle screen means "finished" only once it was worked on."""
        self.seen_busy = False
        self.polls_since_submit = 0


@dataclass(frozen=True)
class Poll:
    """One look at Claude Code: its screen, what the screen shows, and the hook events since the last look."""

    screen: str
    seen: Observation
    hooks: frozenset[str]  # hook event names
    time: float

    @property
    def state(self) -> ClaudeState:
        """The screen's state, unless a hook says more: PreCompact means compacting, whatever is drawn."""
        return ClaudeState.COMPACTING if "PreCompact" in self.hooks else self.seen.state


# A handler of one observed state: True when the step is done and monitoring ends.
StateHandler = Callable[[Watch, Poll], Awaitable[bool]]


class ProjectLoop:
    def __init__(
        self,
        spec: CodingSpec,
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
        self.timing = spec.timing
        self.state = ProjectState.from_spec(spec)
        self._wake = asyncio.Event()
        self._paused = spec.status is ProjectStatus.PAUSED and not spec.escalation
        self._stopping = False
        self._replies: list[str] = []
        self._resumed = False
        self._new_plan: list[PlanStep] | None = None
        self._claude_fresh = False  # Claude Code was (re)started by this instance, not adopted running
        self.context = ProjectContext(spec.goal, spec.architecture, spec.details)
        self._claude_md_changed = False  # since Claude Code last read it: the next task says to read it again
        self._claude_md_seen = ""
        self._advice: list[str] = []  # Claude Code's options from consultations, for the manager
        self._handlers: dict[ClaudeState, StateHandler] = {
            ClaudeState.UNKNOWN: self._on_not_ready,
            ClaudeState.EXITED: self._on_not_ready,
            ClaudeState.BUSY: self._on_busy,
            ClaudeState.PERMISSION: self._on_asking,
            ClaudeState.QUESTION: self._on_asking,
            ClaudeState.COMPACTING: self._on_compacting,
            ClaudeState.CONTEXT_FULL: self._on_context_full,
            ClaudeState.RATE_LIMITED: self._on_rate_limited,
            ClaudeState.IDLE: self._on_turn_over,
            ClaudeState.API_ERROR: self._on_turn_over,
        }

    # -- commands from the user -----------------------------------------------------------------------
    def command(self, command: dict[str, Any]) -> None:
        kind = command.get("type")
        if kind == Command.STOP:
            self._stopping = True
        elif kind == Command.PAUSE:
            self._paused = True
        elif kind == Command.RESUME:
            self._paused = False
            self._resumed = True
        elif kind == Command.REPLY:
            self._replies.append(str(command.get("message", "")))
            self._paused = False
        elif kind == Command.PLAN:
            try:
                self._new_plan = [PlanStep.from_dict(raw) for raw in command.get("steps") or []]
            except (ValueError, TypeError) as error:
                self.sink.log(LogLevel.ERROR, f"The new plan was not applied: {error}")
        self._wake.set()

    # -- reporting ------------------------------------------------------------------------------------
    def report(self) -> None:
        self.sink.state(self.state.report())

    def _refresh_identity(self) -> None:
        context = self.context
        self.manager.set_identity(
            compose_identity(
                agent_identity=self.spec.agent.identity,
                rules=ws.read_text(self.rules_file),
                claude_md=users_part(ws.read_text(self.workspace / CLAUDE_MD)),
                goal=context.goal,
                architecture=context.architecture,
                details=context.details,
                steps=self.state.steps,
                advice=self._advice,
            )
        )

    def _sync_context(self, *, starting: bool = False) -> None:
        """The user's latest description, architecture and details (written by the control plane) and the
        agent's rules into CLAUDE.md and the manager's identity. At the start the spec's are the latest."""
        if starting:
            write_context(self.workspace, self.context)
        else:
            edited = read_context(self.workspace)
            if edited is not None and edited != self.context:
                self.context = edited
                self.sink.log(
                    LogLevel.INFO,
                    "The project's description or architecture was edited: the manager and Claude Code follow it now",
                )
        sync_claude_md(self.workspace, self.context, ws.read_text(self.rules_file))
        claude_md = ws.read_text(self.workspace / CLAUDE_MD)  # the user may have edited their part too
        if claude_md != self._claude_md_seen and not starting:
            self._claude_md_changed = True
        self._claude_md_seen = claude_md
        self._refresh_identity()

    def _with_reread_note(self, task: str) -> str:
        """Claude Code reads CLAUDE.md when it starts: after a change, the task asks it to read it again."""
        if not self._claude_md_changed:
            return task
        self._claude_md_changed = False
        return f"{REREAD_NOTE}\n\n{task}"

    # -- waiting, pausing, stopping -------------------------------------------------------------------
    async def _sleep(self, seconds: float) -> None:
        """Sleep for a poll, waking early for a command."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _gate(self) -> bool:
        """A safe point: stop if asked, wait while paused, apply a new plan (then True)."""
        await self._hold_while_paused()
        if self._new_plan is None:
            return False
        self._apply_plan(self._new_plan)
        self._new_plan = None
        return True

    async def _hold_while_paused(self) -> None:
        """Stop if asked; while paused, report it and wait for resume (or stop)."""
        if self._stopping:
            raise Stopped
        if not self._paused:
            return
        previous = self.state.status
        self.state.status = ProjectStatus.PAUSED
        self.report()
        self.sink.log(LogLevel.INFO, "Paused; resume to continue")
        while self._paused and not self._stopping:
            await self._sleep(WAIT_FOR_COMMAND_SECONDS)
        if self._stopping:
            raise Stopped
        self.state.status = previous if previous is not ProjectStatus.PAUSED else ProjectStatus.RUNNING
        self.report()
        self.sink.log(LogLevel.INFO, "Resumed")

    def _apply_plan(self, steps: list[PlanStep]) -> None:
        self.state.steps = steps
        self.state.current_step = first_open_step(steps)
        self._refresh_identity()
        self.report()
        self.sink.log(
            LogLevel.INFO,
            f"The plan was edited: {counted(len(steps), 'step')}, continuing at step {self.state.current_step + 1}",
        )

    async def _ask(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """A manager call. A provider that cannot be reached is tried again after each of the timing's waits;
        one that refuses, stays unreachable or keeps answering unusably waits for the user's Retry. Never a
        question: the user cannot answer a provider's trouble."""
        provider = trouble.manager_provider(self.spec.agent.model)
        delays = self.timing.provider_retry_seconds
        failures = 0
        while True:
            try:
                try:
                    result = await call()
                finally:
                    self._log_tool_uses()
            except ProviderUnavailable as error:
                failures += 1
                if failures <= len(delays):
                    await self._retry_later(
                        *trouble.retrying(provider, str(error), delays[failures - 1], failures + 1, len(delays) + 1)
                    )
                    continue
                reason = f"{error}, also after {failures} attempts"
                await self._wait_for_retry(*trouble.failed(provider, reason, trouble.key_advice(provider)))
            except ProviderError as error:
                await self._wait_for_retry(*trouble.failed(provider, str(error), trouble.key_advice(provider)))
            except ManagerError as error:
                advice = "Press Retry to ask again; if this keeps happening, choose another model for the agent."
                reason = f"could not {what} ({error})"
                await self._wait_for_retry(*trouble.failed(provider, reason, advice))
            else:
                self._clear_problem(f"{provider_name(provider)} answered again: continuing")
                return result
            failures = 0  # the user asked for a retry: a fresh round of waits

    def _log_tool_uses(self) -> None:
        """Every tool the manager ran (a web search, a page, a file) is a line of the decision log."""
        for use in self.manager.take_tool_uses():
            self.sink.log(LogLevel.AGENT_DECISION, describe_tool_use(use))

    # -- consulting Claude Code in a side conversation ------------------------------------------------------
    async def _consult(self, topic: str, question: str) -> None:
        """Ask Claude Code for options in a side conversation (never its project session); the answer is a
        decision in the log and part of the manager's identity from now on. No answer is no advice: logged."""
        self.sink.log(LogLevel.INFO, f"Consulting Claude Code on {topic} in a side conversation")
        try:
            answer = await self.claude.consult(f"{CONSULT_PREFIX}\n\n{question}")
        except ClaudeTrouble as error:
            self.sink.log(LogLevel.ERROR, f"Claude Code could not be consulted on {topic}: {shorten(str(error), 300)}")
            return
        self._advice = [*self._advice, f"On {topic}:\n{answer.strip()}"][-MAX_ADVICE:]
        self._refresh_identity()
        self.sink.log(LogLevel.AGENT_DECISION, f"Claude Code's options on {topic}: {shorten(answer, 600)}")

    # -- a provider's trouble: retried by itself, or waiting for the user's Retry --------------------------
    def _clear_problem(self, line: str) -> None:
        if self.state.provider_problem is None:
            return
        self.state.provider_problem = None
        self.report()
        self.sink.log(LogLevel.INFO, line)

    async def _retry_later(self, problem: ProviderProblem, line: str) -> None:
        """Report the problem, keeping the project's status, and wait until the next attempt is due; a stop ends
        the wait (Stopped), a pause holds it until resume (then the attempt is made at once)."""
        self.state.provider_problem = problem
        self.report()
        self.sink.log(LogLevel.ERROR, line)
        due = time.monotonic() + max(
            0.0, (datetime.fromisoformat(problem.retry_at) - datetime.now(UTC)).total_seconds()
        )
        while (left := due - time.monotonic()) > 0:
            await self._sleep(left)
            if self._stopping or self._paused:
                await self._hold_while_paused()
                break

    async def _wait_for_retry(self, problem: ProviderProblem, line: str) -> None:
        """Report the problem that needs the user, pause, and return when they press Retry (resume) or reply."""
        previous = self.state.status if self.state.status is not ProjectStatus.PAUSED else ProjectStatus.RUNNING
        self.state.provider_problem = problem
        self.state.status = ProjectStatus.PAUSED
        self._resumed = False
        self._paused = False  # this wait is the pause: resume ends it
        replies = len(self._replies)
        self.report()
        self.sink.log(LogLevel.ERROR, line)
        while len(self._replies) == replies and not self._resumed and not self._stopping:
            await self._sleep(WAIT_FOR_COMMAND_SECONDS)
        if self._stopping:
            raise Stopped
        self._resumed = False
        self.state.provider_problem = None
        self.state.status = previous
        self.report()
        self.sink.log(LogLevel.INFO, "Retrying now, as you asked")

    # -- the loop -------------------------------------------------------------------------------------
    async def run(self) -> ProjectStatus:
        """Work until the plan is done (returns "completed") or the user stops it (raises Stopped)."""
        ws.prepare(self.workspace)
        self._sync_context(starting=True)
        await self._gate()
        await self._ensure_claude()
        if not self.state.steps:
            await self._plan()
        while self.state.current_step < len(self.state.steps):
            await self._gate()
            await self._run_step()
        self.state.status = ProjectStatus.COMPLETED
        self.state.loop.phase = Phase.DONE
        self.report()
        self.sink.log(LogLevel.INFO, f"All {counted(len(self.state.steps), 'step')} done: the project is completed")
        return ProjectStatus.COMPLETED

    async def _ensure_claude(self) -> None:
        if await self.claude.alive():
            self.sink.log(LogLevel.INFO, "Claude Code is already running in the project's session: continuing with it")
            return
        self._claude_fresh = True
        resume = bool(self.state.claude_session_id) and self.state.loop.phase is not Phase.PLANNING
        self.sink.log(LogLevel.INFO, "Resuming Claude Code's session" if resume else "Starting Claude Code")
        await self._start_claude(resume=resume)

    async def _start_claude(self, *, resume: bool) -> None:
        """Start Claude Code; when it will not start, wait for the user's Retry (a key or its address is the
        usual cause) and try again."""
        provider = trouble.CLAUDE_PROVIDER
        while True:
            try:
                await self.claude.start(resume=resume)
                break
            except ClaudeTrouble as error:
                await self.claude.kill()
                reason = f"did not let Claude Code start ({error})"
                await self._wait_for_retry(*trouble.failed(provider, reason, trouble.key_advice(provider)))
        self._note_session()

    def _note_session(self) -> None:
        if self.state.claude_session_id != self.claude.session_id:
            self.state.claude_session_id = self.claude.session_id
            self.report()

    async def _plan(self) -> None:
        self.state.status = ProjectStatus.PLANNING
        self.state.loop.phase = Phase.PLANNING
        self.report()
        self.sink.log(LogLevel.INFO, "Writing the implementation plan from the goal")
        self._sync_context()
        context = self.context
        await self._consult("how to build the project", consult_on_plan())
        steps = await self._ask(
            "write a plan", lambda: self.manager.plan(context.goal, context.architecture, context.details)
        )
        self.state.steps = steps
        self.state.current_step = 0
        self.state.status = ProjectStatus.RUNNING
        self.state.loop.phase = Phase.SENDING
        self._refresh_identity()
        self.report()
        outline = "; ".join(f"{i + 1}. {s.title}" for i, s in enumerate(steps))
        self.sink.log(LogLevel.AGENT_DECISION, f"Plan of {counted(len(steps), 'step')}: {outline}")

    async def _run_step(self) -> None:
        index = self.state.current_step
        step = self.state.step
        loop = self.state.loop
        resuming = step.status is StepStatus.RUNNING and loop.phase is Phase.MONITORING and bool(loop.last_task)
        step.status = StepStatus.RUNNING
        self.state.status = ProjectStatus.RUNNING
        if resuming:
            self.sink.log(LogLevel.INFO, f"Resuming step {index + 1}: {step.title}")
            if self._claude_fresh:  # the turn in progress died with the old Claude Code: give the task again
                self.sink.log(
                    LogLevel.INFO, "Claude Code was not running: resending the step's task to its resumed session"
                )
                await self._send(loop.last_task)
        else:
            loop.errors = []
            loop.alternative_tried = False
            self.sink.log(LogLevel.INFO, f"Step {index + 1} of {len(self.state.steps)}: {step.title}")
            self._sync_context()
            task = await self._ask("compose the task", lambda: self.manager.compose_task(self.state.steps, index))
            await self._send(self._with_reread_note(task))
        await self._monitor(step)

    async def _send(self, text: str, *, remember: bool = True) -> None:
        loop = self.state.loop
        if remember:
            loop.last_task = text
        loop.phase = Phase.MONITORING
        loop.submitted_at = time.monotonic()
        self.report()
        self.sink.log(LogLevel.ACTION, f"Sent to Claude Code: {shorten(text)}")
        try:
            await self.claude.submit(text)
        except ClaudeTrouble as error:  # once: restart it and send again; a second failure ends the loop
            await self._restart_claude(f"{error}: restarting Claude Code and sending again")
            await self.claude.submit(text)

    async def _restart_claude(self, why: str) -> None:
        self.sink.log(LogLevel.ERROR, why)
        await self.claude.kill()
        await self._start_claude(resume=bool(self.state.claude_session_id))

    # -- monitoring: one poll at a time, each observed state to its handler ----------------------------
    async def _monitor(self, step: PlanStep) -> None:
        watch = Watch(step)
        while True:
            await self._sleep(self.timing.poll_seconds)
            if await self._gate() and not self._same_step_after_plan_edit(watch):
                self.sink.log(
                    LogLevel.INFO, "The plan's edit changed the current step: interrupting Claude Code, moving on"
                )
                await self.claude.interrupt()
                return
            if self._replies:
                await self._deliver_replies()
                watch.message_sent()
                continue
            if not await self.claude.alive():
                await self._on_crash(watch)
                continue
            poll = await self._look(watch)
            if await self._handlers[poll.state](watch, poll):
                return

    def _same_step_after_plan_edit(self, watch: Watch) -> bool:
        """Whether the edited plan still has the watched step open at the current index (then watch that)."""
        steps, index = self.state.steps, self.state.current_step
        current = steps[index] if index < len(steps) else None
        if current is None or current.title != watch.step.title or current.status is StepStatus.DONE:
            return False
        watch.step = current  # the same step, perhaps with new details: keep watching it
        return True

    async def _look(self, watch: Watch) -> Poll:
        """Capture the screen and read it and the new hook events; note progress for the silence check."""
        screen = await self.claude.capture()
        seen = self.claude.observe(screen)
        hooks = frozenset(str(event.get("hook_event_name", "")) for event in self.claude.hook_events())
        watch.polls_since_submit += 1
        now = time.monotonic()
        if seen.fingerprint != watch.last_fingerprint:
            watch.last_fingerprint, watch.last_change = seen.fingerprint, now
            watch.silence_strikes = 0
        return Poll(screen, seen, hooks, now)

    async def _on_crash(self, watch: Watch) -> None:
        await self._restart_claude("Claude Code exited (crashed or quit): restarting it with its session")
        await self._send(self.state.loop.last_task, remember=False)
        watch.message_sent()
        watch.last_change = time.monotonic()

    async def _on_not_ready(self, watch: Watch, poll: Poll) -> bool:
        """Starting up or an unknown screen: wait (an exit shows at the next poll's liveness check)."""
        return False

    async def _on_compacting(self, watch: Watch, poll: Poll) -> bool:
        if not watch.compacted:
            self.sink.log(LogLevel.INFO, "Claude Code's context is full: it is compacting the conversation")
        watch.compacted = True
        return False

    async def _on_busy(self, watch: Watch, poll: Poll) -> bool:
        watch.seen_busy = True
        if poll.time - watch.last_change > self.timing.silence_seconds:
            watch.silence_strikes += 1
            await self._on_silence(watch.silence_strikes)
            watch.last_change = time.monotonic()
            watch.message_sent()
        return False

    async def _on_asking(self, watch: Watch, poll: Poll) -> bool:
        fingerprint, answered_at = watch.answered
        if fingerprint == poll.seen.fingerprint and poll.time - answered_at < ANSWERED_ECHO_SECONDS:
            return False  # the prompt we just answered, still on screen
        await self._answer(watch.step, poll.seen)
        watch.answered = (poll.seen.fingerprint, time.monotonic())
        return False

    async def _on_rate_limited(self, watch: Watch, poll: Poll) -> bool:
        seen = poll.seen
        if seen.retrying:  # Claude Code waits and retries by itself; only a final limit needs the user
            watch.seen_busy = True
            if not watch.rate_limit_noted:
                self.sink.log(LogLevel.ERROR, f"Claude Code is rate limited and retrying: {shorten(seen.error, 200)}")
                watch.rate_limit_noted = True
            return False
        provider = trouble.CLAUDE_PROVIDER
        reason = (
            f"stopped Claude Code with a rate-limit or billing message ({shorten(seen.error or seen.question, 200)})"
        )
        advice = f"Check your {provider_name(provider)} plan, limits and key, then press Retry."
        await self._wait_for_retry(*trouble.failed(provider, reason, advice))
        await self._send(self.state.loop.last_task, remember=False)  # the retry: the step's task once more
        watch.message_sent()
        return False

    async def _on_context_full(self, watch: Watch, poll: Poll) -> bool:
        self.sink.log(LogLevel.ERROR, "Claude Code's context is full and was not compacted: running /compact")
        await self.claude.submit("/compact")
        watch.compacted = True
        return False

    async def _on_turn_over(self, watch: Watch, poll: Poll) -> bool:
        """Idle or an API error: once the turn really ran, send the summary a compaction needs, or judge it."""
        finished = watch.seen_busy or "Stop" in poll.hooks or watch.polls_since_submit >= IDLE_POLLS_AFTER_SUBMIT
        if not finished:
            return False
        if watch.compacted:
            watch.compacted = False
            summary = await self._ask(
                "summarize the state", lambda: self.manager.summarize(self.state.steps, self.state.current_step)
            )
            self.sink.log(LogLevel.INFO, "Sending a summary of the project's state after the compaction")
            await self._send(summary, remember=False)
            watch.message_sent()
            return False
        if await self._evaluate(watch.step, poll.seen, poll.screen):
            return True
        watch.message_sent()
        return False

    # -- judging and reacting -------------------------------------------------------------------------
    async def _evaluate(self, step: PlanStep, seen: Observation, screen: str) -> bool:
        """True when the step is done; otherwise a fix or retry has been sent (or escalated)."""
        if seen.state is ClaudeState.API_ERROR:
            decision = Decision("retry", message=self.state.loop.last_task, reason=seen.error or "API error")
            self.sink.log(LogLevel.ERROR, f"Claude Code reported an error: {shorten(decision.reason, 300)}")
        else:
            evidence = await ws.evidence(self.workspace)
            decision = await self._ask("evaluate the step", lambda: self.manager.evaluate(step, screen, evidence))
        if decision.verdict == "complete":
            step.status = StepStatus.DONE
            self.state.current_step += 1
            self.state.loop.phase = Phase.SENDING
            self.state.loop.last_task = ""
            self._refresh_identity()
            self.report()
            self.sink.log(
                LogLevel.AGENT_DECISION, f"Step {self.state.current_step} is done: {shorten(decision.reason, 300)}"
            )
            return True
        await self._retry(step, decision)
        return False

    async def _retry(self, step: PlanStep, decision: Decision) -> None:
        loop = self.state.loop
        step.attempts += 1
        signature = error_signature(decision.reason or decision.message)
        loop.errors.append(signature)
        repeats = loop.errors.count(signature)
        self.report()
        if step.attempts == CONSULT_AFTER_FAILURES:
            await self._consult(
                f"step {self.state.current_step + 1} ({step.title})", consult_on_step(step, loop.errors)
            )
        if repeats < self.timing.max_attempts:
            self.sink.log(
                LogLevel.AGENT_DECISION,
                f"Not done yet ({decision.verdict}, attempt {step.attempts}): {shorten(decision.reason, 300)}",
            )
            await self._send(decision.message or loop.last_task, remember=decision.verdict == "retry")
            return
        if not loop.alternative_tried:
            loop.alternative_tried = True
            self.sink.log(
                LogLevel.AGENT_DECISION,
                f"The same problem came up {'once' if repeats == 1 else f'{repeats} times'} "
                f"({shorten(decision.reason, 200)}): "
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

    async def _answer(self, step: PlanStep, seen: Observation) -> None:
        answer = await self._ask("answer Claude Code", lambda: self.manager.answer(step, seen.question, seen.options))
        self.sink.log(
            LogLevel.AGENT_DECISION,
            f"Claude Code asked: {shorten(seen.question, 200)} -> answering {answer.keys!r} "
            f"({shorten(answer.reason, 200)})",
        )
        try:
            if answer.keys.isdigit() and seen.options:
                await self.claude.choose(int(answer.keys))
            else:
                await self.claude.submit(answer.keys)
        except ClaudeTrouble as error:  # the next poll sees the question again and answers again
            self.sink.log(LogLevel.ERROR, str(error))

    async def _on_silence(self, strikes: int) -> None:
        minutes = self.timing.silence_seconds / 60
        if strikes >= SILENCE_STRIKES_BEFORE_RESTART:
            await self._restart_claude(f"Claude Code is still silent after {strikes} checks: restarting it")
            await self._send(self.state.loop.last_task, remember=False)
            return
        self.sink.log(
            LogLevel.ERROR, f"No change on Claude Code's screen for {minutes:g} min: interrupting it and asking why"
        )
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
        self.state.status = ProjectStatus.PAUSED
        loop.phase = Phase.ESCALATED
        self._resumed = False
        self.report()
        self.sink.log(LogLevel.ERROR, f"Needs you: {message}")
        while not self._replies and not self._resumed and not self._stopping:
            await self._sleep(WAIT_FOR_COMMAND_SECONDS)
        if self._stopping:
            raise Stopped
        self._resumed = False
        self.state.escalation = ""
        self.state.status = ProjectStatus.RUNNING
        loop.phase = previous_phase if previous_phase is not Phase.ESCALATED else Phase.MONITORING
        loop.errors = []
        loop.alternative_tried = False
        self.report()
        if self._replies:
            await self._deliver_replies()
        else:
            self.sink.log(LogLevel.INFO, "Resumed by the user")

    async def _deliver_replies(self) -> None:
        replies, self._replies = self._replies, []
        text = "\n\n".join(replies)
        self.sink.log(LogLevel.INFO, f"The user answered: {shorten(text)}")
        await self._send(f"The project owner says:\n{text}\n\nContinue with the current task.", remember=False)


def consult_on_plan() -> str:
    """Before the plan. The goal, architecture and rules are in CLAUDE.md, which Claude Code reads by itself."""
    return (
        "The project's goal, architecture and rules are in .claude/CLAUDE.md. What are two or three ways to build "
        "it, the trade-offs of each, and which would you choose?"
    )


def consult_on_step(step: PlanStep, errors: Sequence[str]) -> str:
    problems = "\n".join(f"- {error}" for error in errors[-3:]) or "- (no details)"
    return (
        f"This step failed twice: {step.title}\nDetails: {step.details}\nDone when: {step.acceptance}\n"
        f"What went wrong:\n{problems}\n\nWhat are two or three other ways to get it done?"
    )
