"""What runs in this sandbox, reported by `hello` and `status`.

The control plane shows these and uses them to tell a stale image from a current one. They cannot change
while the runner lives, so they are measured once (on a thread of their own, started as the runner starts so
that the first `hello` finds them ready, with a short timeout for `claude`, which is a large binary) and
cached; a component that is absent or fails is null. One that did not answer in time (a busy machine) is null
too, but measured again by the next `get()`, up to MEASURE_ATTEMPTS in all.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import shutil
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from autocode_runner import __version__
from autocode_runner.contract.wire import PROTOCOL_VERSION

log = logging.getLogger(__name__)
COMMAND_TIMEOUT_SECONDS = 5.0
MEASURE_ATTEMPTS = 3


class CommandTimedOut(Exception):
    """A version command did not answer within COMMAND_TIMEOUT_SECONDS."""


def _command_output(*argv: str) -> str | None:
    """First line of a command's output, or None when it is missing, fails or hangs."""
    executable = shutil.which(argv[0])
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, *argv[1:]],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=COMMAND_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        log.warning("%s did not answer within %s s", argv[0], COMMAND_TIMEOUT_SECONDS)
        raise CommandTimedOut(argv[0]) from error
    except OSError as error:
        log.warning("could not run %s: %s", argv[0], error)
        return None
    if completed.returncode != 0:
        log.warning("%s exited with %s", " ".join(argv), completed.returncode)
        return None
    lines = completed.stdout.strip().splitlines()
    return lines[0].strip() if lines else None


def tmux_version() -> str | None:
    """`tmux -V` says "tmux 3.3a"; keep the version."""
    output = _command_output("tmux", "-V")
    return output.split()[-1] if output else None


def claude_version() -> str | None:
    """`claude --version` says "2.1.330 (Claude Code)"; keep the version."""
    output = _command_output("claude", "--version")
    return output.split()[0] if output else None


def package_version(distribution: str) -> str | None:
    from importlib import metadata  # here: the runner starts faster without it, and this runs on a thread

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def measure() -> tuple[dict[str, Any], bool]:
    """The versions, and whether a command did not answer in time (its version is null for now)."""
    late: list[str] = []

    def answer(read: Callable[[], str | None]) -> str | None:
        try:
            return read()
        except CommandTimedOut as error:
            late.append(str(error))
            return None

    versions = {
        "runner": __version__,
        "protocol": PROTOCOL_VERSION,
        "python": platform.python_version(),
        "tmux": answer(tmux_version),
        "claude": answer(claude_version),
        "nanobot": package_version("nanobot-ai"),
    }
    return versions, bool(late)


class Versions:
    """Measures once, on a thread of its own from `start()` (the server calls it first thing) or else the first
    `get()`, and then answers from memory."""

    def __init__(self) -> None:
        self._measured: Future[dict[str, Any]] | None = None
        self._attempts = 0
        self._lock = threading.Lock()

    def start(self) -> Future[dict[str, Any]]:
        """The measurement, begun now unless it already was."""
        with self._lock:
            if self._measured is not None:
                return self._measured
            measured = self._measured = Future()
            self._attempts += 1
        threading.Thread(target=self._measure, args=(measured,), name="versions", daemon=True).start()
        return measured

    def _measure(self, result: Future[dict[str, Any]]) -> None:
        try:
            versions, late = measure()
        except BaseException as error:  # handed to whoever awaits it
            result.set_exception(error)
            return
        with self._lock:
            if late and self._attempts < MEASURE_ATTEMPTS:
                self._measured = None  # answered with nulls now; the next get() measures again
        result.set_result(versions)

    async def get(self) -> dict[str, Any]:
        measured: dict[str, Any] = await asyncio.wrap_future(self.start())
        return dict(measured)
