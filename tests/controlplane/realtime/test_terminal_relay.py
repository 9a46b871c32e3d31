"""The terminal relay end to end: a real server, real WebSockets, a real sandbox with real tmux."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from controlplane.config import Settings
from controlplane.models import User
from controlplane.realtime.protocol import CLOSE_NOT_FOUND, CLOSE_UNAUTHORIZED
from controlplane.sandbox.backend import SandboxUser
from controlplane.services.users import create_user
from tests.support.terminal_client import read_until, send, type_line
from tests.support.uvicorn_thread import ServedApp, serve_in_thread

pytestmark = pytest.mark.docker
PASSWORD = "password-123"
DEADLINE = 30.0


class LiveServer(ServedApp):
    def sign_up(self, username: str) -> str:
        with Session(self.app.state.engine) as session:
            create_user(session, self.app.state.settings, username, PASSWORD)
        return self.sign_in(username)[0]

    def sign_in(self, username: str) -> tuple[str, str]:
        """A sign-in of the person (a device): its access token and refresh cookie."""
        response = httpx.post(f"{self.base}/api/auth/login", json={"username": username, "password": PASSWORD})
        return response.json()["access_token"], response.cookies["autocode_refresh"]

    def ticket(self, token: str) -> str:
        response = httpx.post(f"{self.base}/api/ws-ticket", headers={"Authorization": f"Bearer {token}"})
        return response.json()["ticket"]

    def terminal(self, token: str, name: str = "shell", **query: int) -> ClientConnection:
        extra = "".join(f"&{key}={value}" for key, value in query.items())
        return connect(f"{self.ws_base}/ws/terminal/{name}?ticket={self.ticket(token)}{extra}", open_timeout=DEADLINE)


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """No backstop sweep during a test: an open terminal closes at once when its sign-in ends, or the test fails."""
    return sandbox_settings.model_copy(update={"open_socket_sweep_seconds": 3600})


@pytest.fixture
def live(sandbox_app: FastAPI) -> Iterator[LiveServer]:
    with serve_in_thread(sandbox_app) as served:
        yield LiveServer(served.base, served.app, served.loop)


def test_echo_comes_back(live: LiveServer) -> None:
    token = live.sign_up("alice")
    with live.terminal(token) as ws:
        type_line(ws, "echo relay-$((40+2))")
        read_until(ws, "relay-42")


def wait_for_size(ws: ClientConnection, cols: int, lines: int) -> None:
    """tmux applies a client's size asynchronously: ask the shell again until it reports the size."""
    deadline = time.monotonic() + DEADLINE
    while True:
        type_line(ws, "echo size=$(tput cols)x$(tput lines)")
        try:
            read_until(ws, f"size={cols}x{lines}", deadline=1)
            return
        except AssertionError:
            assert time.monotonic() < deadline, f"the terminal never became {cols}x{lines}"


def test_resize_changes_the_terminal_size(live: LiveServer) -> None:
    token = live.sign_up("alice")
    with live.terminal(token, cols=100, rows=30) as ws:
        wait_for_size(ws, 100, 29)  # the initial size from the query; tmux's status line takes one row
        send(ws, type="resize", cols=133, rows=41)
        wait_for_size(ws, 133, 40)


def test_a_resize_sent_as_soon_as_the_socket_opens_is_applied(live: LiveServer) -> None:
    """A phone that rotates while connecting: the resize arrives before the exec is attached, and still counts."""
    token = live.sign_up("alice")
    with live.terminal(token, cols=100, rows=30) as ws:
        send(ws, type="resize", cols=61, rows=37)  # before anything came back from the terminal
        wait_for_size(ws, 61, 36)
    with live.terminal(token) as ws:  # no size in the query at all: the early resize is the only one
        send(ws, type="resize", cols=71, rows=33)
        wait_for_size(ws, 71, 32)


def test_two_viewers_see_the_same_output_and_a_reconnect_sees_the_screen(live: LiveServer) -> None:
    token = live.sign_up("alice")
    with live.terminal(token) as first, live.terminal(token) as second:
        read_until(second, "$")  # the second viewer is attached before the command runs
        type_line(first, "echo shared-$((6*7))")
        read_until(first, "shared-42")
        read_until(second, "shared-42")
    with live.terminal(token) as again:
        read_until(again, "shared-42", deadline=10)  # tmux redraws the screen on attach


def _attached_clients(live: LiveServer, username: str, session: str) -> int:
    with Session(live.app.state.engine) as db:
        user = db.exec(select(User).where(User.username == username)).one()
    listing = live.portal_call(live.app.state.sandboxes.call, SandboxUser(user.id or 0, username), "tmux.list")
    return next(entry["attached"] for entry in listing["sessions"] if entry["name"] == session)


def wait_for_clients(live: LiveServer, username: str, count: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while (attached := _attached_clients(live, username, "shell")) != count:
        assert time.monotonic() < deadline, f"{attached} tmux clients attached, expected {count}"
        time.sleep(0.05)


def test_closing_the_browser_detaches_but_keeps_the_session(live: LiveServer) -> None:
    token = live.sign_up("alice")
    with live.terminal(token) as ws:
        type_line(ws, "export KEPT=yes-$((1+1))")
        read_until(ws, "KEPT")
        wait_for_clients(live, "alice", 1)
    wait_for_clients(live, "alice", 0)  # the closed viewer's tmux client was detached
    with live.terminal(token) as ws:
        type_line(ws, "echo kept=$KEPT")
        read_until(ws, "kept=yes-2")


def test_bad_messages_get_an_error_frame_and_the_socket_stays_open(live: LiveServer) -> None:
    token = live.sign_up("alice")
    with live.terminal(token) as ws:
        for bad in ('{"type": "explode"}', "not json", '{"type": "resize", "cols": 0, "rows": 5}', '{"type": "input"}'):
            ws.send(bad)
            while isinstance(reply := ws.recv(timeout=DEADLINE), bytes):
                pass
            assert json.loads(reply)["type"] == "error"
        send(ws, type="ping")
        while isinstance(reply := ws.recv(timeout=DEADLINE), bytes):
            pass
        assert json.loads(reply) == {"type": "pong"}


def _close_code(ws_factory) -> int:  # type: ignore[no-untyped-def]
    with ws_factory() as ws, pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=DEADLINE)
    return closed.value.rcvd.code if closed.value.rcvd else -1


def test_users_cannot_reach_each_others_sessions_or_tickets(live: LiveServer) -> None:
    alice, bob = live.sign_up("alice"), live.sign_up("bob")
    with live.terminal(alice) as ws:  # alice's sandbox now has a "work" session
        type_line(ws, "tmux new-session -d -s work 'sleep 600'; echo made-$((2+2))")
        read_until(ws, "made-4")
    assert _close_code(lambda: live.terminal(bob, name="work")) == CLOSE_NOT_FOUND
    ticket = live.ticket(alice)
    with connect(f"{live.ws_base}/ws/terminal/work?ticket={ticket}"):
        pass  # alice uses her ticket; nobody can use it again
    assert _close_code(lambda: connect(f"{live.ws_base}/ws/terminal/work?ticket={ticket}")) == CLOSE_UNAUTHORIZED
    assert _close_code(lambda: connect(f"{live.ws_base}/ws/terminal/shell?ticket=forged")) == CLOSE_UNAUTHORIZED


def test_signing_out_ends_that_sign_ins_open_terminal_and_detaches_it(live: LiveServer) -> None:
    """The relay's cleanup (exec closed, tmux client detached) runs before the 4401 goes out; the same person's
    other sign-in keeps its terminal."""
    other = live.sign_up("alice")
    token, refresh = live.sign_in("alice")
    with live.terminal(token) as ws, live.terminal(other) as kept:
        type_line(ws, "echo before-$((1+1))")
        read_until(ws, "before-2")
        wait_for_clients(live, "alice", 2)

        assert httpx.post(f"{live.base}/api/auth/logout", cookies={"autocode_refresh": refresh}).status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=DEADLINE)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORIZED
        # The 4401 goes out once the handler's cleanup (exec closed, tmux client detached) has run.
        assert live.app.state.open_sockets.count() == 1
        wait_for_clients(live, "alice", 1)  # tmux counts a client until it has exited

        type_line(kept, "echo kept-$((2+2))")
        read_until(kept, "kept-4")


def test_stopping_the_sandbox_ends_an_open_terminal_and_it_stays_stopped(live: LiveServer) -> None:
    """The relay's tidy-up after the stop (detaching its tmux client) must not start the sandbox again: it once
    did, so a workspace an admin stopped came back while the person's terminal page was open."""
    token = live.sign_up("alice")
    headers = {"Authorization": f"Bearer {token}"}
    with live.terminal(token) as ws:
        type_line(ws, "echo relay-$((40+2))")
        read_until(ws, "relay-42")
        stopped = httpx.post(f"{live.base}/api/sandbox/stop", headers=headers, timeout=DEADLINE)
        assert stopped.status_code == 200, stopped.text
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=DEADLINE)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    deadline = time.monotonic() + DEADLINE
    while live.app.state.open_sockets.count():  # the relay's tidy-up has run once its socket is let go
        assert time.monotonic() < deadline, "the terminal's handler never ended"
        time.sleep(0.05)
    after = httpx.get(f"{live.base}/api/sandbox", headers=headers).json()
    assert (after["state"], after["desired_state"]) == ("stopped", "stopped")
    assert stopped.json()["desired_state"] == "stopped"
