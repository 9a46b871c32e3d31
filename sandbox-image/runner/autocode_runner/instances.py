"""Instances: one subprocess per running agent instance, of any kind, keyed by (kind, id).

The first line on the instance's stdin is `{"kind", "id", "spec"}` (keys included, so never a file or an
argument); further lines are commands (`{"type": ...}`, `stop` among them). The instance answers with
`log` and `state` lines on stdout, which the runner forwards to every connection as `instance.log` /
`instance.state`, always stamped with the instance's own kind and id, and reports its end as
`instance.exited`. When the runner dies, the instances' stdin closes and they exit; the control plane starts
them again from the persisted state when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autocode_runner.contract.wire import (
    FORWARDED,
    MAX_LINE_BYTES,
    RUNNER_INSTANCES_GRACE_SECONDS,
    Command,
    ErrorCode,
    Event,
    InstanceKey,
    InstanceKind,
    InstanceOutput,
)
from autocode_runner.kinds import process_command
from autocode_runner.protocol import RunnerError

log = logging.getLogger(__name__)
Emit = Callable[[str, dict[str, Any]], None]
STOP_GRACE_SECONDS = 10.0
TERM_GRACE_SECONDS = 3.0
KILL_GRACE_SECONDS = 5.0
# The stop command first; then the process group is signalled, each step with its own grace period.
STOP_ESCALATION = (
    (None, STOP_GRACE_SECONDS),
    (signal.SIGTERM, TERM_GRACE_SECONDS),
    (signal.SIGKILL, KILL_GRACE_SECONDS),
)


@dataclass
class Instance:
    kind: InstanceKind
    id: int
    process: asyncio.subprocess.Process
    stop_requested: bool = False
    reader: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def key(self) -> InstanceKey:
        return (self.kind, self.id)

    @property
    def label(self) -> str:
        return f"{self.kind} instance {self.id}"

    def stamp(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "kind": self.kind.value, "id": self.id}


def _label(key: InstanceKey) -> str:
    return f"{key[0]} instance {key[1]}"


class Instances:
    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._running: dict[InstanceKey, Instance] = {}
        self._lock = asyncio.Lock()

    def list(self) -> list[dict[str, Any]]:
        return [{"kind": i.kind.value, "id": i.id, "pid": i.process.pid} for i in self._running.values()]

    async def start(self, key: InstanceKey, spec: dict[str, Any]) -> int:
        kind, instance_id = key
        async with self._lock:
            if key in self._running:
                raise RunnerError(ErrorCode.EXISTS, f"{_label(key)} is already running")
            process = await asyncio.create_subprocess_exec(
                *process_command(kind),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=MAX_LINE_BYTES,
                start_new_session=True,  # its own process group: a stop reaches whatever it started
                env={**os.environ, "AUTOCODE_INSTANCE_KIND": kind.value, "AUTOCODE_INSTANCE_ID": str(instance_id)},
            )
            instance = Instance(kind, instance_id, process)
            self._running[key] = instance
            self._write(instance, {"kind": kind.value, "id": instance_id, "spec": spec})
            instance.reader = asyncio.create_task(self._read(instance))
            return process.pid

    def _write(self, instance: Instance, message: dict[str, Any]) -> None:
        stdin = instance.process.stdin
        if stdin is None or stdin.is_closing():
            raise RunnerError(ErrorCode.NOT_FOUND, f"{instance.label} is not running")
        stdin.write(json.dumps(message).encode() + b"\n")

    def _get(self, key: InstanceKey) -> Instance:
        instance = self._running.get(key)
        if instance is None:
            raise RunnerError(ErrorCode.NOT_FOUND, f"{_label(key)} is not running")
        return instance

    async def send(self, key: InstanceKey, command: dict[str, Any]) -> None:
        instance = self._get(key)
        self._write(instance, command)
        if instance.process.stdin is not None:
            with contextlib.suppress(ConnectionError):
                await instance.process.stdin.drain()

    async def stop(self, key: InstanceKey) -> bool:
        """Ask it to stop (it saves its state and ends what it started), then insist."""
        instance = self._get(key)
        instance.stop_requested = True
        with contextlib.suppress(RunnerError, ConnectionError):
            await self.send(key, {"type": Command.STOP.value})
        for signum, grace in STOP_ESCALATION:
            if signum is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(instance.process.pid, signum)
            try:
                await asyncio.wait_for(asyncio.shield(instance.process.wait()), grace)
                break
            except TimeoutError:
                log.warning("%s did not stop in %.0f s", instance.label, grace)
        if instance.reader is not None:
            await asyncio.wait({instance.reader}, timeout=5.0)
        return True

    async def _read(self, instance: Instance) -> None:
        stdout = instance.process.stdout
        assert stdout is not None  # noqa: S101 - created with a pipe
        try:
            while line := await stdout.readline():
                self._forward(instance, line)
        except (ValueError, asyncio.LimitOverrunError) as error:
            log.warning("%s wrote an oversized line: %s", instance.label, error)
        code = await instance.process.wait()
        self._running.pop(instance.key, None)
        self._emit(
            Event.INSTANCE_EXITED,
            instance.stamp({"code": code, "pid": instance.process.pid, "requested": instance.stop_requested}),
        )

    def _forward(self, instance: Instance, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("%s wrote a line that is not JSON: %r", instance.label, line[:200])
            return
        if not isinstance(message, dict):
            return
        output = message.get("event")
        if not isinstance(output, str):
            return
        try:
            event = FORWARDED[InstanceOutput(output)]
        except ValueError:
            return
        data = message.get("data")
        self._emit(event, instance.stamp(data if isinstance(data, dict) else {}))

    async def close(self) -> None:
        """The runner is stopping: close every instance's stdin (they save and exit), then wait briefly."""
        for instance in list(self._running.values()):
            if instance.process.stdin is not None:
                instance.process.stdin.close()
        readers = [i.reader for i in self._running.values() if i.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=RUNNER_INSTANCES_GRACE_SECONDS)
