"""A WebSocket that is already open ends with its sign-in (issue 17; controlplane/realtime/open_sockets.py).

A real server (uvicorn in a thread, sandboxes off) and real WebSocket clients. For each way a sign-in ends
(signing out, one's own password change, an admin's reset, a demotion, deleting the account, a reused refresh
token), the sockets of that sign-in are closed with 4401 promptly, while the same person's other sign-in (where it
stands) and another person keep theirs and still receive frames. Every non-terminal /ws route is covered (the
terminals, which need a sandbox, in tests/controlplane/realtime/test_terminal_relay.py), and so is the backstop
sweep, for a sign-in ended where no route could tell (a password reset from the CLI, another process).

The hooked cases run with the sweep at an hour, so what closes their sockets is the route, not the sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from sqlmodel import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from controlplane.config import Settings
from controlplane.custom.kind import conversation as custom_conversation
from controlplane.main import create_app
from controlplane.models import User
from controlplane.realtime.open_sockets import ENDED_REASON
from controlplane.realtime.protocol import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED
from controlplane.services.auth import live_user
from controlplane.services.users import create_user, update_user
from tests.support.uvicorn_thread import ServedApp, serve_in_thread
from tests.support.waiting import wait_until

PASSWORD = "sockets-password-1"
REFRESH_COOKIE = "autocode_refresh"
DEADLINE = 10.0  # for a close that should come at once; generous for a loaded machine
_names = itertools.count()


def _settings(data_dir: Path, sweep_seconds: float) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=data_dir / "no-frontend",
        sandboxes_enabled=False,
        open_socket_sweep_seconds=sweep_seconds,
    )


@dataclass
class SignIn:
    """One sign-in of a person: its access token and refresh cookie."""

    user_id: int
    username: str
    token: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Server:
    served: ServedApp

    @property
    def app(self) -> FastAPI:
        return self.served.app

    def url(self, path: str) -> str:
        return f"{self.served.base}{path}"

    def person(self, role: str = "user") -> SignIn:
        """A new account, signed in once."""
        username = f"person{next(_names)}"
        with Session(self.app.state.engine) as session:
            create_user(session, self.app.state.settings, username, PASSWORD, role=role)
        return self.sign_in(username)

    def sign_in(self, username: str, password: str = PASSWORD) -> SignIn:
        """Another sign-in (another device) of the person."""
        response = httpx.post(self.url("/api/auth/login"), json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        me = httpx.get(self.url("/api/auth/me"), headers={"Authorization": f"Bearer {response.json()['access_token']}"})
        return SignIn(me.json()["id"], username, response.json()["access_token"], response.cookies[REFRESH_COOKIE])

    def call(self, method: str, path: str, who: SignIn, expect: int, **kwargs: Any) -> Any:
        response = httpx.request(method, self.url(path), headers=who.headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def with_cookie(self, path: str, refresh: str) -> httpx.Response:
        return httpx.post(self.url(path), cookies={REFRESH_COOKIE: refresh})

    def open(self, path: str, who: SignIn, held: bool = True) -> ClientConnection:
        """A socket opened as `who` with a fresh ticket; held by the server before this returns (unless `held` is
        False: a socket the server refuses is held only for the moment it takes to refuse it)."""
        ticket = self.call("POST", "/api/ws-ticket", who, 200)["ticket"]
        before = self.app.state.open_sockets.count(who.user_id)
        separator = "&" if "?" in path else "?"
        socket = connect(f"{self.served.ws_base}{path}{separator}ticket={ticket}", open_timeout=DEADLINE)
        if held:
            wait_until(lambda: self.app.state.open_sockets.count(who.user_id) > before, DEADLINE, f"{path} held")
        return socket

    def events(self, who: SignIn, scope: str = "") -> ClientConnection:
        socket = self.open(f"/ws/events{scope}", who)
        wait_until(lambda: self.app.state.events.fanout.count(who.user_id) > 0, DEADLINE, "events subscribed")
        return socket


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    app = create_app(_settings(tmp_path_factory.mktemp("sockets") / "data", sweep_seconds=3600))
    with serve_in_thread(app) as served:
        yield Server(served)


def closed_with(socket: ClientConnection, deadline: float = DEADLINE) -> tuple[int, str]:
    """The close code and reason the server sends (frames before it are skipped); fails at the deadline."""
    end = time.monotonic() + deadline
    while True:
        remaining = end - time.monotonic()
        assert remaining > 0, "the socket is still open"
        try:
            socket.recv(timeout=remaining)
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, f"closed without a close frame from the server: {closed}"
            return closed.rcvd.code, closed.rcvd.reason


def still_receives(server: Server, socket: ClientConnection, who: SignIn) -> None:
    """An events socket that still stands: an event published to its person arrives."""
    probe = {"type": "probe", "n": next(_names)}
    server.app.state.events.publish(who.user_id, probe)
    while (frame := json.loads(socket.recv(timeout=DEADLINE))) != probe:
        assert frame.get("type") == "probe", frame  # an earlier probe of this test, nothing else


def ended(server: Server, socket: ClientConnection, who: SignIn) -> None:
    assert closed_with(socket) == (CLOSE_UNAUTHORIZED, ENDED_REASON)
    wait_until(lambda: server.app.state.open_sockets.count(who.user_id) == 0, DEADLINE, "the handlers ended")


# -- each way a sign-in ends -----------------------------------------------------------------------------------------
def test_signing_out_closes_that_sign_ins_sockets_and_no_others(server: Server) -> None:
    phone = server.person()
    laptop, bob = server.sign_in(phone.username), server.person()
    with server.events(phone) as phones, server.events(laptop) as laptops, server.events(bob) as bobs:
        assert server.with_cookie("/api/auth/logout", phone.refresh).status_code == 204

        assert closed_with(phones) == (CLOSE_UNAUTHORIZED, ENDED_REASON)
        still_receives(server, laptops, laptop)
        still_receives(server, bobs, bob)
        assert server.app.state.open_sockets.count(phone.user_id) == 1  # the laptop's


def test_a_password_change_closes_every_sign_in_and_the_new_one_reconnects(server: Server) -> None:
    phone = server.person()
    laptop, bob = server.sign_in(phone.username), server.person()
    with server.events(phone) as phones, server.events(laptop) as laptops, server.events(bob) as bobs:
        body = {"current_password": PASSWORD, "new_password": "sockets-password-2"}
        tokens = server.call("POST", "/api/auth/password", laptop, 200, json=body)

        assert closed_with(phones)[0] == CLOSE_UNAUTHORIZED
        ended(server, laptops, laptop)  # the laptop goes on under a new sign-in, with the tokens in the answer
        still_receives(server, bobs, bob)
    renewed = SignIn(laptop.user_id, laptop.username, tokens["access_token"], "")
    with server.events(renewed) as again:
        still_receives(server, again, renewed)


def test_an_admins_password_reset_closes_the_persons_sockets(server: Server) -> None:
    admin, alice, bob = server.person("admin"), server.person(), server.person()
    with server.events(alice) as alices, server.events(bob) as bobs, server.events(admin) as admins:
        server.call("PATCH", f"/api/users/{alice.user_id}", admin, 200, json={"password": "sockets-password-3"})

        ended(server, alices, alice)
        still_receives(server, bobs, bob)
        still_receives(server, admins, admin)


def test_a_demoted_admin_loses_everybodys_events_at_once(server: Server) -> None:
    admin, second = server.person("admin"), server.person("admin")
    bob = server.person()
    with server.events(second, "?scope=all") as everything, server.events(bob) as bobs:
        server.call("PATCH", f"/api/users/{second.user_id}", admin, 200, json={"role": "user"})

        ended(server, everything, second)
        still_receives(server, bobs, bob)
    # The sign-in itself stands: a new ticket opens the person's own events, and no longer everybody's.
    with server.open("/ws/events?scope=all", second, held=False) as again:
        assert closed_with(again)[0] == CLOSE_FORBIDDEN
    with server.events(second) as own:
        still_receives(server, own, second)


def test_a_demotion_while_a_socket_is_being_checked_makes_the_check_read_again(server: Server) -> None:
    """The race the route's close cannot see: the socket's check read "admin" just before the demotion committed,
    and the demotion's close_ended found the socket still being checked (no role yet). Its check is told to read
    the person again, and then sees the new role."""
    admin, second = server.person("admin"), server.person("admin")
    ticket = server.call("POST", "/api/ws-ticket", second, 200)["ticket"]
    holder = server.app.state.tickets.redeem(ticket)
    sockets = server.app.state.open_sockets

    def role_now() -> str:
        with Session(server.app.state.engine) as session:
            user = live_user(session, holder.user_id, holder.session_id)
            assert user is not None
            return str(user.role)

    async def opening() -> list[str]:
        seen: list[str] = []
        # Only a socket that is ended is closed through it, and this one stands.
        async with sockets.holding(None, holder.user_id, holder.session_id) as held:  # type: ignore[arg-type]
            seen.append(role_now())  # the check reads the person: still an admin
            await asyncio.to_thread(
                server.call, "PATCH", f"/api/users/{second.user_id}", admin, 200, json={"role": "user"}
            )
            while not sockets.settle(held, seen[-1]):
                seen.append(role_now())
            assert held.role == seen[-1]
        return seen

    assert asyncio.run(opening()) == ["admin", "user"]


def test_a_display_name_change_closes_nothing(server: Server) -> None:
    """The control for the two above: an admin's change that ends no sign-in leaves the person's sockets open."""
    admin, alice = server.person("admin"), server.person()
    with server.events(alice) as alices:
        server.call("PATCH", f"/api/users/{alice.user_id}", admin, 200, json={"display_name": "Alice A."})
        still_receives(server, alices, alice)
        assert server.app.state.open_sockets.count(alice.user_id) == 1


def test_deleting_an_account_closes_its_sockets(server: Server) -> None:
    admin, alice, bob = server.person("admin"), server.person(), server.person()
    with server.events(alice) as alices, server.events(bob) as bobs:
        server.call("DELETE", f"/api/users/{alice.user_id}", admin, 204)

        ended(server, alices, alice)
        still_receives(server, bobs, bob)


def test_a_reused_refresh_token_closes_that_sign_ins_sockets(server: Server) -> None:
    phone = server.person()
    laptop = server.sign_in(phone.username)
    first = server.with_cookie("/api/auth/refresh", phone.refresh)
    second = server.with_cookie("/api/auth/refresh", first.cookies[REFRESH_COOKIE])
    assert first.status_code == second.status_code == 200
    renewed = SignIn(phone.user_id, phone.username, second.json()["access_token"], second.cookies[REFRESH_COOKIE])
    with server.events(renewed) as phones, server.events(laptop) as laptops:
        stolen = server.with_cookie("/api/auth/refresh", phone.refresh)  # used twice since: a copy
        assert stolen.status_code == 401, stolen.text

        ended_code, _ = closed_with(phones)
        assert ended_code == CLOSE_UNAUTHORIZED
        still_receives(server, laptops, laptop)


# -- every stream that is not a terminal -----------------------------------------------------------------------------
def _owned_streams(server: Server, owner: SignIn) -> dict[str, str]:
    """The owner's project, research, course, custom chat and social media manager: each stream's path."""
    server.call("POST", "/api/settings/api-keys", owner, 201, json={"provider": "anthropic", "key": "sk-" + "1" * 24})

    def agent(**body: Any) -> int:
        return int(server.call("POST", "/api/agents", owner, 201, json={"name": f"agent {next(_names)}", **body})["id"])

    coding, research, learning = agent(template="coding"), agent(template="research"), agent(template="learning")
    social, custom = agent(template="social_media"), agent(model="anthropic/claude-sonnet-4-5", identity="You help.")
    project = server.call("POST", f"/api/agents/{coding}/projects", owner, 201, json={"name": "p", "description": "d"})
    research_row = server.call("POST", f"/api/agents/{research}/research", owner, 201, json={"name": "r"})
    subject = server.call("POST", f"/api/agents/{learning}/subjects", owner, 201, json={"name": "s"})
    course = server.call(
        "POST", f"/api/subjects/{subject['id']}/courses", owner, 201, json={"name": "c", "instructions": "Talk."}
    )
    chat = server.call("POST", f"/api/agents/{custom}/chats", owner, 201, json={"title": "t"})
    return {
        "/ws/events": "/ws/events",
        "/ws/project/{project_id}/logs": f"/ws/project/{project['id']}/logs",
        "/ws/research/{research_id}/chat": f"/ws/research/{research_row['id']}/chat",
        "/ws/course/{course_id}/chat": f"/ws/course/{course['id']}/chat",
        "/ws/chat/{chat_id}": f"/ws/chat/{chat['id']}",
        "/ws/social/ai/chat": f"/ws/social/ai/chat?agent_id={social}",
    }


TERMINALS = {"/ws/terminal/{name}", "/ws/project/{project_id}/terminal"}  # test_terminal_relay.py (a sandbox)


def test_every_open_stream_of_a_signed_out_sign_in_closes(server: Server) -> None:
    owner = server.person()
    other_device = server.sign_in(owner.username)
    streams = _owned_streams(server, owner)
    routes = {
        str(context.path_format)
        for context in iter_route_contexts(server.app.routes)
        if isinstance(context.original_route, APIWebSocketRoute)
    }
    assert sorted(routes - TERMINALS - streams.keys()) == [], "a WebSocket route this test does not open"

    with contextlib.ExitStack() as stack:
        sockets = {route: stack.enter_context(server.open(path, owner)) for route, path in streams.items()}
        kept = stack.enter_context(server.open(streams["/ws/chat/{chat_id}"], other_device))
        assert server.with_cookie("/api/auth/logout", owner.refresh).status_code == 204

        closes = {route: closed_with(socket) for route, socket in sockets.items()}
        assert closes == dict.fromkeys(streams, (CLOSE_UNAUTHORIZED, ENDED_REASON))
        # The other device's chat stays subscribed and hears the next message.
        chat_id = int(streams["/ws/chat/{chat_id}"].rsplit("/", 1)[1])
        server.app.state.chat.user_message(custom_conversation(owner.user_id, chat_id), "still here", [])
        while "still here" not in json.dumps(frame := json.loads(kept.recv(timeout=DEADLINE))):
            assert "seq" in frame, frame
        wait_until(lambda: server.app.state.open_sockets.count(owner.user_id) == 1, DEADLINE, "the handlers ended")


# -- the backstop sweep ----------------------------------------------------------------------------------------------
def test_the_sweep_closes_a_socket_whose_sign_in_ended_where_no_route_saw_it(tmp_path: Path) -> None:
    """As `autocode admin reset-password` does from another process: the service called on the database directly."""
    app = create_app(_settings(tmp_path / "data", sweep_seconds=0.2))
    with serve_in_thread(app) as served:
        server = Server(served)
        alice, bob = server.person(), server.person()
        with server.events(alice) as alices, server.events(bob) as bobs:
            with Session(app.state.engine) as session:
                user = session.get(User, alice.user_id)
                assert user is not None
                update_user(session, user, settings=app.state.settings, actor=user, password="sockets-password-4")

            ended(server, alices, alice)
            still_receives(server, bobs, bob)


def test_close_ended_is_safe_from_a_worker_thread_and_counts_what_it_closed(server: Server) -> None:
    """The registry's own answer, as a route in the threadpool calls it: nothing for a standing sign-in."""
    alice = server.person()
    with server.events(alice) as alices:
        sockets = server.app.state.open_sockets
        assert sockets.close_ended(alice.user_id) == 0
        with Session(server.app.state.engine) as session:
            user = session.get(User, alice.user_id)
            assert user is not None
            session.delete(user)
            session.commit()
        assert sockets.close_ended(alice.user_id) == 1
        ended(server, alices, alice)
