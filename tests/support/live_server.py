"""Running the real `autocode` command: the environment it gets and `serve` started on a free port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

AUTOCODE = Path(sys.executable).parent / "autocode"
READY_TIMEOUT = 30.0


def autocode_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any AUTOCODE_ setting of the developer's, plus test defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOCODE_")}
    env.update(AUTOCODE_DATA_DIR=str(data_dir), AUTOCODE_BCRYPT_ROUNDS="4", AUTOCODE_SANDBOXES_ENABLED="false")
    env.update(AUTOCODE_SANDBOX_FIREWALL_CHECK="false")  # test networks have no firewall (test_sandbox_network.py)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    data_dir: Path, *, capture: bool = True, port: int | None = None, log: Path | None = None, **env: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start `autocode serve` and wait (with a deadline) until /api/health answers; stop it afterwards.

    capture=True keeps its output for the test to read (fine for short runs); long-lived servers pass
    False so that a full pipe can never block them, or a `log` file to read when it fails. `port` is for a test
    that must know the address before the server starts (a server that names its own public URL).
    """
    port = port or free_port()
    with contextlib.ExitStack() as stack:
        output: int | IO[str] = subprocess.PIPE if capture else subprocess.DEVNULL
        if log is not None:
            output = stack.enter_context(log.open("w"))
        process = subprocess.Popen(
            [str(AUTOCODE), "serve", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            env=autocode_env(data_dir, **env),
        )

    def said() -> str:
        if log is not None:
            return log.read_text()[-4000:]
        return process.stdout.read() if process.stdout else ""

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{said()}")
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
