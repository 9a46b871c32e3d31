"""WebSocket tickets: single use, short-lived, bound to a user; bad ones close the socket with 4401."""

from __future__ import annotations

import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from controlplane.realtime.protocol import CLOSE_UNAUTHORIZED
from controlplane.realtime.redaction import RedactSecrets, redact
from controlplane.realtime.tickets import TicketStore
from tests.support.app import Account


def wait_subscribed(app: FastAPI, user_id: int) -> None:
    """The server subscribes after it has checked the ticket; publish only once it listens."""
    deadline = time.monotonic() + 10
    while app.state.events.fanout.count(user_id) == 0:
        assert time.monotonic() < deadline, "the events socket never subscribed"
        time.sleep(0.01)


def ticket_for(client: TestClient, account: Account) -> str:
    response = client.post("/api/ws-ticket", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 30
    return response.json()["ticket"]


def close_code(client: TestClient, url: str, first_message: str | None = None) -> int:
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as socket:
        if first_message is not None:
            socket.send_text(first_message)
        socket.receive_text()
    return closed.value.code


def test_ticket_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.post("/api/ws-ticket").status_code == 401


@pytest.mark.parametrize("query", ["", "?ticket=", "?ticket=made-up-ticket"])
def test_missing_or_unknown_tickets_close_with_4401(client: TestClient, alice: Account, query: str) -> None:
    assert close_code(client, f"/ws/events{query}", first_message='{"type": "hello"}') == CLOSE_UNAUTHORIZED


def test_a_ticket_works_once(client: TestClient, app: FastAPI, alice: Account) -> None:
    ticket = ticket_for(client, alice)
    with client.websocket_connect(f"/ws/events?ticket={ticket}") as socket:
        wait_subscribed(app, alice.id)
        app.state.events.publish(alice.id, {"type": "hello", "n": 1})
        assert socket.receive_json() == {"type": "hello", "n": 1}
    assert close_code(client, f"/ws/events?ticket={ticket}") == CLOSE_UNAUTHORIZED


def test_a_ticket_may_come_in_the_first_message(client: TestClient, app: FastAPI, alice: Account) -> None:
    ticket = ticket_for(client, alice)
    with client.websocket_connect("/ws/events") as socket:
        socket.send_json({"type": "auth", "ticket": ticket})
        wait_subscribed(app, alice.id)
        client.portal.call(app.state.events.publish, alice.id, {"type": "ok"})  # type: ignore[union-attr]
        assert socket.receive_json() == {"type": "ok"}


def test_an_expired_ticket_closes_with_4401(client: TestClient, app: FastAPI, alice: Account) -> None:
    app.state.tickets = TicketStore(ttl_seconds=-1)  # every ticket is born expired
    ticket = ticket_for_expired(client, alice)
    assert close_code(client, f"/ws/events?ticket={ticket}") == CLOSE_UNAUTHORIZED


def ticket_for_expired(client: TestClient, account: Account) -> str:
    return client.post("/api/ws-ticket", headers=account.headers).json()["ticket"]


def test_a_ticket_of_a_deleted_user_is_refused(client: TestClient, admin: Account, alice: Account) -> None:
    ticket = ticket_for(client, alice)
    assert client.delete(f"/api/users/{alice.id}", headers=admin.headers).status_code == 204
    assert close_code(client, f"/ws/events?ticket={ticket}") == CLOSE_UNAUTHORIZED


def test_tickets_and_tokens_are_redacted_from_log_lines() -> None:
    line = '127.0.0.1:5 - "WebSocket /ws/terminal/shell?ticket=SECRET123&cols=80" [accepted] Bearer abc.def.ghi'
    cleaned = redact(line)
    assert "SECRET123" not in cleaned and "abc.def.ghi" not in cleaned
    assert "ticket=[redacted]&cols=80" in cleaned
    import logging

    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]', ("a", "/ws/x?ticket=T0P"), None
    )
    assert RedactSecrets().filter(record) and "T0P" not in record.getMessage()
