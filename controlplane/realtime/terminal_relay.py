"""Relays one browser terminal to a tmux session in the user's sandbox through a TTY exec.

Each viewer gets its own `tmux attach` (so several can watch one session, and a reconnecting viewer is
redrawn at once by tmux). Flow control: output is read from the exec only as fast as the WebSocket
accepts it (uvicorn's send waits while its write buffer is over its high-water mark), so a slow viewer
pauses its own exec and never grows the control plane's memory; tmux keeps the session's screen. When the
browser goes away the attach client is detached; the tmux session and its programs keep running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from autocode_runner.contract.wire import MAX_TERMINAL_SIZE, Method
from starlette.websockets import WebSocket, WebSocketDisconnect

from controlplane.realtime.protocol import (
    CLOSE_NORMAL,
    CLOSE_NOT_FOUND,
    CLOSE_UNAVAILABLE,
    TERMINAL_CLIENT_MESSAGES,
    TerminalClientMessage,
    TerminalServerMessage,
)
from controlplane.sandbox.backend import ExecStream, SandboxError, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerError
from controlplane.sandbox.manager import SandboxManager

log = logging.getLogger(__name__)
# Print the pid (so the client can be detached later), wait until the relay has read it, then become the tmux
# client. The wait matters: tmux flushes its terminal's unread output when it starts (tcflush), and on a busy machine
# the pid could still be unread in the TTY then, leaving a client nobody could detach.
ATTACH_SCRIPT = 'echo "$$"; read -r _; exec tmux attach-session -t "=$0"'
TERMINAL_ENV = {"TERM": "xterm-256color", "LANG": "C.UTF-8"}
PID_LINE_LIMIT = 64


async def _error(websocket: WebSocket, message: str) -> None:
    await websocket.send_text(json.dumps({"type": TerminalServerMessage.ERROR, "message": message}))


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TERMINAL_SIZE else None


async def _read_pid(stream: ExecStream) -> tuple[int | None, bytes]:
    """The first line the attach script prints is its pid; anything after it is terminal output."""
    buffered = b""
    while b"\n" not in buffered and len(buffered) < PID_LINE_LIMIT:
        _, data = await stream.read()
        if not data:
            break
        buffered += data
    line, _, rest = buffered.partition(b"\n")
    try:
        return int(line.strip()), rest
    except ValueError:
        return None, buffered


class TerminalRelay:
    def __init__(self, websocket: WebSocket, manager: SandboxManager, user: SandboxUser, session: str) -> None:
        self.websocket = websocket
        self.manager = manager
        self.user = user
        self.session = session

    async def _open_session(self, create: bool) -> bool:
        listing = await self.manager.call(self.user, Method.TMUX_LIST)
        if self.session in {entry["name"] for entry in listing["sessions"]}:
            return True
        if not create:
            return False
        with contextlib.suppress(RunnerError):  # "exists": another viewer created it a moment ago
            await self.manager.call(self.user, Method.TMUX_NEW, {"name": self.session})
        return True

    async def run(self, *, create: bool, cols: int | None, rows: int | None) -> None:
        websocket = self.websocket
        with self.manager.viewing(self.user):
            try:
                if not await self._open_session(create):
                    await websocket.close(CLOSE_NOT_FOUND, f"no terminal session named {self.session}")
                    return
                stream = await self.manager.backend.exec_stream(
                    self.user, ["sh", "-c", ATTACH_SCRIPT, self.session], tty=True, env=TERMINAL_ENV
                )
            except (SandboxError, ChannelClosed, RunnerError) as exc:
                await websocket.close(CLOSE_UNAVAILABLE, f"the sandbox is unavailable: {exc}"[:120])
                return
            pid: int | None = None
            try:  # cancelled at any await here (the viewer's sign-in ended), the exec is still closed
                if cols and rows:
                    await stream.resize(cols, rows)
                pid, early = await _read_pid(stream)
                await stream.write(b"\n")  # go on: the script's `read`
                await self._pump(stream, early)
            finally:
                await stream.close()
                if pid is not None:
                    await self._detach(pid)

    async def _detach(self, pid: int) -> None:
        """A left-over attach client would keep rendering and pin the window size: detach it. Only over an open
        channel: when the sandbox stopped (which is what ended this viewer), there is nothing left to detach."""
        try:
            await self.manager.call_if_open(self.user, Method.TMUX_DETACH_CLIENT, {"pid": pid})
        except (SandboxError, ChannelClosed, RunnerError) as exc:
            log.warning("could not detach terminal client %s in %s's sandbox: %s", pid, self.user.username, exc)

    async def _pump(self, stream: ExecStream, early: bytes) -> None:
        output = asyncio.create_task(self._pump_output(stream, early))
        inputs = asyncio.create_task(self._pump_input(stream))
        try:
            done, pending = await asyncio.wait({output, inputs}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the viewer's sign-in ended (open_sockets.py): both pumps stop, then run()
            output.cancel()  # closes the exec and detaches its tmux client
            inputs.cancel()
            raise
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if output in done and not output.cancelled() and output.exception() is None:
            with contextlib.suppress(Exception):  # the session ended or detached: say so and close
                await self.websocket.send_text(
                    json.dumps({"type": TerminalServerMessage.EXIT, "reason": "the session ended"})
                )
                await self.websocket.close(CLOSE_NORMAL)

    async def _pump_output(self, stream: ExecStream, early: bytes) -> None:
        if early:
            await self.websocket.send_bytes(early)
        while True:
            _, data = await stream.read()
            if not data:
                return
            await self.websocket.send_bytes(data)

    async def _pump_input(self, stream: ExecStream) -> None:
        websocket = self.websocket
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    await _error(websocket, "send JSON text frames: input, resize or ping")
                    continue
                await self._handle(stream, text)
        except WebSocketDisconnect:
            return

    async def _handle(self, stream: ExecStream, text: str) -> None:
        websocket = self.websocket
        try:
            message = json.loads(text)
        except ValueError:
            await _error(websocket, "not JSON")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if not isinstance(kind, str) or kind not in TERMINAL_CLIENT_MESSAGES:
            expected = sorted(map(str, TERMINAL_CLIENT_MESSAGES))
            await _error(websocket, f"unknown message type {kind!r}; expected one of {expected}")
        elif kind == TerminalClientMessage.INPUT:
            data = message.get("data")
            if not isinstance(data, str):
                await _error(websocket, "input needs 'data' as a string")
                return
            await stream.write(data.encode())
        elif kind == TerminalClientMessage.RESIZE:
            cols, rows = _size(message.get("cols")), _size(message.get("rows"))
            if cols is None or rows is None:
                await _error(websocket, f"resize needs integer 'cols' and 'rows' from 1 to {MAX_TERMINAL_SIZE}")
                return
            await stream.resize(cols, rows)
        else:
            await websocket.send_text(json.dumps({"type": TerminalServerMessage.PONG}))
