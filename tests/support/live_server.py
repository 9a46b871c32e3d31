"""Running the real `autocode` command: the environment it gets and `serve` started on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

AUTOCODE = Path(sys.executable).parent / "autocode"
READY_TIMEOUT = 30.0


def autocode_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any AUTOCODE_ setting of the developer's, plus test defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOCODE_")}
    env.update(AUTOCODE_DATA_DIR=str(data_dir), AUTOCODE_BCRYPT_ROUNDS="4", AUTOCODE_SANDBOXES_ENABLED="false")
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(data_dir: Path, *, capture: bool = True, **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start `autocode serve` and wait (with a deadline) until /api/health answers; stop it afterwards.

    capture=True keeps its output for the test to read (fine for short runs); long-lived servers pass
    False so that a full pipe can never block them.
    """
    port = free_port()
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(AUTOCODE), "serve", "--port", str(port)],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        env=autocode_env(data_dir, **env),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("serve did not become healthy in time")
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=15)
