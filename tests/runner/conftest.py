"""A real runner per test: its own process, unix socket, home and tmux server (own TMUX_TMPDIR).

Nothing is mocked: tests speak the protocol over the socket (and through `autocode-runner attach`) to
`autocode-runner serve` running on the host with the real tmux. Every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from autocode_runner.contract.wire import PROTOCOL_VERSION

from tests.support.waiting import DEADLINE, wait_until

ATTACH = Path(sys.executable).parent / "autocode-runner"


class ProtocolClient:
    """A blocking client that keeps replies and events apart while it waits for one of them."""

    def __init__(self, socket_path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(socket_path))
        self._reader = self.sock.makefile("rb")
        self._next_id = 1
        self.replies: dict[Any, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.unmatched: list[dict[str, Any]] = []  # replies with id null

    def close(self) -> None:
        self._reader.close()
        self.sock.close()

    def send_line(self, line: bytes | str) -> None:
        self.sock.sendall(line.encode() if isinstance(line, str) else line)

    def send(self, message: dict[str, Any]) -> None:
        self.send_line(json.dumps(message) + "\n")

    def read_message(self, timeout: float = DEADLINE) -> dict[str, Any] | None:
        """The next message, or None when the runner closed the connection."""
        self.sock.settimeout(timeout)
        line = self._reader.readline()
        if not line:
            return None
        assert line.endswith(b"\n"), line[:200]
        return json.loads(line)

    def _pump(self, deadline: float) -> None:
        message = self.read_message(max(0.01, deadline - time.monotonic()))
        assert message is not None, "the runner closed the connection"
        if "event" in message:
            self.events.append(message)
        elif message.get("id") is None:
            self.unmatched.append(message)
        else:
            self.replies[message["id"]] = message

    def reply_to(self, request_id: Any, timeout: float = DEADLINE) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while request_id not in self.replies:
            self._pump(deadline)
        return self.replies.pop(request_id)

    def next_unmatched(self, timeout: float = DEADLINE) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not self.unmatched:
            self._pump(deadline)
        return self.unmatched.pop(0)

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        request_id = self._next_id
        self._next_id += 1
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.reply_to(request_id)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        reply = self.request(method, params)
        assert "result" in reply, reply
        return reply["result"]

    def error(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        reply = self.request(method, params)
        assert "error" in reply, reply
        assert set(reply["error"]) == {"code", "message"}, reply
        return reply["error"]

    def hello(self) -> dict[str, Any]:
        return self.call("hello", {"protocol": PROTOCOL_VERSION, "client": "tests/runner"})

    def wait_event(self, name: str, data: dict[str, Any], timeout: float = DEADLINE) -> dict[str, Any]:
        wanted = {"event": name, "data": data}
        deadline = time.monotonic() + timeout
        while wanted not in self.events:
            self._pump(deadline)
        self.events.remove(wanted)
        return wanted


@dataclass
class Runner:
    base: Path
    home: Path
    socket_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    clients: list[ProtocolClient] = field(default_factory=list)

    def connect(self, *, hello: bool = True) -> ProtocolClient:
        client = ProtocolClient(self.socket_path)
        self.clients.append(client)
        if hello:
            client.hello()
        return client

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The same tmux server the runner uses, for checks the protocol does not offer."""
        return subprocess.run(["tmux", *args], env=self.env, capture_output=True, text=True, timeout=10)

    def log(self) -> str:
        return (self.base / "runner.log").read_text(errors="replace")


def runner_env(base: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOCODE_RUNNER_", "TMUX"))}
    env.update({"TMUX_TMPDIR": str(base / "tmux"), "HOME": str(home), "SHELL": "/bin/bash"})
    return env


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def start_runner(base: Path) -> Runner:
    home = base / "home"
    home.mkdir(exist_ok=True)
    (base / "tmux").mkdir(exist_ok=True)
    socket_path = base / "run" / "runner.sock"
    env = runner_env(base, home)
    with (base / "runner.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "autocode_runner", "serve", "--socket", str(socket_path), "--home", str(home)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    runner = Runner(base, home, socket_path, env, process)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the runner exited with {process.returncode}:\n{runner.log()}")
        return _socket_answers(socket_path)

    wait_until(ready, what="the runner's socket")
    return runner


def stop_runner(runner: Runner) -> None:
    for client in runner.clients:
        client.close()
    if runner.process.poll() is None:
        runner.process.terminate()
        try:
            runner.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            runner.process.kill()
            runner.process.wait(timeout=10)
    runner.tmux("kill-server")


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short directory: unix socket paths (tmux's too) must stay under 108 bytes."""
    base = Path(tempfile.mkdtemp(prefix="rt-", dir="/tmp"))
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def runner(short_tmp: Path) -> Iterator[Runner]:
    started = start_runner(short_tmp)
    try:
        yield started
    finally:
        stop_runner(started)


@pytest.fixture
def client(runner: Runner) -> ProtocolClient:
    return runner.connect()
