"""The runner protocol through the real channel: a long-lived docker exec of `autocode-runner attach`."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from autocode_runner.contract.wire import ATTACH_COMMAND, PROTOCOL_VERSION, ErrorCode, Method

from controlplane.sandbox.channel import RunnerChannel, RunnerError
from tests.support.engine import Harness

pytestmark = pytest.mark.docker


def test_requests_replies_and_events_round_trip(harness: Harness) -> None:
    alice = harness.user("alice")
    channel: RunnerChannel = harness.run(harness.manager.ensure_ready, alice)
    events: list[tuple[str, dict]] = []
    channel.on_event(lambda name, data: events.append((name, data)))
    # The session ends when the test says so (a fixed `sleep 1` could end before a busy machine listed it).
    until_told = "while [ ! -e /tmp/end-short ]; do sleep 0.05; done"
    harness.call(alice, "tmux.new", {"name": "short", "command": until_told})
    assert "short" in [s["name"] for s in harness.call(alice, "tmux.list")["sessions"]]
    harness.sh(alice, "touch /tmp/end-short")
    deadline = time.monotonic() + 15
    while ("tmux.session_closed", {"name": "short"}) not in events:
        assert time.monotonic() < deadline, f"no session_closed event; got {events}"
        harness.call(alice, "ping")  # lets the event loop deliver what arrived
    status = harness.call(alice, "status")
    assert status["versions"]["protocol"] == PROTOCOL_VERSION and status["versions"]["claude"]


def test_several_requests_in_flight_get_their_own_replies(harness: Harness) -> None:
    alice = harness.user("alice")
    channel: RunnerChannel = harness.run(harness.manager.ensure_ready, alice)
    for index in range(5):
        harness.call(alice, "fs.write", {"path": f"f{index}.txt", "content": str(index) * (index + 1)})

    async def read_all() -> list[str]:
        replies = await asyncio.gather(*(channel.call("fs.read", {"path": f"f{i}.txt"}) for i in range(5)))
        return [reply["content"] for reply in replies]

    assert harness.run(read_all) == [str(i) * (i + 1) for i in range(5)]


def test_a_malformed_line_gets_an_error_and_the_channel_stays_usable(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")

    def orphan_errors() -> list[Any]:
        """The error replies the channel got for no request of its own (it logs them and carries on)."""
        return [
            record.args  # the error object, logged as the message's one argument
            for record in caplog.records
            if record.name == "controlplane.sandbox.channel" and record.msg.startswith("runner error without")
        ]

    async def exchange() -> tuple[Any, Any]:
        # A channel of the test's own, over an attach exec whose stream the test keeps: the malformed lines go
        # straight into the exec, since the channel itself never sends one.
        stream = await harness.backend.exec_stream(alice, list(ATTACH_COMMAND))
        channel = RunnerChannel(stream)
        try:
            hello = await channel.call(Method.HELLO, {"protocol": PROTOCOL_VERSION, "client": "tests"})
            await stream.write(b"this is not json\n")
            await stream.write(b'["a", "list"]\n')
            pong = await channel.call(Method.PING)
            deadline = time.monotonic() + 10
            while len(orphan_errors()) < 2:
                assert time.monotonic() < deadline
                await channel.call(Method.PING)
            return hello, pong
        finally:
            await channel.close()

    with caplog.at_level(logging.WARNING, logger="controlplane.sandbox.channel"):
        hello, pong = harness.run(exchange)
    assert hello["protocol"] == PROTOCOL_VERSION
    assert pong["pong"] is True
    assert {error["code"] for error in orphan_errors()} == {ErrorCode.BAD_REQUEST}


@pytest.mark.parametrize("path", ["../other", "/etc/passwd", "projects/../../etc/passwd", "/home"])
def test_confinement_refuses_paths_outside_the_home(harness: Harness, path: str) -> None:
    alice = harness.user("alice")
    with pytest.raises(RunnerError) as refused:
        harness.call(alice, "fs.read", {"path": path})
    assert refused.value.code == "forbidden_path"


def test_a_protocol_mismatch_is_a_clear_error(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")

    async def wrong_hello() -> None:
        stream = await harness.backend.exec_stream(alice, list(ATTACH_COMMAND))
        channel = RunnerChannel(stream)
        try:
            await channel.call("hello", {"protocol": 999, "client": "from the future"})
        finally:
            await channel.close()

    with pytest.raises(RunnerError) as refused:
        harness.run(wrong_hello)
    assert refused.value.code == "protocol_mismatch"
    assert "autocode sandbox build" in refused.value.message
