"""The loop's ports, made from the real parts: Claude Code in tmux (claude/driver.py, claude/screen.py) and the
nanobot manager (manager/llm.py, one process per decision: manager/process.py), configured from the spec."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from autocode_runner.claude_home import access_env
from autocode_runner.coding.claude.consult import ConsultError, consult
from autocode_runner.coding.claude.driver import ClaudeError, ClaudeSession, seed_home
from autocode_runner.coding.claude.screen import activity_fingerprint, classify
from autocode_runner.coding.manager.process import ManagerProcess
from autocode_runner.coding.manager.tools import manager_tools
from autocode_runner.coding.ports import ClaudeTrouble, Observation
from autocode_runner.contract.specs import CodingSpec
from autocode_runner.tmux import SessionNotFound, Tmux

START_TIMEOUT = 60.0


def observe(screen: str) -> Observation:
    reading = classify(screen)
    question = "\n".join(part for part in (reading.title, reading.details, reading.question) if part)
    return Observation(
        state=reading.state,
        fingerprint=activity_fingerprint(screen),
        question=question,
        options=tuple(option.label for option in reading.options),
        error=reading.error or "",
        reply=reading.last_reply or "",
        retrying=reading.retry is not None,
    )


class ClaudeCode:
    """ClaudePort over a ClaudeSession; knows the project's session id and reports new ones."""

    def __init__(self, spec: CodingSpec) -> None:
        claude = spec.claude
        self.home = Path.home()
        self.workspace = Path(spec.workspace)
        self.session_id = spec.claude_session_id or str(uuid.uuid4())
        env = access_env(claude.access, claude.max_retries)
        name = spec.tmux_session
        self.session = ClaudeSession(
            Tmux(),
            name,
            self.workspace,
            self.session_id,
            hooks_file=self.home / ".autocode" / "run" / name / "hooks.jsonl",
            env=env,
            permission_mode=claude.permission_mode,
            model=claude.model or None,
        )

    async def start(self, *, resume: bool) -> None:
        """Start Claude Code; a resume of a session it does not know falls back to a new session."""
        seed_home(self.home, self.workspace)  # measured: trusting the parent directory did not cover it
        self.session.resume = resume
        try:
            await self.session.start(timeout=START_TIMEOUT)
            return
        except ClaudeError as error:
            if not resume:
                raise ClaudeTrouble(f"Claude Code did not start: {_first_line(error)}") from error
        await self.session.kill()
        self.session_id = str(uuid.uuid4())
        self.session.session_id = self.session_id
        self.session.resume = False
        try:
            await self.session.start(timeout=START_TIMEOUT)
        except ClaudeError as error:
            raise ClaudeTrouble(f"Claude Code did not start: {_first_line(error)}") from error

    async def alive(self) -> bool:
        return await self.session.alive()

    async def capture(self) -> str:
        """The screen; empty when the session is gone (Claude Code exited since the liveness check): an empty
        screen reads as not ready, and the next poll's liveness check takes the crash path."""
        try:
            return await self.session.capture()
        except SessionNotFound:
            return ""

    async def submit(self, text: str) -> None:
        try:
            await self.session.submit(text)
        except ClaudeError as error:
            raise ClaudeTrouble(f"Claude Code did not take the message: {_first_line(error)}") from error

    async def choose(self, number: int) -> None:
        try:
            await self.session.choose(number)
        except ClaudeError as error:
            raise ClaudeTrouble(f"Claude Code did not take answer {number}: {_first_line(error)}") from error

    async def interrupt(self) -> None:
        """Escape stops the turn; it may put the prompt back in the input line, which C-u clears (measured)."""
        await self.session.interrupt()
        await asyncio.sleep(0.3)
        await self.session.press("C-u")

    async def kill(self) -> None:
        await self.session.kill()

    def hook_events(self) -> list[dict[str, Any]]:
        return [{**event.data, "hook_event_name": event.name} for event in self.session.hook_events()]

    def observe(self, screen: str) -> Observation:
        return observe(screen)

    async def consult(self, question: str) -> str:
        """A side conversation: its own `claude -p` session in the workspace, never the tmux session."""
        try:
            return await consult(self.workspace, question, self.session.env, self.session.model)
        except ConsultError as error:
            raise ClaudeTrouble(str(error)) from error


def _first_line(error: Exception) -> str:
    """The driver's messages end with the whole screen; the log needs only what went wrong."""
    return str(error).split(":\n", 1)[0].splitlines()[0] if str(error) else type(error).__name__


def claude_for(spec: CodingSpec) -> ClaudeCode:
    return ClaudeCode(spec)


def manager_for(spec: CodingSpec, workspace: Path) -> ManagerProcess:
    """The manager, deciding in a short-lived process per call so the monitoring instance stays small."""
    workspace.mkdir(parents=True, exist_ok=True)
    return ManagerProcess(
        workspace,
        model=spec.agent.model,
        api_key=spec.manager.api_key,
        base_url=spec.manager.base_url or None,
        tools=manager_tools(spec.agent.tools),
    )
