"""Instances of any kind through a real runner on the host: the echo kind started from its spec, commands in,
`instance.*` events out stamped with kind and id, a stop, and what the runner refuses before starting anything.
The kind's process is real (`python -m autocode_runner.echo`); nothing is mocked."""

from __future__ import annotations

from tests.runner.conftest import ProtocolClient, Runner

ECHO = {"kind": "echo", "id": 7}


def test_an_echo_instance_runs_hears_and_stops(client: ProtocolClient) -> None:
    started = client.call("instance.start", {**ECHO, "spec": {"greeting": "hi there", "heard": 4}})
    pid = started["pid"]
    assert isinstance(pid, int) and pid > 0
    client.wait_event("instance.log", {"level": "info", "message": "hi there", **ECHO})
    client.wait_event("instance.state", {"heard": 4, **ECHO})
    assert client.call("instance.list") == {"instances": [{**ECHO, "pid": pid}]}

    assert client.call("instance.send", {**ECHO, "command": {"type": "say", "text": "ahoy"}}) == {}
    client.wait_event("instance.log", {"level": "info", "message": "ahoy", **ECHO})
    client.wait_event("instance.state", {"heard": 5, **ECHO})

    assert client.error("instance.start", {**ECHO, "spec": {}})["code"] == "exists"
    assert client.call("instance.stop", ECHO) == {"stopped": True}
    client.wait_event("instance.exited", {"code": 0, "pid": pid, "requested": True, **ECHO})
    assert client.call("instance.list") == {"instances": []}
    assert client.error("instance.stop", ECHO)["code"] == "not_found"
    assert client.error("instance.send", {**ECHO, "command": {"type": "say"}})["code"] == "not_found"


def test_what_the_runner_refuses_before_starting_anything(runner: Runner, client: ProtocolClient) -> None:
    bad_spec = client.error("instance.start", {**ECHO, "spec": {"greeting": "hi", "volume": 11}})
    assert bad_spec["code"] == "invalid_params" and "volume" in bad_spec["message"], bad_spec
    other_version = client.error("instance.start", {**ECHO, "spec": {"version": 99}})
    assert other_version["code"] == "invalid_params" and "version" in other_version["message"], other_version
    unknown_kind = client.error("instance.start", {"kind": "poet", "id": 1, "spec": {}})
    assert unknown_kind["code"] == "invalid_params" and "coding" in unknown_kind["message"], unknown_kind
    assert client.error("instance.start", {"kind": "echo", "id": 0, "spec": {}})["code"] == "invalid_params"
    assert client.call("instance.list") == {"instances": []}  # nothing was started by any of them

    client.call("instance.start", {**ECHO, "spec": {}})
    wrong_command = client.error("instance.send", {**ECHO, "command": {"type": "pause"}})
    assert wrong_command["code"] == "invalid_params" and "say" in wrong_command["message"], wrong_command
    client.call("instance.stop", ECHO)
