"""An instance process's side of its pipes: events out on stdout, one JSON line each; commands in on stdin.

Every kind's process entry uses these (see autocode_runner.kinds); the runner (autocode_runner.instances)
forwards the events to its clients stamped with the instance's kind and id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TextIO

from autocode_runner.contract.chat import ChatEvent
from autocode_runner.contract.convert import ContractError, to_dict
from autocode_runner.contract.specs import decode_spec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import MAX_LINE_BYTES, InstanceKind, InstanceOutput

log = logging.getLogger(__name__)


class EventSink:
    """Writes `log`, `state` and `chat` lines; safe from any thread, flushed at once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()

    def emit(self, output: InstanceOutput, data: dict[str, Any]) -> None:
        line = json.dumps({"event": output.value, "data": data}, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def log(self, level: LogLevel | str, message: str) -> None:
        self.emit(InstanceOutput.LOG, {"level": LogLevel(level).value, "message": message})

    def state(self, data: dict[str, Any]) -> None:
        """The instance's resumable state; the control plane stores it and starts the next instance from it."""
        self.emit(InstanceOutput.STATE, data)

    def chat(self, event: ChatEvent) -> None:
        """A chat kind's reply as it happens (forwarded as `instance.chat`)."""
        self.emit(InstanceOutput.CHAT, to_dict(event))


async def stdin_reader() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def commands(reader: asyncio.StreamReader) -> AsyncIterator[dict[str, Any]]:
    """Each command object from stdin, until it closes (the runner stopped the instance or went away)."""
    while line := await reader.readline():
        try:
            command = json.loads(line)
        except ValueError:
            log.warning("ignoring a command line that is not JSON")
            continue
        if isinstance(command, dict):
            yield command


class SpecError(Exception):
    """The first line was not a valid start message for this kind."""


async def read_spec(reader: asyncio.StreamReader, kind: InstanceKind) -> Any:
    """The first stdin line, `{"kind", "id", "spec"}`, decoded into the kind's typed spec."""
    first = await reader.readline()
    if not first:
        raise SpecError("stdin closed before the spec arrived")
    try:
        envelope = json.loads(first)
    except ValueError:
        raise SpecError("the first line is not JSON") from None
    if not isinstance(envelope, dict) or envelope.get("kind") != kind.value:
        raise SpecError(f"the first line does not start a {kind} instance")
    try:
        return decode_spec(kind, envelope.get("spec"))
    except ContractError as error:
        raise SpecError(f"the spec is not valid: {error}") from None


def run_instance(kind: InstanceKind, serve: Callable[[asyncio.StreamReader, EventSink], Awaitable[int]]) -> None:
    """An instance process's main(): stdout carries events only, so every library's prints go to stderr."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=f"{kind} %(levelname)s %(message)s")
    sink = EventSink(sys.stdout)
    sys.stdout = sys.stderr

    async def start() -> int:
        reader = await stdin_reader()
        try:
            return await serve(reader, sink)
        except SpecError as error:
            log.error("cannot start: %s", error)
            sink.log(LogLevel.ERROR, f"The instance could not start: {error}")
            return 2

    sys.exit(asyncio.run(start()))
