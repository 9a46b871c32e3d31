"""The client side of the runner control protocol (docs/runner-protocol.md) over an exec stream.

One long-lived `autocode-runner attach` exec per sandbox carries newline-delimited JSON: requests get
replies matched by id (several may be in flight), and events are handed to subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from autocode_runner.contract.wire import PROTOCOL_VERSION, ErrorCode, Method

from controlplane import __version__
from controlplane.sandbox.backend import ExecStream

DEFAULT_TIMEOUT = 30.0
log = logging.getLogger(__name__)

EventHandler = Callable[[str, dict[str, Any]], None]


class RunnerError(Exception):
    """A typed error reply from the runner; `code` is an ErrorCode (an unknown one reads as INTERNAL)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ChannelClosed(Exception):
    """The exec ended: the runner or the container went away."""


class RunnerChannel:
    def __init__(self, stream: ExecStream) -> None:
        self._stream = stream
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._handlers: list[EventHandler] = []
        self._buffer = bytearray()
        self._closed = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._reader = asyncio.create_task(self._read_loop(), name="runner-channel-reader")

    @classmethod
    async def open(cls, stream: ExecStream, timeout: float = DEFAULT_TIMEOUT) -> RunnerChannel:
        """Attach and exchange hello; a protocol mismatch raises RunnerError(ErrorCode.PROTOCOL_MISMATCH)."""
        channel = cls(stream)
        try:
            await channel.call(
                Method.HELLO,
                {"protocol": PROTOCOL_VERSION, "client": f"autocode-controlplane {__version__}"},
                timeout,
            )
        except BaseException:
            await channel.close()
            raise
        return channel

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def on_event(self, handler: EventHandler) -> Callable[[], None]:
        """Subscribe to runner events; returns the unsubscribe function."""
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler) if handler in self._handlers else None

    async def call(self, method: Method, params: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT) -> Any:
        if self.closed:
            raise ChannelClosed("the runner channel is closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        line = json.dumps({"id": request_id, "method": method, "params": params or {}}) + "\n"
        try:
            async with self._write_lock:
                await self._stream.write(line.encode())
            return await asyncio.wait_for(future, timeout)
        except (ConnectionError, OSError) as exc:
            raise ChannelClosed(f"the runner channel broke: {exc}") from exc
        finally:
            self._pending.pop(request_id, None)

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader
        await self._stream.close()
        self._finish()

    # -- internals ----------------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        try:
            while True:
                stream_id, data = await self._stream.read()
                if not data:
                    break
                if stream_id == 2:
                    if text := data.decode(errors="replace").rstrip():  # print's newline may come in a frame alone
                        log.warning("runner attach stderr: %s", text)
                    continue
                self._buffer.extend(data)
                while (newline := self._buffer.find(b"\n")) >= 0:
                    line = bytes(self._buffer[:newline])
                    del self._buffer[: newline + 1]
                    self._dispatch(line)
        finally:
            self._finish()

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("runner sent a line that is not JSON: %r", line[:200])
            return
        if not isinstance(message, dict):
            return
        if "event" in message:
            for handler in list(self._handlers):
                try:
                    handler(message["event"], message.get("data") or {})
                except Exception:
                    log.exception("runner event handler failed")
            return
        request_id = message.get("id")
        future = self._pending.get(request_id) if isinstance(request_id, int) else None
        if future is None or future.done():
            if message.get("error"):
                log.warning("runner error without a pending request: %s", message["error"])
            return
        if "error" in message:
            error = message["error"] or {}
            future.set_exception(RunnerError(_error_code(error.get("code")), str(error.get("message", ""))))
        else:
            future.set_result(message.get("result"))

    def _finish(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ChannelClosed("the runner channel closed"))


def _error_code(value: object) -> ErrorCode:
    try:
        return ErrorCode(str(value))
    except ValueError:
        return ErrorCode.INTERNAL
