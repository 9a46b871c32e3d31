"""What runs in this sandbox, reported by `hello` and `status`.

The control plane shows these and uses them to tell a stale image from a current one. They cannot change
while the runner lives, so they are measured once (in a thread, with a short timeout for `claude`, which
is a large binary) and cached; a component that is absent or does not answer is null.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import shutil
import subprocess
from importlib import metadata
from typing import Any

from autocode_runner import __version__
from autocode_runner.contract.wire import PROTOCOL_VERSION

log = logging.getLogger(__name__)
COMMAND_TIMEOUT_SECONDS = 5.0


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
    except (OSError, subprocess.TimeoutExpired) as error:
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
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def measure() -> dict[str, Any]:
    return {
        "runner": __version__,
        "protocol": PROTOCOL_VERSION,
        "python": platform.python_version(),
        "tmux": tmux_version(),
        "claude": claude_version(),
        "nanobot": package_version("nanobot-ai"),
    }


class Versions:
    """Measures once, on first use (the server warms it at start-up), and then answers from memory."""

    def __init__(self) -> None:
        self._cached: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, Any]:
        async with self._lock:
            if self._cached is None:
                self._cached = await asyncio.to_thread(measure)
            return dict(self._cached)
