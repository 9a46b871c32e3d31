"""One research's Claude Code: a long-lived `claude -p` speaking stream-json on its pipes, in the research's
workspace, started on the first message and kept for the next ones (a ChatBackend for autocode_runner.chat).

Sessions: a new research gets `--session-id <uuid4>`, a known one `--resume=<id>` (with `=`: an id starting
with a dash would read as a flag) when its transcript exists. When it does not (cleaned up, deleted), a new
session starts and its first message carries the stored conversation as context; the chat is told so. Every
session id Claude Code reports (init, result) goes out as a `state` line, since a resume can switch it.

Flags checked against the pinned CLI (2.1.330): `--system-prompt` replaces Claude Code's coding-agent prompt
(what the model sees is one SDK line and ours), so a research knows only its own prompt and conversation;
`--tools` offers only the allow-list's tools and `--allowedTools` lets them run unasked; `--permission-mode
dontAsk` denies anything else instead of asking (reported in the result's `permission_denials`); an interrupt
is the control request `{"type": "control_request", "request_id", "request": {"subtype": "interrupt"}}`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.claude_home import access_env, seed_claude_home, transcript_path
from autocode_runner.contract.chat import (
    MAX_IMAGE_BYTES,
    MODEL_IMAGE_TYPES,
    ChatAttachment,
    ChatMessageCommand,
    ChatTurn,
)
from autocode_runner.contract.specs import ResearchSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import MAX_LINE_BYTES
from autocode_runner.fs import HomeFS
from autocode_runner.instance_io import EventSink
from autocode_runner.protocol import RunnerError
from autocode_runner.research.mapping import ReplyMapper

log = logging.getLogger(__name__)

CLAUDE = "claude"
CLOSE_SECONDS = 5.0
FRESH_NOTICE = (
    "This research's earlier Claude Code session could not be found, so it continues in a new one that was given "
    "the conversation so far."
)
EXITED_ERROR = "Claude Code stopped unexpectedly (exit code {code}). Send the message again to retry."


def model_name(model: str) -> str:
    return model.removeprefix("anthropic/")


def tool_names(allowed: list[str]) -> list[str]:
    """The tools to offer: the allow-list's names without their rules ("Write(./**)" offers Write)."""
    names: list[str] = []
    for rule in allowed:
        name = rule.split("(", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def claude_command(spec: ResearchSpec, session_id: str, *, resume: bool) -> list[str]:
    args = [CLAUDE, "-p", "--output-format", "stream-json", "--input-format", "stream-json"]
    args += ["--include-partial-messages", "--verbose", "--model", model_name(spec.model)]
    args += ["--system-prompt", spec.system_prompt, "--permission-mode", "dontAsk"]
    args += ["--tools", ",".join(tool_names(spec.allowed_tools)), "--allowedTools", *spec.allowed_tools]
    args += [f"--resume={session_id}"] if resume else ["--session-id", session_id]
    return args


def claude_env(spec: ResearchSpec) -> dict[str, str]:
    """The process's environment with the user's key in place of any inherited ANTHROPIC_* setting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    return env | access_env(spec.access, spec.max_retries)


def context_text(history: list[ChatTurn]) -> str:
    """The stored conversation, for a new session whose old one is gone."""
    lines = [f"{'User' if turn.role == 'user' else 'Assistant'}: {turn.text}" for turn in history]
    return (
        "This conversation continues an earlier one whose session could not be resumed. The conversation so far:\n"
        "<earlier_conversation>\n" + "\n\n".join(lines) + "\n</earlier_conversation>\n\nThe new message:\n\n"
    )


def user_line(text: str, attachments: list[ChatAttachment]) -> dict[str, Any]:
    """One user message on stdin: images inline as base64 image blocks, other files named by their path."""
    blocks: list[dict[str, Any]] = [
        {"type": "image", "source": {"type": "base64", "media_type": item.media_type, "data": item.image_base64}}
        for item in attachments
        if item.image_base64
    ]
    files = [item.path for item in attachments if not item.image_base64]
    if files:
        text += "\n\nAttached files, saved in the workspace: " + ", ".join(files)
    blocks.append({"type": "text", "text": text})
    return {"type": "user", "message": {"role": "user", "content": blocks}}


def with_images(attachments: list[ChatAttachment], home: Path, workspace: Path) -> list[ChatAttachment]:
    """The attachments with every picture inline. A message sent again (after a crash or a control-plane
    restart) carries pictures by path only, since their inline copy is never stored: read each back from the
    workspace, never through a link. One that cannot be read (gone, replaced by a link, too large) stays a path."""
    files = HomeFS(str(home))
    inlined: list[ChatAttachment] = []
    for item in attachments:
        if item.image_base64 or item.media_type not in MODEL_IMAGE_TYPES:
            inlined.append(item)
            continue
        try:
            data = files.read_bytes(str(workspace / item.path), MAX_IMAGE_BYTES)
        except RunnerError as error:
            log.warning("the picture %s could not be read back: %s", item.path, error.message)
            inlined.append(item)
            continue
        inlined.append(dataclasses.replace(item, image_base64=base64.b64encode(data).decode("ascii")))
    return inlined


class ClaudePrintBackend:
    def __init__(self, spec: ResearchSpec, sink: EventSink, home: Path | None = None) -> None:
        self.spec = spec
        self.sink = sink
        self.home = home or Path.home()
        self.workspace = Path(spec.workspace)
        self.session_id = spec.session_id
        self.history = list(spec.history)
        self._process: asyncio.subprocess.Process | None = None
        self._lines: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._reading: asyncio.Task[None] | None = None
        self._needs_context = False
        self._interrupted = False

    # -- sessions -------------------------------------------------------------------------------------
    def _report_session(self, session_id: str) -> None:
        self.session_id = session_id
        self.sink.state({"session_id": session_id})

    def _transcript_exists(self) -> bool:
        return bool(self.session_id) and transcript_path(self.home, self.workspace, self.session_id).is_file()

    async def _ensure_process(self, events: TurnEvents) -> None:
        alive = self._process is not None and self._process.returncode is None
        if alive and self._reading is not None and not self._reading.done():
            return
        await self._end_process()  # gone (killed, crashed): reap it before the next one starts
        self.workspace.mkdir(parents=True, exist_ok=True)
        seed_claude_home(self.home, self.workspace)
        resume = self._transcript_exists()
        if not resume:
            if self.session_id:
                events.notice(FRESH_NOTICE)
                self.sink.log(LogLevel.INFO, f"The transcript of session {self.session_id} is gone: a new session")
            self._needs_context = bool(self.history)
            self._report_session(str(uuid.uuid4()))
        command = claude_command(self.spec, self.session_id, resume=resume)
        self._process = await asyncio.create_subprocess_exec(
            *command,
            cwd=self.workspace,
            env=claude_env(self.spec),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=MAX_LINE_BYTES,
        )
        self._lines = asyncio.Queue()
        self._reading = asyncio.create_task(self._read(self._process))
        how = f"resuming session {self.session_id}" if resume else f"new session {self.session_id}"
        self.sink.log(LogLevel.ACTION, f"Started Claude Code (pid {self._process.pid}, {how}) in {self.workspace}")

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        if process.stdout is None:
            return
        while line := await process.stdout.readline():
            try:
                item = json.loads(line)
            except ValueError:
                log.warning("Claude Code wrote a line that is not JSON: %r", line[:200])
                continue
            if isinstance(item, dict):
                await self._lines.put(item)
        await self._lines.put(None)

    async def _write(self, item: dict[str, Any]) -> None:
        process = self._process
        if process is None or process.stdin is None:
            return
        process.stdin.write((json.dumps(item, ensure_ascii=False) + "\n").encode())
        with contextlib.suppress(ConnectionError):
            await process.stdin.drain()

    # -- ChatBackend ----------------------------------------------------------------------------------
    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        self._interrupted = False
        self.sink.state({"session_id": self.session_id, "answering": True})
        try:
            # A second time only when a resume found its session gone, or when the process had died between
            # turns (killed, out of memory) and did not read the message: it is resumed and sent it again.
            for _attempt in range(2):
                mapper = await self._send(message, events, last_try=_attempt == 1)
                if mapper.outcome.lost_session:
                    await self._end_process()
                    self.sink.log(LogLevel.INFO, f"Claude Code found no session {self.session_id}: a new session")
                    self.session_id = ""
                elif not mapper.outcome.gone_before_reading:
                    break
            self.history.append(ChatTurn("user", message.text))
            if mapper.outcome.reply:
                self.history.append(ChatTurn("assistant", mapper.outcome.reply))
        finally:
            self.sink.state({"session_id": self.session_id, "answering": False})

    async def _send(self, message: ChatMessageCommand, events: TurnEvents, *, last_try: bool) -> ReplyMapper:
        await self._ensure_process(events)
        text = message.text
        if self._needs_context:
            earlier = self.history
            if earlier and earlier[-1].role == "user" and earlier[-1].text == message.text:
                earlier = earlier[:-1]  # the control plane stored this message before sending it
            text = context_text(earlier) + text
        mapper = ReplyMapper(events, self.workspace, self._report_session, lambda: self._interrupted)
        attachments = await asyncio.to_thread(with_images, message.attachments, self.home, self.workspace)
        await self._write(user_line(text, attachments))
        while not mapper.outcome.finished:
            item = await self._lines.get()
            if item is None:
                code = self._process.returncode if self._process else None
                await self._end_process()
                if not mapper.seen_output and not last_try:
                    mapper.outcome.gone_before_reading = True
                elif not self._interrupted and not mapper.outcome.lost_session:
                    events.error(EXITED_ERROR.format(code=code), retryable=True)
                return mapper
            mapper.feed(item)
        self._needs_context = False
        return mapper

    async def interrupt(self) -> None:
        self._interrupted = True
        request = {"type": "control_request", "request_id": f"interrupt-{uuid.uuid4().hex[:12]}"}
        await self._write({**request, "request": {"subtype": "interrupt"}})

    async def close(self) -> None:
        await self._end_process()

    async def _end_process(self) -> None:
        """Close its stdin (Claude Code then exits by itself, its transcript written), then insist."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), CLOSE_SECONDS)
        except TimeoutError:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), CLOSE_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
