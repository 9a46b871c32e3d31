"""The SandboxBackend contract: what the control plane needs from a container engine.

Lifecycle calls are synchronous (engine APIs are request/response; callers in async code use a thread);
exec streams are asynchronous because they carry long-lived traffic.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SandboxState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    STARTING = "starting"
    MISSING = "missing"  # no container (never started, or removed)


class EngineUnavailable(Exception):
    """The container engine does not answer; the message says what to do."""


class SandboxError(Exception):
    """A sandbox could not be created, started or reached."""


@dataclass(frozen=True)
class SandboxUser:
    """Who a sandbox belongs to. The uid is derived from the never-reused user id."""

    id: int
    username: str


@dataclass(frozen=True)
class SandboxStatus:
    username: str
    user_id: int | None
    state: SandboxState
    container_id: str | None = None
    started_at: datetime | None = None
    exit_code: int | None = None
    oom_killed: bool = False  # it stopped because a process in it ran out of its memory limit
    image_id: str | None = None  # the image the container was made from
    image_version: str | None = None  # that image's release (its autocode.version label), if it has one


@dataclass(frozen=True)
class SandboxUsage:
    memory_bytes: int
    memory_limit_bytes: int
    cpu_percent: float


class ExecStream(abc.ABC):
    """A process started inside a sandbox, with its stdin and output attached."""

    @abc.abstractmethod
    async def read(self) -> tuple[int, bytes]:
        """The next chunk as (stream, bytes): 1 stdout, 2 stderr; (0, b"") at the end."""

    @abc.abstractmethod
    async def write(self, data: bytes) -> None: ...

    @abc.abstractmethod
    async def resize(self, cols: int, rows: int) -> None:
        """Resize the TTY (TTY streams only)."""

    @abc.abstractmethod
    async def close(self) -> None: ...


class SandboxBackend(abc.ABC):
    @abc.abstractmethod
    def ensure_running(self, user: SandboxUser) -> SandboxStatus:
        """Create and/or start the sandbox; safe to call concurrently and repeatedly."""

    @abc.abstractmethod
    def stop(self, username: str) -> None: ...

    @abc.abstractmethod
    def restart(self, user: SandboxUser) -> SandboxStatus: ...

    @abc.abstractmethod
    def remove(self, username: str) -> None:
        """Remove the container; the user's files (a bind mount) stay."""

    @abc.abstractmethod
    def status(self, username: str) -> SandboxStatus: ...

    @abc.abstractmethod
    def list_sandboxes(self) -> list[SandboxStatus]:
        """Every sandbox of this control plane (by label), whatever its state."""

    @abc.abstractmethod
    def usage(self, username: str) -> SandboxUsage | None: ...

    @abc.abstractmethod
    def wanted_image(self) -> str | None:
        """The id of the image new sandboxes are made from (settings.sandbox_image); None when it is missing."""

    @abc.abstractmethod
    def engine_info(self) -> dict[str, str]:
        """Engine name and version; raises EngineUnavailable."""

    def check_isolation(self) -> str | None:
        """Probe that sandboxes cannot reach the host (firewall.py); None when they cannot, else what to do."""
        return None

    @abc.abstractmethod
    async def exec_stream(
        self, user: SandboxUser, command: list[str], *, tty: bool = False, env: dict[str, str] | None = None
    ) -> ExecStream: ...
