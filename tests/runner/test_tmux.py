"""tmux.* methods and the tmux.session_closed event, against a real tmux server per test."""

from __future__ import annotations

import asyncio
import time

import pytest
from autocode_runner.methods import tmux_errors_as_replies
from autocode_runner.protocol import RunnerError
from autocode_runner.tmux import SessionExists, SessionNotFound, TmuxError, TmuxUnavailable

from tests.runner.conftest import ProtocolClient, Runner, wait_until

SHELL = "bash --norc --noprofile"


def screen_shows(client: ProtocolClient, name: str, text: str, **params: object) -> str | None:
    content = client.call("tmux.capture", {"name": name, **params})["content"]
    return content if text in content else None


def test_new_list_send_keys_capture(client: ProtocolClient) -> None:
    before = int(time.time())
    assert client.call("tmux.new", {"name": "work", "command": SHELL}) == {"name": "work"}
    sessions = client.call("tmux.list")["sessions"]
    assert len(sessions) == 1
    session = sessions[0]
    assert (session["name"], session["windows"], session["attached"]) == ("work", 1, 0)
    assert before - 2 <= session["created"] <= time.time() + 2
    assert client.call("tmux.send_keys", {"name": "work", "keys": "echo hello-$((6*7))", "enter": True}) == {}
    wait_until(lambda: screen_shows(client, "work", "hello-42"), what="hello-42 on the screen")


def test_default_command_is_a_login_shell_in_the_home(runner: Runner, client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "shell"})
    client.call("tmux.send_keys", {"name": "shell", "keys": 'echo "at:$PWD:$0"', "enter": True})
    wait_until(lambda: screen_shows(client, "shell", f"at:{runner.home}:-"), what="a login shell in the home")


def test_cwd_env_and_size(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "project").mkdir()
    client.call(
        "tmux.new",
        {
            "name": "sized",
            "command": SHELL,
            "cwd": "project",
            "env": {"AUTOCODE_PROBE": "probe value"},
            "width": 120,
            "height": 40,
        },
    )
    size = runner.tmux("display-message", "-p", "-t", "=sized:", "#{window_width}x#{window_height}")
    assert size.stdout.strip() == "120x40"
    client.call("tmux.send_keys", {"name": "sized", "keys": 'echo "[$PWD|$AUTOCODE_PROBE]"', "enter": True})
    expected = f"[{runner.home / 'project'}|probe value]"
    wait_until(lambda: screen_shows(client, "sized", expected), what="cwd and env in the session")


def test_new_refuses_a_missing_cwd_and_bad_params(client: ProtocolClient) -> None:
    assert client.error("tmux.new", {"name": "x", "cwd": "missing"})["code"] == "not_found"
    for params in (
        {"name": "a.b"},
        {"name": ""},
        {"name": "x" * 65},
        {"name": "a b"},
        {"name": "ok", "width": 0},
        {"name": "ok", "env": {"BAD NAME": "x"}},
        {"name": "ok", "env": {"OK": 1}},
        {"name": "ok", "command": ["ls"]},
    ):
        assert client.error("tmux.new", params)["code"] == "invalid_params", params
    assert client.call("tmux.list") == {"sessions": []}


def test_duplicate_session_is_exists(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "twice", "command": "sleep 60"})
    error = client.error("tmux.new", {"name": "twice", "command": "sleep 60"})
    assert error["code"] == "exists"
    assert [s["name"] for s in client.call("tmux.list")["sessions"]] == ["twice"]


def test_exact_names_do_not_match_by_prefix(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "longer-name", "command": "sleep 60"})
    assert client.error("tmux.capture", {"name": "longer"})["code"] == "not_found"
    assert client.error("tmux.kill", {"name": "longer"})["code"] == "not_found"
    assert client.call("tmux.new", {"name": "longer", "command": "sleep 60"}) == {"name": "longer"}


def test_kill_ends_the_session_and_emits_closed(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "doomed", "command": "sleep 60"})
    client.call("tmux.new", {"name": "keeper", "command": "sleep 60"})
    assert client.call("tmux.kill", {"name": "doomed"}) == {}
    client.wait_event("tmux.session_closed", {"name": "doomed"})
    assert [s["name"] for s in client.call("tmux.list")["sessions"]] == ["keeper"]


def test_unknown_sessions_are_not_found(client: ProtocolClient) -> None:
    assert client.error("tmux.kill", {"name": "ghost"})["code"] == "not_found"  # no tmux server at all
    client.call("tmux.new", {"name": "present", "command": "sleep 60"})
    assert client.error("tmux.kill", {"name": "ghost"})["code"] == "not_found"  # a server, not that session
    assert client.error("tmux.capture", {"name": "ghost"})["code"] == "not_found"
    assert client.error("tmux.send_keys", {"name": "ghost", "keys": "x"})["code"] == "not_found"


def test_session_closed_event_when_the_command_exits(runner: Runner) -> None:
    watcher = runner.connect()
    other = runner.connect()
    watcher.call("tmux.new", {"name": "brief", "command": "sleep 0.3"})
    watcher.wait_event("tmux.session_closed", {"name": "brief"})
    other.wait_event("tmux.session_closed", {"name": "brief"})  # broadcast to every greeted connection
    assert watcher.call("tmux.list") == {"sessions": []}


def test_events_are_not_sent_before_hello(runner: Runner) -> None:
    greeted = runner.connect()
    stranger = runner.connect(hello=False)
    greeted.call("tmux.new", {"name": "quick", "command": "true"})
    greeted.wait_event("tmux.session_closed", {"name": "quick"})
    # The event was queued to every connection before this request: the stranger's first line is the reply.
    stranger.send({"id": 1, "method": "ping"})
    assert stranger.read_message() == {
        "id": 1,
        "error": {"code": "hello_required", "message": "the first request on a connection must be 'hello'"},
    }


def test_sessions_closed_outside_the_protocol_are_reported(runner: Runner, client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "outside-kill", "command": "sleep 60"})
    client.call("tmux.new", {"name": "survivor", "command": "sleep 60"})
    assert runner.tmux("kill-session", "-t", "=outside-kill").returncode == 0
    client.wait_event("tmux.session_closed", {"name": "outside-kill"})
    assert client.events == []  # the survivor was not reported


def test_literal_keys_are_text_and_enter_is_separate(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "keys", "command": SHELL})
    client.call("tmux.send_keys", {"name": "keys", "keys": "echo typed C-c Enter -l"})
    wait_until(lambda: screen_shows(client, "keys", "echo typed C-c Enter -l"), what="literal text typed")
    client.call("tmux.send_keys", {"name": "keys", "keys": "Enter", "literal": False})
    wait_until(lambda: screen_shows(client, "keys", "\ntyped C-c Enter -l"), what="the command's output")


def test_key_names_when_not_literal(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "names", "command": SHELL})
    # C-c must reach the running program, not the shell before it started it (a flake under load): the
    # program says when it runs.
    client.call(
        "tmux.send_keys", {"name": "names", "keys": "sh -c 'echo ready-$((40+2)); exec sleep 300'", "enter": True}
    )
    wait_until(lambda: screen_shows(client, "names", "\nready-42"), what="the program to run")
    client.call("tmux.send_keys", {"name": "names", "keys": "C-c", "literal": False})
    client.call("tmux.send_keys", {"name": "names", "keys": "echo after-$((1+1))", "enter": True})
    wait_until(lambda: screen_shows(client, "names", "\nafter-2"), what="the shell back after C-c")


def test_capture_with_escapes_and_scrollback(client: ProtocolClient) -> None:
    client.call("tmux.new", {"name": "cap", "command": SHELL, "height": 20})
    client.call("tmux.send_keys", {"name": "cap", "keys": r"printf '\033[31mred-text\033[0m\n'", "enter": True})
    wait_until(lambda: screen_shows(client, "cap", "\x1b[31mred-text", escapes=True), what="colour escapes")
    assert "\x1b[" not in client.call("tmux.capture", {"name": "cap"})["content"]
    client.call("tmux.send_keys", {"name": "cap", "keys": "seq 1 300", "enter": True})
    wait_until(lambda: screen_shows(client, "cap", "\n300\n"), what="seq output")
    visible = client.call("tmux.capture", {"name": "cap"})["content"].splitlines()
    assert "300" in visible and "1" not in visible and len(visible) <= 20
    history = client.call("tmux.capture", {"name": "cap", "lines": 1000})["content"].splitlines()
    assert "1" in history and "300" in history


@pytest.mark.parametrize("bad", [{"lines": -1}, {"lines": "10"}, {"escapes": 1}])
def test_capture_bad_params(client: ProtocolClient, bad: dict[str, object]) -> None:
    client.call("tmux.new", {"name": "p", "command": "sleep 60"})
    assert client.error("tmux.capture", {"name": "p", **bad})["code"] == "invalid_params"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SessionNotFound("gone"), "not_found"),
        (SessionExists("twice"), "exists"),
        (TmuxUnavailable("tmux is not installed"), "tmux_error"),
        (TmuxError("unknown option -- z"), "tmux_error"),
    ],
)
def test_tmux_exceptions_become_typed_error_replies_with_their_message(error: TmuxError, code: str) -> None:
    @tmux_errors_as_replies
    async def handler() -> dict[str, object]:
        raise error

    with pytest.raises(RunnerError) as raised:
        asyncio.run(handler())
    assert (raised.value.code, raised.value.message) == (code, str(error))
