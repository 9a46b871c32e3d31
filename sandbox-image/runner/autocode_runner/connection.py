"""One client connection: the hello gate, concurrent dispatch, and one ordered outgoing queue.

Requests run concurrently (replies may come in any order, as the protocol allows), so a slow `fs.read`
does not hold up a `ping`. All output, replies and events alike, goes through one queue and one writer
task, so lines never interleave. A client that stops reading while events pile up is disconnected
rather than allowed to grow the runner's memory without bound.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from autocode_runner.contract.wire import MAX_LINE_BYTES, PROTOCOL_VERSION, ErrorCode, Method
from autocode_runner.lines import LineReader
from autocode_runner.methods import Handler
from autocode_runner.params import Params
from autocode_runner.protocol import (
    RejectedLine,
    Request,
    RequestId,
    RunnerError,
    encode,
    error_reply,
    parse_request,
    result_reply,
)
from autocode_runner.versions import Versions

log = logging.getLogger(__name__)
OUTGOING_LIMIT = 1024  # queued lines; past it an event disconnects the client that does not read
LINE_TOO_LONG_MESSAGE = f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB"


def one_line(error: BaseException) -> str:
    """An unexpected error as one short line for the client; the traceback goes to the log."""
    text = " ".join(str(error).split()) or "no details"
    return f"{type(error).__name__}: {text}"[:300]


class Connection:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        methods: dict[str, Handler],
        versions: Versions,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._methods = methods
        self._versions = versions
        self._outgoing: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=OUTGOING_LIMIT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False  # stop reading: protocol mismatch
        self._broken = False  # the client is gone or too slow: stop writing
        self.greeted = False

    async def serve(self) -> None:
        writing = asyncio.create_task(self._write_loop())
        try:
            await self._read_loop()
            while self._tasks:  # answer everything already asked before closing
                await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            for task in self._tasks:
                task.cancel()
            await self._outgoing.put(None)
            await writing
            self._writer.close()
            with suppress(OSError):
                await self._writer.wait_closed()

    # -- reading -------------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        lines = LineReader(self._reader, MAX_LINE_BYTES)
        while not self._closing and not self._broken:
            try:
                line = await lines.readline()
            except OSError:
                return
            if line is None:
                return
            if isinstance(line, bytes):
                await self._accept(line)
            else:
                await self._send(error_reply(None, RunnerError(ErrorCode.BAD_REQUEST, LINE_TOO_LONG_MESSAGE)))

    async def _accept(self, line: bytes) -> None:
        try:
            request = parse_request(line)
        except RejectedLine as rejected:
            await self._send(error_reply(rejected.request_id, rejected.error))
            return
        if request.method == Method.HELLO:
            await self._hello(request)
        elif not self.greeted:
            error = RunnerError(ErrorCode.HELLO_REQUIRED, f"the first request on a connection must be '{Method.HELLO}'")
            await self._send(error_reply(request.id, error))
        else:
            self._start(self._dispatch(request))

    async def _hello(self, request: Request) -> None:
        """Decided at once, so requests sent right behind the hello pass the gate."""
        params = Params(request.params)
        try:
            protocol = params.integer("protocol", minimum=-(2**31), maximum=2**31)
            params.text("client", "")
            params.done()
        except RunnerError as error:
            await self._send(error_reply(request.id, error))
            return
        if protocol != PROTOCOL_VERSION:
            self._closing = True
            message = (
                f"the client speaks runner protocol {protocol} but this runner speaks {PROTOCOL_VERSION}: "
                "rebuild the sandbox image with `autocode sandbox build` and restart the sandbox"
            )
            await self._send(error_reply(request.id, RunnerError(ErrorCode.PROTOCOL_MISMATCH, message)))
            return
        self.greeted = True
        self._start(self._greet(request.id))

    async def _greet(self, request_id: RequestId) -> None:
        versions = await self._versions.get()
        result = {"protocol": PROTOCOL_VERSION, "runner_version": versions["runner"], "versions": versions}
        await self._send(result_reply(request_id, result))

    def _start(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, request: Request) -> None:
        handler = self._methods.get(request.method)
        try:
            if handler is None:
                raise RunnerError(ErrorCode.UNKNOWN_METHOD, f"no method named {request.method!r}")
            message = result_reply(request.id, await handler(Params(request.params)))
        except RunnerError as error:
            message = error_reply(request.id, error)
        except Exception as error:
            log.exception("method %s failed", request.method)
            message = error_reply(request.id, RunnerError(ErrorCode.INTERNAL, one_line(error)))
        await self._send(message)

    # -- writing -------------------------------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> None:
        try:
            line = encode(message)
        except (TypeError, ValueError) as error:
            log.exception("could not encode a reply")
            line = encode(error_reply(message.get("id"), RunnerError(ErrorCode.INTERNAL, one_line(error))))
        if len(line) > MAX_LINE_BYTES:
            too_large = RunnerError(
                ErrorCode.TOO_LARGE,
                f"the reply would be longer than the {MAX_LINE_BYTES // (1024 * 1024)} MiB line limit",
            )
            line = encode(error_reply(message.get("id"), too_large))
        await self._outgoing.put(line)

    def abort(self) -> None:
        """Drop the client at once (the runner is stopping); the read loop then ends by itself."""
        self._broken = True
        self._writer.transport.abort()

    def send_event(self, line: bytes) -> None:
        """Queue an event line; events go only to clients past hello, and never block the runner."""
        if not self.greeted or self._closing or self._broken:
            return
        try:
            self._outgoing.put_nowait(line)
        except asyncio.QueueFull:
            log.warning("a client stopped reading; disconnecting it")
            self.abort()

    async def _write_loop(self) -> None:
        while (line := await self._outgoing.get()) is not None:
            if self._broken:
                continue  # keep draining so no sender waits forever on a dead client
            try:
                self._writer.write(line)
                await self._writer.drain()
            except OSError:
                self.abort()
