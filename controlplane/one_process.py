"""One control plane per data directory, in one process: WebSocket tickets, the sandbox channels, the chat hub's
replies in flight and the per-user locks live in this process's memory, so a second worker (or a second
`autocode serve` on the same data directory, or a restore under a running server) would be wrong in ways that are
hard to see. The first process takes an exclusive lock on DATA_DIR/control-plane.lock for as long as it runs; any
other refuses to start and says why."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_FILE = "control-plane.lock"


class AlreadyRunning(RuntimeError):
    """Another process holds the data directory."""


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILE


class DataDirLock:
    """An exclusive, non-blocking `flock` on the lock file, held until `release()` (or the process ends: the kernel
    drops it, so a crash never leaves a stale lock behind)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = lock_path(data_dir)
        self._handle: IO[str] | None = None

    def acquire(self) -> DataDirLock:
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the process's life, closed in release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"Another AutoCode control plane ({holder}) already uses {self.path.parent}. AutoCode runs as one "
                "process with one worker: stop the other one first, and do not start it with several workers."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def is_held(data_dir: Path) -> bool:
    """Whether a control plane runs on this data directory now (for restore, which must not write under one)."""
    path = lock_path(data_dir)
    if not path.exists():
        return False
    try:
        probe = DataDirLock(data_dir).acquire()
    except AlreadyRunning:
        return True
    probe.release()
    return False
