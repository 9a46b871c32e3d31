"""Framing, the hello gate, typed errors and the runner-level methods (ping, status)."""

from __future__ import annotations

import base64
import json
import os
import platform
import shutil
import socket
import subprocess
import time
from importlib import metadata

import autocode_runner
from autocode_runner.contract.wire import PROTOCOL_VERSION

from tests.runner.conftest import ProtocolClient, Runner

MIB = 1024 * 1024


def test_hello_answers_protocol_and_versions(runner: Runner) -> None:
    client = runner.connect(hello=False)
    result = client.call("hello", {"protocol": PROTOCOL_VERSION, "client": "tests"})
    assert result["protocol"] == PROTOCOL_VERSION
    assert result["runner_version"] == autocode_runner.__version__
    assert set(result["versions"]) == {"runner", "protocol", "python", "tmux", "claude", "nanobot"}


def test_protocol_mismatch_is_explained_and_closes_the_connection(runner: Runner) -> None:
    client = runner.connect(hello=False)
    error = client.error("hello", {"protocol": 99, "client": "future"})
    assert error["code"] == "protocol_mismatch"
    assert "99" in error["message"] and str(PROTOCOL_VERSION) in error["message"]
    assert "autocode sandbox build" in error["message"]
    assert client.read_message() is None  # the runner closed the connection
    assert runner.connect().call("ping")["pong"] is True  # others are unaffected


def test_methods_before_hello_need_hello(runner: Runner) -> None:
    client = runner.connect(hello=False)
    assert client.error("ping")["code"] == "hello_required"
    assert client.error("no.such.method")["code"] == "hello_required"
    client.hello()
    assert client.call("ping")["pong"] is True


def test_hello_with_bad_params_is_invalid_and_not_a_greeting(runner: Runner) -> None:
    client = runner.connect(hello=False)
    assert client.error("hello", {"client": "no protocol"})["code"] == "invalid_params"
    assert client.error("hello", {"protocol": "1"})["code"] == "invalid_params"
    assert client.error("ping")["code"] == "hello_required"


def test_requests_right_behind_hello_pass_the_gate(runner: Runner) -> None:
    client = runner.connect(hello=False)
    client.send_line(
        json.dumps({"id": "h", "method": "hello", "params": {"protocol": PROTOCOL_VERSION, "client": "x"}})
        + '\n{"id": "p", "method": "ping"}\n'
    )
    assert client.reply_to("p")["result"]["pong"] is True
    assert client.reply_to("h")["result"]["protocol"] == PROTOCOL_VERSION


def test_ping(client: ProtocolClient) -> None:
    before = time.time()
    result = client.call("ping")
    assert result["pong"] is True
    assert before - 1 <= result["time"] <= time.time() + 1


def test_status_fields(runner: Runner, client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "status-probe", "command": "sleep 60"})
    status = client.call("status")
    assert status["pid"] == runner.process.pid
    assert status["uid"] == os.getuid()
    assert status["home"] == str(runner.home)
    assert status["tmux_sessions"] == ["status-probe"]
    assert isinstance(status["uptime"], float) and 0 <= status["uptime"] < 600
    versions = status["versions"]
    assert versions["runner"] == autocode_runner.__version__
    assert versions["protocol"] == PROTOCOL_VERSION
    assert versions["python"] == platform.python_version()
    tmux_v = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=True).stdout.split()[-1]
    assert versions["tmux"] == tmux_v
    if shutil.which("claude", path=runner.env["PATH"]) is None:
        assert versions["claude"] is None
    else:
        assert isinstance(versions["claude"], str) and versions["claude"][0].isdigit()
    try:
        assert versions["nanobot"] == metadata.version("nanobot-ai")
    except metadata.PackageNotFoundError:
        assert versions["nanobot"] is None


def test_line_that_is_not_json_gets_bad_request_and_the_connection_stays_usable(client: ProtocolClient) -> None:
    client.send_line(b"this is not json\n")
    error = client.next_unmatched()
    assert error == {"id": None, "error": {"code": "bad_request", "message": error["error"]["message"]}}
    assert client.call("ping")["pong"] is True


def test_non_object_json_and_bad_bytes_get_bad_request(client: ProtocolClient) -> None:
    for line in (b"[1, 2, 3]\n", b'"just a string"\n', b"\xff\xfe{}\n", b"\n", b"[[[[[[" * 100_000 + b"\n"):
        client.send_line(line)
        assert client.next_unmatched()["error"]["code"] == "bad_request", line[:20]
    assert client.call("ping")["pong"] is True


def test_missing_method_keeps_the_id_when_it_can_be_read(client: ProtocolClient) -> None:
    client.send({"id": 41, "params": {}})
    assert client.reply_to(41)["error"]["code"] == "bad_request"
    client.send({"id": "str-id", "method": 5})
    assert client.reply_to("str-id")["error"]["code"] == "bad_request"
    client.send({"id": [1], "method": "ping"})  # an id that is neither integer nor string
    assert client.next_unmatched()["error"]["code"] == "bad_request"
    assert client.call("ping")["pong"] is True


def test_unknown_method(client: ProtocolClient) -> None:
    error = client.error("fs.explode", {})
    assert error["code"] == "unknown_method"
    assert "fs.explode" in error["message"]


def test_invalid_params(client: ProtocolClient) -> None:
    assert client.error("fs.read", {})["code"] == "invalid_params"  # missing
    assert client.error("fs.read", {"path": 7})["code"] == "invalid_params"  # wrong type
    assert client.error("fs.read", {"path": "a", "max_bytes": -1})["code"] == "invalid_params"  # range
    assert client.error("fs.read", {"path": "a", "max_bytes": 11 * MIB})["code"] == "invalid_params"
    assert client.error("fs.read", {"path": "a", "colour": "red"})["code"] == "invalid_params"  # unknown
    assert client.error("fs.write", {"path": "a", "content": "x", "append": "yes"})["code"] == "invalid_params"
    assert client.error("ping", {"extra": 1})["code"] == "invalid_params"
    reply = client.request("ping", None)
    assert reply["result"]["pong"] is True
    client.send({"id": 9, "method": "ping", "params": [1]})
    assert client.reply_to(9)["error"]["code"] == "invalid_params"


def test_over_long_line_is_refused_whole_and_the_connection_stays_usable(client: ProtocolClient) -> None:
    client.send_line(b'{"id": 1, "method": "ping", "pad": "' + b"x" * (16 * MIB) + b'"}\n')
    error = client.next_unmatched()
    assert error["error"]["code"] == "bad_request"
    assert "16 MiB" in error["error"]["message"]
    assert client.call("ping")["pong"] is True


def test_lines_up_to_the_limit_are_accepted(runner: Runner, client: ProtocolClient) -> None:
    payload = os.urandom(11 * MIB)  # ~14.7 MiB of base64: a line well past asyncio's default limits
    line = json.dumps(
        {
            "id": "big",
            "method": "fs.write",
            "params": {"path": "big.bin", "content": base64.b64encode(payload).decode(), "encoding": "base64"},
        }
    )
    assert 14 * MIB < len(line) < 16 * MIB
    client.send_line(line + "\n")
    assert client.reply_to("big")["result"] == {"size": len(payload)}
    assert (runner.home / "big.bin").read_bytes() == payload


def test_replies_carry_string_and_integer_ids_back(client: ProtocolClient) -> None:
    client.send({"id": "abc", "method": "ping"})
    client.send({"id": 0, "method": "ping"})
    assert client.reply_to("abc")["result"]["pong"] is True
    assert client.reply_to(0)["result"]["pong"] is True


def test_a_last_line_without_newline_is_still_answered(runner: Runner) -> None:
    client = runner.connect()
    client.send_line(b'{"id": 5, "method": "ping"}')
    client.sock.shutdown(socket.SHUT_WR)  # end of our requests
    assert client.reply_to(5)["result"]["pong"] is True
    assert client.read_message() is None
