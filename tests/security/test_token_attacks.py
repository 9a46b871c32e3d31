"""Token attacks (issue 17): what someone holding a stolen, forged, stale or misdirected token or ticket gets.

Already covered elsewhere, not repeated here (each against the real app):
- forged access tokens, all answered 401 with a Bearer challenge, in tests/controlplane/api/test_auth.py::
  test_me_rejects_invalid_access_token[...]: `alg-none-by-hand`, `alg-none-via-pyjwt` (alg: none),
  `signed-with-another-key` (a foreign key), `hs512-instead-of-hs256` (an algorithm swap), `tampered-subject`
  (a tampered claim), `expired`, `type-refresh`, `type-missing`, `exp-missing`, `non-numeric-subject`,
  `malformed`, `three-junk-segments`, `truncated`; their control is
  test_hand_built_token_with_the_right_key_is_accepted;
- a deleted user's token: test_token_of_a_deleted_user_is_rejected,
  test_token_of_a_deleted_user_does_not_open_a_newer_account;
- a reused refresh token revokes its whole family: test_reusing_a_rotated_refresh_token_revokes_the_whole_family,
  test_refresh_token_reuse_leaves_other_sessions_alone, test_concurrent_refreshes_with_one_token_let_exactly_one_win;
  an expired or unknown one: test_expired_refresh_token_is_401, test_refresh_with_unknown_token_is_401;
- the access token of a signed-out sign-in: test_logout_ends_that_sign_ins_access_token_at_once_and_no_other; of
  a password reset: test_a_password_reset_ends_every_access_token_of_that_person_at_once;
- tickets, in tests/controlplane/realtime/test_tickets.py: used twice (test_a_ticket_works_once), missing or made
  up (test_missing_or_unknown_tickets_close_with_4401), born expired (test_an_expired_ticket_closes_with_4401), of
  a deleted user (test_a_ticket_of_a_deleted_user_is_refused);
- another user's resource over every REST route and WebSocket: tests/security/test_authorization_matrix.py and
  tests/security/test_websocket_matrix.py.

Added here: a ticket used just before and just after its 30 seconds (on the ticket store's clock); a ticket used
for another user's resource, on every WebSocket that names one (it is spent by the attempt); tickets are not bound
to a route, by design, so the route's owner check is what stops a ticket on a foreign resource; a ticket issued
under a sign-in that has ended since (signed out, password reset) opens nothing; an access token naming a sign-in
(sid) of another user's, a made-up one, or one of the user's own that was signed out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx2
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from controlplane.config import Settings
from controlplane.models import utcnow
from controlplane.realtime.protocol import CLOSE_NOT_FOUND, CLOSE_UNAUTHORIZED
from controlplane.realtime.tickets import TICKET_TTL_SECONDS, TicketStore
from controlplane.research.kind import conversation as research_conversation
from tests.support.app import USER_PASSWORD, Account, create_agent

REFRESH_COOKIE = "autocode_refresh"
COOKIE_DOMAIN = "testserver.local"


class TicketClock:
    """The ticket store's clock, moved by hand (monotonic seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ticket_for(client: TestClient, account: Account) -> str:
    response = client.post("/api/ws-ticket", headers=account.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


def events_open(client: TestClient, app: FastAPI, account: Account, ticket: str) -> bool:
    """Whether the ticket opens /ws/events as the account: an event published to them arrives (published again and
    again from a thread until the socket has a frame or is closed, so neither outcome waits on a timer)."""
    received = threading.Event()

    def publish_until_received() -> None:
        while not received.wait(0.02):
            app.state.events.publish(account.id, {"type": "probe"})

    publisher = threading.Thread(target=publish_until_received, daemon=True)
    try:
        with client.websocket_connect(f"/ws/events?ticket={ticket}") as socket:
            publisher.start()
            assert socket.receive_json() == {"type": "probe"}
            return True
    except WebSocketDisconnect as closed:
        assert closed.code == CLOSE_UNAUTHORIZED, closed.code
        return False
    finally:
        received.set()
        if publisher.is_alive():
            publisher.join()


def close_code(client: TestClient, url: str) -> int | None:
    """The code the socket is closed with, or None if a frame came first."""
    try:
        with client.websocket_connect(url) as socket:
            socket.receive_json()
            return None
    except WebSocketDisconnect as closed:
        return closed.code


# -- tickets: 30 seconds --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("age", "opens"), [(TICKET_TTL_SECONDS - 0.1, True), (TICKET_TTL_SECONDS + 0.1, False)])
def test_a_ticket_opens_a_socket_for_30_seconds_and_not_after(
    client: TestClient, app: FastAPI, alice: Account, age: float, opens: bool
) -> None:
    clock = TicketClock()
    app.state.tickets = TicketStore(clock=clock)
    ticket = ticket_for(client, alice)
    clock.now += age

    assert events_open(client, app, alice, ticket) is opens


# -- tickets: another user's resource ------------------------------------------------------------------------------
OwnedSocket = Callable[[TestClient, Account], str]


def _research(client: TestClient, account: Account) -> str:
    agent = create_agent(client, account, template="research", name="Research")["id"]
    made = client.post(f"/api/agents/{agent}/research", json={"name": "Mine"}, headers=account.headers)
    return f"/ws/research/{made.json()['id']}/chat"


def _project(client: TestClient, account: Account) -> str:
    agent = create_agent(client, account, template="coding", name="Coder")["id"]
    body = {"name": "Mine", "description": "A page."}
    made = client.post(f"/api/agents/{agent}/projects", json=body, headers=account.headers)
    return f"/ws/project/{made.json()['id']}/logs"


def _custom_chat(client: TestClient, account: Account) -> str:
    agent = create_agent(client, account, name="Helper", model="anthropic/claude-sonnet-4-5", identity="You help.")
    made = client.post(f"/api/agents/{agent['id']}/chats", json={"title": "Mine"}, headers=account.headers)
    return f"/ws/chat/{made.json()['id']}"


def _social(client: TestClient, account: Account) -> str:
    agent = create_agent(client, account, template="social_media", name="Posts")["id"]
    return f"/ws/social/ai/chat?agent_id={agent}"


FOREIGN: dict[str, OwnedSocket] = {
    "research-chat": _research,
    "project-logs": _project,
    "custom-chat": _custom_chat,
    "social-assistant": _social,
}


@pytest.mark.parametrize("alices", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_ticket_on_another_users_resource_closes_not_found_and_is_spent(
    client: TestClient, app: FastAPI, alice: Account, bob: Account, alices: OwnedSocket
) -> None:
    """Tickets are not bound to a route or a resource (one ticket, any socket of its user's): what stops Bob's
    ticket on Alice's socket is the route's owner check, the same as REST's. The attempt spends the ticket."""
    url = alices(client, alice)
    ticket = ticket_for(client, bob)

    assert close_code(client, f"{url}{'&' if '?' in url else '?'}ticket={ticket}") == CLOSE_NOT_FOUND
    assert not events_open(client, app, bob, ticket), "a ticket is used once, even by a refused attempt"


def test_a_ticket_is_not_bound_to_a_route(client: TestClient, app: FastAPI, alice: Account) -> None:
    """The design the test above relies on, stated: any ticket of Alice's opens any socket of hers."""
    url = _research(client, alice)
    research_id = int(url.split("/")[3])
    app.state.chat.user_message(research_conversation(alice.id, research_id), "Hello", [])  # a frame to receive

    for _ in range(2):  # two tickets, asked for alike: one opens the research chat, the other the events
        assert close_code(client, f"{url}?ticket={ticket_for(client, alice)}") is None
        assert events_open(client, app, alice, ticket_for(client, alice))


# -- tickets of a sign-in that has ended ----------------------------------------------------------------------------
def sign_in(client: TestClient, account: Account) -> tuple[Account, str]:
    """A sign-in of its own: (the account with its access token, its refresh token)."""
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": account.username, "password": USER_PASSWORD})
    assert response.status_code == 200, response.text
    refresh = response.cookies[REFRESH_COOKIE]
    client.cookies.clear()
    return Account(account.id, account.username, USER_PASSWORD, response.json()["access_token"]), refresh


def sign_out(client: TestClient, refresh: str) -> None:
    client.cookies.clear()
    client.cookies.set(REFRESH_COOKIE, refresh, domain=COOKIE_DOMAIN, path="/api/auth")
    assert client.post("/api/auth/logout").status_code == 204
    client.cookies.clear()


def test_a_ticket_issued_before_signing_out_opens_nothing_after(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    phone, refresh = sign_in(client, alice)
    kept, spent = ticket_for(client, phone), ticket_for(client, phone)
    other_device = ticket_for(client, alice)
    assert events_open(client, app, alice, spent), "control: the sign-in's ticket works while it stands"

    sign_out(client, refresh)

    assert not events_open(client, app, alice, kept)
    assert events_open(client, app, alice, other_device), "the person's other sign-ins are untouched"


def test_a_ticket_issued_before_a_password_reset_opens_nothing_after(
    client: TestClient, app: FastAPI, admin: Account, alice: Account
) -> None:
    ticket = ticket_for(client, alice)
    reset = client.patch(f"/api/users/{alice.id}", headers=admin.headers, json={"password": "a-new-password-2"})
    assert reset.status_code == 200, reset.text

    assert not events_open(client, app, alice, ticket)


# -- access tokens naming a sign-in that is not theirs or has ended ---------------------------------------------
def claims_of(account: Account) -> dict[str, Any]:
    return dict(jwt.decode(account.token, options={"verify_signature": False}))


def signed(settings: Settings, claims: dict[str, Any]) -> str:
    """A token as the server would sign it (the key is the server's): only the sign-in check can refuse it."""
    now = int(utcnow().timestamp())
    return jwt.encode({**claims, "iat": now, "exp": now + 600}, settings.signing_key, algorithm="HS256")


def me(client: TestClient, token: str) -> httpx2.Response:
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _bobs_sign_in(client: TestClient, alice: Account, bob: Account) -> str:
    return str(claims_of(bob)["sid"])


def _made_up(client: TestClient, alice: Account, bob: Account) -> str:
    return "f" * 32


def _signed_out(client: TestClient, alice: Account, bob: Account) -> str:
    ended, refresh = sign_in(client, alice)
    sign_out(client, refresh)
    return str(claims_of(ended)["sid"])


SIGN_INS: dict[str, Callable[[TestClient, Account, Account], str]] = {
    "another-users-sign-in": _bobs_sign_in,
    "made-up-sign-in": _made_up,
    "own-signed-out-sign-in": _signed_out,
}


@pytest.mark.parametrize("sign_in_of", SIGN_INS.values(), ids=SIGN_INS.keys())
def test_an_access_token_naming_a_sign_in_that_is_not_live_and_hers_is_refused(
    client: TestClient, settings: Settings, alice: Account, bob: Account, sign_in_of: Any
) -> None:
    control = signed(settings, claims_of(alice))
    assert me(client, control).status_code == 200, "control: re-signed with her own live sign-in"
    forged = signed(settings, {**claims_of(alice), "sid": sign_in_of(client, alice, bob)})

    answer = me(client, forged)

    assert answer.status_code == 401, answer.text
    assert client.post("/api/ws-ticket", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert me(client, bob.token).json()["username"] == "bob", "Bob's own sign-in is untouched"
