"""Drive the real Claude Code in a tmux session: seed its home, start or resume it, type, read, stop.

The manager loop calls this library; it decides what to type, this module makes typing reliable. Facts it
relies on were measured on Claude Code 2.1.330 (see /work/shared/notes/claude-code.md and the fixtures):

- A fresh home blocks on onboarding and trust dialogs unless `~/.claude.json` and `~/.claude/settings.json`
  are seeded (`seed_home`, on top of the shared `autocode_runner.claude_home`).
- `claude` runs as the tmux session's own command (`exec`), so the session lives exactly as long as Claude
  Code does: `alive()` is "the session exists and its pane is not dead".
- Text and Enter go in separate `send-keys` calls 0.15 s apart, or the paste detector swallows the Enter;
  multi-line text goes through a bracketed paste, or every line is submitted on its own. Text typed before
  the prompt is ready keeps its text but loses the Enter, so `submit` checks that the text left the input
  line (or a UserPromptSubmit hook arrived) and presses Enter again if not.
- Hooks (`autocode-runner hook`) append every hook event as a JSON line to the session's hooks file;
  `hook_events()` returns the new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autocode_runner.claude_home import ClaudeError as ClaudeError  # re-exported: the coding agent catches it here
from autocode_runner.claude_home import seed_claude_home, settings_path, write_json
from autocode_runner.claude_home import transcript_path as transcript_path
from autocode_runner.coding.claude.screen import ClaudeState, ScreenReading, classify
from autocode_runner.contract.specs import ClaudeOptions
from autocode_runner.hooks import HOOKS_FILE_VARIABLE
from autocode_runner.tmux import SessionNotFound, Tmux

# By absolute path: hooks run through /bin/sh with Claude Code's environment, and a login shell (a tmux
# session without a command) resets PATH to Debian's default, which lacks the runner's venv (measured).
HOOK_COMMAND = shlex.quote(str(Path(sys.prefix) / "bin" / "autocode-runner")) + " hook"
# Events the loop can use; all exist in 2.1.330's list of hook events. StopFailure ends a turn that an API
# error ended (Stop does not fire then).
HOOK_EVENTS = (
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PermissionRequest",
    "Notification",
    "PreCompact",
    "Stop",
    "StopFailure",
    "SessionEnd",
)
ENTER_DELAY = 0.15  # between the text and its Enter (the paste detector needs a gap)
POLL_INTERVAL = 0.2
PERMISSION_FLAGS = {"bypassPermissions", "acceptEdits", "default", "plan", "manual", "dontAsk"}


KILL_GRACE = 3.0  # seconds Claude Code gets to leave after its session closes, and again after SIGTERM


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process took the number: not ours to end
        return False
    return True


async def end_process_group(group: int, grace: float = KILL_GRACE) -> None:
    """Wait for the process group led by `group` (a tmux pane's process) to end; insist with SIGTERM, then
    SIGKILL."""
    for signum in (None, signal.SIGTERM, signal.SIGKILL):
        if signum is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signum)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _group_alive(group):
                return
            await asyncio.sleep(POLL_INTERVAL)


@dataclass(frozen=True)
class HookEvent:
    name: str  # hook_event_name: "Stop", "UserPromptSubmit", "Notification", ...
    time: float  # unix seconds when `autocode-runner hook` wrote it
    data: dict[str, Any]  # the JSON Claude Code gave the hook (session_id, transcript_path, prompt, ...)


def seed_home(home: Path, trusted_dir: Path) -> None:
    """Seed Claude Code's home (`claude_home.seed_claude_home`: onboarding, trust, transcripts kept) and make it
    report hook events: one hook entry per event in HOOK_EVENTS running HOOK_COMMAND, added only when that
    command is not there already (the user's own hooks stay). Idempotent.
    """
    settings = seed_claude_home(home, trusted_dir)
    hooks = settings.setdefault("hooks", {})
    for event in HOOK_EVENTS:
        entries = hooks.setdefault(event, [])
        commands = [hook.get("command") for entry in entries for hook in entry.get("hooks", [])]
        if HOOK_COMMAND not in commands:
            entries.append({"matcher": "*", "hooks": [{"type": "command", "command": HOOK_COMMAND, "timeout": 10}]})
    write_json(settings_path(home), settings)


class ClaudeSession:
    """One Claude Code process in the tmux session `name`, working in `workdir`.

    The object holds no process state besides the read position in the hooks file, so a new object with
    the same arguments takes over a running session (after a runner restart, say).
    """

    def __init__(
        self,
        tmux: Tmux,
        name: str,
        workdir: Path,
        session_id: str,
        *,
        hooks_file: Path,
        resume: bool = False,
        env: dict[str, str] | None = None,
        permission_mode: str = ClaudeOptions.permission_mode,
        model: str | None = None,
        width: int = 200,
        height: int = 50,
        claude: str = "claude",
    ) -> None:
        if permission_mode not in PERMISSION_FLAGS:
            raise ValueError(f"unknown permission mode {permission_mode!r}")
        self.tmux = tmux
        self.name = name
        self.workdir = Path(workdir)
        self.session_id = session_id
        self.hooks_file = Path(hooks_file)
        self.resume = resume
        self.env = dict(env or {})
        self.permission_mode = permission_mode
        self.model = model
        self.width = width
        self.height = height
        self.claude = claude
        self._hooks_offset = 0

    def command(self) -> str:
        """The shell command tmux runs; `exec` makes Claude Code the pane's own process."""
        args = [self.claude, "--permission-mode", self.permission_mode]
        args += ["--resume", self.session_id] if self.resume else ["--session-id", self.session_id]
        if self.model:
            args += ["--model", self.model]
        return "exec " + shlex.join(args)

    async def start(self, timeout: float = 30) -> ScreenReading:
        """Start Claude Code and wait until its idle prompt shows; raises ClaudeError at the deadline or
        when it exits (a `--resume` of an unknown session id exits at once)."""
        env = {**self.env, HOOKS_FILE_VARIABLE: str(self.hooks_file)}
        await asyncio.to_thread(self.hooks_file.parent.mkdir, parents=True, exist_ok=True)
        await self.tmux.new(
            self.name, command=self.command(), cwd=str(self.workdir), env=env, width=self.width, height=self.height
        )
        return await self.wait_for(lambda reading: reading.state is ClaudeState.IDLE, timeout, "the idle prompt")

    async def alive(self) -> bool:
        try:
            return (await self.tmux.display(self.name, "#{pane_dead}")).strip() == "0"
        except SessionNotFound:
            return False

    async def capture(self) -> str:
        return await self.tmux.capture(self.name, lines=0, escapes=False)

    async def read(self) -> ScreenReading:
        return classify(await self.capture())

    async def wait_for(
        self, condition: Callable[[ScreenReading], bool], timeout: float, what: str = "the screen"
    ) -> ScreenReading:
        """Poll the screen until `condition(reading)`; ClaudeError (with the screen) at the deadline or exit."""
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            if not await self.alive():
                raise ClaudeError(f"Claude Code exited while waiting for {what}; last screen:\n{screen}")
            screen = await self.capture()
            reading = classify(screen)
            if condition(reading):
                return reading
            if time.monotonic() > deadline:
                raise ClaudeError(f"no {what} after {timeout}s ({reading.state}); screen:\n{screen}")
            await asyncio.sleep(POLL_INTERVAL)

    async def submit(self, text: str, *, attempts: int = 3, confirm_timeout: float = 2.0) -> None:
        """Type `text` as one message and press Enter; confirm it was taken, pressing Enter again if not.

        Taken means: a UserPromptSubmit hook event arrived, or the input line no longer holds the text
        (Claude Code cleared it, or a dialog or a busy turn replaced it). Multi-line text is pasted
        bracketed, so its newlines do not submit. Raises ClaudeError when no Enter was taken.
        """
        if not text.strip():
            raise ValueError("nothing to submit")
        if "\n" in text:
            await self.tmux.paste(self.name, text, bracketed=True)
        else:
            await self.tmux.send_keys(self.name, text, literal=True, enter=False)
        hooks_before = self._hooks_size()
        probe = text.strip().splitlines()[0][:40]
        for _ in range(attempts):
            await asyncio.sleep(ENTER_DELAY)
            await self.tmux.send_keys(self.name, "Enter", literal=False, enter=False)
            deadline = time.monotonic() + confirm_timeout
            while time.monotonic() < deadline:
                await asyncio.sleep(POLL_INTERVAL)
                if self._prompt_hook_since(hooks_before):
                    return
                reading = classify(await self.capture())
                waiting = reading.input_text or ""
                if reading.state is not ClaudeState.UNKNOWN and probe not in waiting and "[Pasted text" not in waiting:
                    return
        raise ClaudeError(f"Claude Code did not take the prompt after {attempts} Enters:\n{await self.capture()}")

    async def choose(self, number: int, *, attempts: int = 5, confirm_timeout: float = 2.0) -> ScreenReading:
        """Answer the permission prompt or question on screen with its option `number` (a digit selects at
        once). A key pressed the moment a dialog is drawn can be lost (measured), so the digit is pressed
        again until the dialog is gone or shows another question. Returns the reading after it."""
        before = await self.read()
        if before.state not in (ClaudeState.PERMISSION, ClaudeState.QUESTION):
            raise ClaudeError(f"no dialog to answer ({before.state}):\n{await self.capture()}")
        if not any(option.number == number for option in before.options):
            raise ValueError(f"the dialog has no option {number}: {[o.number for o in before.options]}")

        def answered(reading: ScreenReading) -> bool:
            return reading.state is not before.state or reading.question != before.question

        for _ in range(attempts):
            await self.press(str(number))
            try:
                return await self.wait_for(answered, confirm_timeout, "the dialog to close")
            except ClaudeError:
                if not await self.alive():
                    raise
        raise ClaudeError(f"the dialog did not take option {number}:\n{await self.capture()}")

    async def press(self, *keys: str) -> None:
        """Press keys by tmux name: "1", "Escape", "C-c", "Up", "Down", "Enter", "Tab", "BTab" (shift+tab)."""
        for key in keys:
            await self.tmux.send_keys(self.name, key, literal=False, enter=False)

    async def interrupt(self) -> None:
        """Stop the running turn (Escape, as a person would). Claude Code may put the prompt back into the
        input line; C-u clears it before the next submit if that matters."""
        await self.press("Escape")

    async def kill(self) -> None:
        """End the tmux session and Claude Code with it; nothing happens when it is already gone.

        Closing the session only hangs up on Claude Code, which may take its time (or never go) while a request
        hangs: what is left of its process group after KILL_GRACE seconds is terminated, then killed."""
        try:
            leader = int((await self.tmux.display(self.name, "#{pane_pid}")).strip() or 0)
        except (SessionNotFound, ValueError):
            leader = 0
        with contextlib.suppress(SessionNotFound):
            await self.tmux.kill(self.name)
        if leader > 0:
            await end_process_group(leader)

    def hook_events(self) -> list[HookEvent]:
        """Hook events written since the last call (complete lines only; a half-written line waits)."""
        try:
            with self.hooks_file.open("rb") as file:
                file.seek(self._hooks_offset)
                data = file.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._hooks_offset += len(complete)
        events = []
        for line in complete.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            event = entry.get("event") if isinstance(entry.get("event"), dict) else {}
            events.append(HookEvent(str(event.get("hook_event_name", "")), float(entry.get("time", 0)), event))
        return events

    def transcript(self, home: Path) -> Path:
        return transcript_path(home, self.workdir, self.session_id)

    def _hooks_size(self) -> int:
        try:
            return self.hooks_file.stat().st_size
        except FileNotFoundError:
            return 0

    def _prompt_hook_since(self, offset: int) -> bool:
        try:
            with self.hooks_file.open("rb") as file:
                file.seek(offset)
                return b'"UserPromptSubmit"' in file.read()
        except FileNotFoundError:
            return False
