"""Project instances: one subprocess per running coding project, started from its spec.

The spec (keys included) goes to the instance's stdin as the first line, then commands (pause, resume,
reply, plan, stop) as further lines; the instance answers with event lines on stdout, which the runner
forwards to every connection as `project.log` / `project.state`, always stamped with the instance's own
project id. When the runner dies, the instances' stdin closes and they exit; the control plane starts
them again from the persisted state when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autocode_runner.protocol import ErrorCode, RunnerError

log = logging.getLogger(__name__)
Emit = Callable[[str, dict[str, Any]], None]
INSTANCE_COMMAND = [sys.executable, "-m", "autocode_runner.coding.instance"]
FORWARDED_EVENTS = ("project.log", "project.state")
STOP_GRACE_SECONDS = 10.0
TERM_GRACE_SECONDS = 3.0
MAX_LINE_BYTES = 16 * 1024 * 1024


@dataclass
class Instance:
    project_id: int
    process: asyncio.subprocess.Process
    stop_requested: bool = False
    reader: asyncio.Task[None] | None = field(default=None, repr=False)


class Instances:
    def __init__(self, emit: Emit, command: list[str] | None = None) -> None:
        self._emit = emit
        self._command = command or INSTANCE_COMMAND
        self._running: dict[int, Instance] = {}
        self._lock = asyncio.Lock()

    def list(self) -> list[dict[str, Any]]:
        return [{"project_id": i.project_id, "pid": i.process.pid} for i in self._running.values()]

    async def start(self, project_id: int, spec: dict[str, Any]) -> int:
        async with self._lock:
            if project_id in self._running:
                raise RunnerError(ErrorCode.EXISTS, f"project {project_id} is already running")
            process = await asyncio.create_subprocess_exec(
                *self._command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=MAX_LINE_BYTES,
                start_new_session=True,  # its own process group: a stop reaches whatever it started
                env={**os.environ, "AUTOCODE_PROJECT_ID": str(project_id)},
            )
            instance = Instance(project_id, process)
            self._running[project_id] = instance
            self._write(instance, {**spec, "project_id": project_id})
            instance.reader = asyncio.create_task(self._read(instance))
            return process.pid

    def _write(self, instance: Instance, message: dict[str, Any]) -> None:
        stdin = instance.process.stdin
        if stdin is None or stdin.is_closing():
            raise RunnerError(ErrorCode.NOT_FOUND, f"project {instance.project_id} is not running")
        stdin.write(json.dumps(message).encode() + b"\n")

    async def send(self, project_id: int, command: dict[str, Any]) -> None:
        instance = self._running.get(project_id)
        if instance is None:
            raise RunnerError(ErrorCode.NOT_FOUND, f"project {project_id} is not running")
        self._write(instance, command)
        with contextlib.suppress(ConnectionError):
            await instance.process.stdin.drain()  # type: ignore[union-attr]

    async def stop(self, project_id: int) -> bool:
        """Ask it to stop (it ends Claude Code and saves its state), then insist."""
        instance = self._running.get(project_id)
        if instance is None:
            raise RunnerError(ErrorCode.NOT_FOUND, f"project {project_id} is not running")
        instance.stop_requested = True
        with contextlib.suppress(RunnerError, ConnectionError):
            await self.send(project_id, {"type": "stop"})
        for signum, grace in ((None, STOP_GRACE_SECONDS), (signal.SIGTERM, TERM_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
            if signum is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(instance.process.pid, signum)
            try:
                await asyncio.wait_for(asyncio.shield(instance.process.wait()), grace)
                break
            except TimeoutError:
                log.warning("project %s did not stop in %.0f s", project_id, grace)
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
            log.warning("project %s wrote an oversized line: %s", instance.project_id, error)
        code = await instance.process.wait()
        self._running.pop(instance.project_id, None)
        self._emit(
            "project.exited",
            {"project_id": instance.project_id, "code": code, "requested": instance.stop_requested},
        )

    def _forward(self, instance: Instance, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("project %s wrote a line that is not JSON: %r", instance.project_id, line[:200])
            return
        if not isinstance(message, dict) or message.get("event") not in FORWARDED_EVENTS:
            return
        data = message.get("data") if isinstance(message.get("data"), dict) else {}
        self._emit(message["event"], {**data, "project_id": instance.project_id})

    async def close(self) -> None:
        """The runner is stopping: close every instance's stdin (they save and exit), then wait briefly."""
        for instance in list(self._running.values()):
            if instance.process.stdin is not None:
                instance.process.stdin.close()
        readers = [i.reader for i in self._running.values() if i.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=5.0)
