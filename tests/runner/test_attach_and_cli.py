"""`autocode-runner attach` as the control plane uses it (stdin/stdout pipes), and `serve` start-up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from autocode_runner.contract.wire import ATTACH_WAIT_VARIABLE, PROTOCOL_VERSION

from tests.runner.conftest import ATTACH, DEADLINE, Runner, runner_env, start_runner, stop_runner

HELLO = {"id": 0, "method": "hello", "params": {"protocol": PROTOCOL_VERSION, "client": "attach-test"}}


def start_attach(runner: Runner, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(ATTACH), "attach", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env or runner.env,
    )


def send(process: subprocess.Popen[bytes], *messages: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
    process.stdin.flush()


def read_replies(process: subprocess.Popen[bytes], count: int) -> dict[Any, dict[str, Any]]:
    """`count` lines from attach's stdout, by id (replies may come in any order)."""
    assert process.stdout is not None
    replies = {}
    for _ in range(count):
        line = process.stdout.readline()  # the process's own deadline is the wait() in each test
        assert line.endswith(b"\n"), line
        message = json.loads(line)
        replies[message["id"]] = message
    return replies


def test_round_trip_through_attach(runner: Runner) -> None:
    process = start_attach(runner, "--socket", str(runner.socket_path))
    try:
        send(process, HELLO, {"id": 1, "method": "ping"}, {"id": 2, "method": "fs.list"})
        replies = read_replies(process, 3)
        assert replies[0]["result"]["protocol"] == PROTOCOL_VERSION
        assert replies[1]["result"]["pong"] is True
        assert replies[2]["result"] == {"entries": []}
        send(process, {"id": 3, "method": "fs.write", "params": {"path": "via-attach.txt", "content": "é\n"}})
        assert read_replies(process, 1)[3]["result"] == {"size": 3}
        assert (runner.home / "via-attach.txt").read_text() == "é\n"
        assert process.stdin is not None
        process.stdin.close()  # end of requests: attach half-closes, the runner closes, attach exits
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        process.kill()
        process.wait()


def test_requests_in_flight_when_stdin_ends_are_still_answered(runner: Runner) -> None:
    process = start_attach(runner, "--socket", str(runner.socket_path))
    send(process, HELLO, {"id": 1, "method": "status"})
    stdout, _ = process.communicate(timeout=DEADLINE)  # closes stdin right after the two lines
    assert process.returncode == 0
    replies = [json.loads(line) for line in stdout.splitlines()]
    assert sorted(r["id"] for r in replies) == [0, 1]
    assert all("result" in r for r in replies)


def test_attach_finds_the_socket_through_the_environment(runner: Runner) -> None:
    env = dict(runner.env, AUTOCODE_RUNNER_SOCKET=str(runner.socket_path))
    process = start_attach(runner, env=env)
    stdout, stderr = process.communicate(json.dumps(HELLO).encode() + b"\n", timeout=DEADLINE)
    assert process.returncode == 0, stderr
    assert json.loads(stdout)["result"]["protocol"] == PROTOCOL_VERSION


def test_attach_exits_when_the_runner_closes(runner: Runner) -> None:
    process = start_attach(runner, "--socket", str(runner.socket_path))
    try:
        send(process, {"id": 0, "method": "hello", "params": {"protocol": PROTOCOL_VERSION + 1, "client": "other"}})
        assert read_replies(process, 1)[0]["error"]["code"] == "protocol_mismatch"
        assert process.wait(timeout=DEADLINE) == 0  # stdin is still open: the runner's close ended it
    finally:
        process.kill()
        process.wait()


def test_attach_without_a_socket_fails_with_one_line(runner: Runner) -> None:
    missing = runner.base / "run" / "absent.sock"
    process = start_attach(runner, "--socket", str(missing))
    stdout, stderr = process.communicate(b"", timeout=DEADLINE)
    assert process.returncode != 0
    assert stdout == b""
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0]


def test_serve_refuses_a_second_runner_on_a_live_socket(runner: Runner) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "autocode_runner", "serve", "--socket", str(runner.socket_path)],
        env=dict(runner.env, AUTOCODE_RUNNER_HOME=str(runner.home)),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"autocode-runner: another runner is already serving on {runner.socket_path}"
    ]
    assert runner.connect().call("ping")["pong"] is True


def test_serve_replaces_a_stale_socket_and_removes_its_own_on_exit(short_tmp: Path) -> None:
    first = start_runner(short_tmp)
    first.process.kill()  # dies without cleaning up: the socket file stays behind
    first.process.wait(timeout=DEADLINE)
    assert first.socket_path.exists()
    second = start_runner(short_tmp)
    try:
        assert second.connect().call("ping")["pong"] is True
        second.process.terminate()
        assert second.process.wait(timeout=DEADLINE) == 0
        assert not second.socket_path.exists()
        assert oct(first.socket_path.parent.stat().st_mode & 0o777) == oct(0o700)
    finally:
        stop_runner(second)


def test_serve_needs_an_existing_home(short_tmp: Path) -> None:
    missing = short_tmp / "no-home"
    result = subprocess.run(
        [sys.executable, "-m", "autocode_runner", "serve", "--socket", str(short_tmp / "s.sock")],
        env=dict(runner_env(short_tmp, missing), AUTOCODE_RUNNER_HOME=str(missing)),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"autocode-runner: the home {missing} is not a directory"
    assert not (short_tmp / "s.sock").exists()


def test_socket_is_private_to_the_uid(runner: Runner) -> None:
    assert runner.socket_path.stat().st_mode & 0o777 == 0o600
    assert os.stat(runner.socket_path).st_uid == os.getuid()


def test_sigterm_disconnects_clients_and_exits_cleanly(runner: Runner) -> None:
    process = start_attach(runner, "--socket", str(runner.socket_path))
    try:
        send(process, HELLO)
        assert read_replies(process, 1)[0]["result"]["protocol"] == PROTOCOL_VERSION
        runner.process.terminate()
        assert runner.process.wait(timeout=DEADLINE) == 0
        assert process.wait(timeout=DEADLINE) == 0  # the runner's close ended attach; stdin is still open
    finally:
        process.kill()
        process.wait()
    assert not runner.socket_path.exists()
    assert "Traceback" not in runner.log()
    assert "stopping" in runner.log()


def test_attach_with_a_wait_connects_when_the_runner_comes_up_and_says_nothing(short_tmp: Path) -> None:
    """As the control plane attaches to a sandbox just started: attach runs before the runner has made its socket
    (here a stale socket file nobody listens on, then none), waits quietly, and talks once the runner is up."""
    socket_path = short_tmp / "run" / "runner.sock"
    socket_path.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(socket_path))  # a socket file with no listener: connect is refused
    env = dict(runner_env(short_tmp, short_tmp / "home"), AUTOCODE_RUNNER_SOCKET=str(socket_path))
    env[ATTACH_WAIT_VARIABLE] = str(DEADLINE)
    process = subprocess.Popen(
        [str(ATTACH), "attach"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        send(process, HELLO)
        runner = start_runner(short_tmp)
        try:
            assert read_replies(process, 1)[0]["result"]["protocol"] == PROTOCOL_VERSION
            assert process.stdin is not None
            process.stdin.close()
            assert process.wait(timeout=DEADLINE) == 0
            assert process.stderr is not None
            assert process.stderr.read() == b""
        finally:
            stop_runner(runner)
    finally:
        process.kill()
        process.wait()


def test_attach_gives_up_after_its_wait_with_one_line(runner: Runner) -> None:
    missing = runner.base / "run" / "absent.sock"
    started = time.monotonic()
    process = start_attach(runner, "--socket", str(missing), "--wait", "0.3")
    stdout, stderr = process.communicate(b"", timeout=DEADLINE)
    assert time.monotonic() - started >= 0.3
    assert process.returncode != 0
    assert stdout == b""
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0]
