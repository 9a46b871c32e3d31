"""The WebSocket half of the authorization matrix: every /ws route of the application (WebSockets are not in the
OpenAPI document: they are read from app.routes) against no ticket, a forged ticket, another user, an admin and
the owner, each with a real ticket from POST /api/ws-ticket and a real socket.

Expected, by class (docs/websockets.md's close codes, controlplane/realtime/protocol.py):
- no ticket or a forged one: closed with 4401 (CLOSE_UNAUTHORIZED), on every route;
- `owned` (the URL names a project, research, course, chat or social media manager of the owner's): another user
  and an admin are closed with 4404 (CLOSE_NOT_FOUND), exactly as for an id nobody has; the owner gets the stream's
  first frame (the backlog made below) or, for a terminal, 4503 (sandboxes are off here: the owner check comes
  first, so the others' 4404 still says something);
- `signed_in` (the caller's own things): every signed-in caller gets the same outcome, their own, never the owner's;
- `admin` (the events of everybody, ?scope=all): a user is closed with 4403, the admin gets the stream.

Classify a new WebSocket route in WS_ROUTES; `test_every_websocket_route_is_classified` fails until you do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from controlplane.custom.kind import conversation as custom_conversation
from controlplane.learning.kind import conversation as course_conversation
from controlplane.realtime.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNAVAILABLE,
)
from controlplane.research.kind import conversation as research_conversation
from controlplane.social.assistant import assistant_conversation
from tests.security.conftest import OWNER_MARK, World

Kind = Literal["signed_in", "owned", "admin"]
CALLERS = ("no-ticket", "forged-ticket", "other", "admin", "owner")
OPEN = 0  # the outcome "accepted: the first frame came"
NO_SUCH_ID = 2_000_000_000
DEADLINE = 10.0


@dataclass(frozen=True)
class WsRule:
    kind: Kind
    owner: int  # OPEN, or the close code the owner (signed_in: every signed-in caller; admin: the admin) gets
    url: Callable[[World], str]  # without the ticket
    nobody: Callable[[World], str] | None = None  # owned: the same URL with an id nobody has


def _ids(template: str, name: str) -> tuple[Callable[[World], str], Callable[[World], str]]:
    return (lambda w: template.format(w.ids[name])), (lambda w: template.format(NO_SUCH_ID))


WS_ROUTES: dict[str, WsRule] = {
    "/ws/terminal/{name}": WsRule("signed_in", CLOSE_UNAVAILABLE, lambda w: "/ws/terminal/shell"),
    "/ws/events": WsRule("signed_in", OPEN, lambda w: "/ws/events"),
    "/ws/events?scope=all": WsRule("admin", OPEN, lambda w: "/ws/events?scope=all"),
    "/ws/project/{project_id}/logs": WsRule("owned", OPEN, *_ids("/ws/project/{}/logs", "project")),
    "/ws/project/{project_id}/terminal": WsRule(
        "owned", CLOSE_UNAVAILABLE, *_ids("/ws/project/{}/terminal", "project")
    ),
    "/ws/research/{research_id}/chat": WsRule("owned", OPEN, *_ids("/ws/research/{}/chat", "research")),
    "/ws/course/{course_id}/chat": WsRule("owned", OPEN, *_ids("/ws/course/{}/chat", "course")),
    "/ws/chat/{chat_id}": WsRule("owned", OPEN, *_ids("/ws/chat/{}", "chat")),
    "/ws/social/ai/chat": WsRule("owned", OPEN, *_ids("/ws/social/ai/chat?agent_id={}", "social_agent")),
}


@pytest.fixture(scope="module")
def streams(world: World) -> World:
    """A first frame waiting in each of the owner's streams: a log line of the project, a message in each chat."""
    owner = world.owner.id
    world.app.state.logs.write(user_id=owner, project_id=world.ids["project"], level="info", message=OWNER_MARK)
    hub = world.app.state.chat
    with Session(world.app.state.engine) as session:
        assistant = assistant_conversation(session, owner, world.ids["social_agent"])
    for talk in (
        research_conversation(owner, world.ids["research"]),
        course_conversation(owner, world.ids["course"]),
        custom_conversation(owner, world.ids["chat"]),
        assistant,
    ):
        hub.user_message(talk, f"{OWNER_MARK} message", [])
    return world


def websocket_routes(world: World) -> set[str]:
    return {
        str(context.path_format)
        for context in iter_route_contexts(world.app.routes)
        if isinstance(context.original_route, APIWebSocketRoute)
    }


def test_every_websocket_route_is_classified(world: World) -> None:
    routes = websocket_routes(world)
    assert len(routes) >= 8
    classified = {key.split("?")[0] for key in WS_ROUTES}
    assert sorted(routes - classified) == [], f"classify these WebSocket routes in WS_ROUTES ({__name__})"
    assert sorted(classified - routes) == [], "WS_ROUTES names WebSocket routes the application no longer has"


def ticket(world: World, caller: str) -> str:
    world.client.cookies.clear()
    response = world.client.post("/api/ws-ticket", headers=world.caller(caller))
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


def wait_subscribed(world: World, user_id: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while world.app.state.events.fanout.count(user_id) == 0:
        assert time.monotonic() < deadline, "the events socket never subscribed"
        time.sleep(0.01)


def open_socket(world: World, url: str, caller: str, events_of: int | None = None) -> tuple[int, Any]:
    """(OPEN, the first frame) or (the close code, None). For /ws/events, `events_of` is the caller's id: once it
    listens, an event of the owner's and then one of the caller's own are published; the first frame must be the
    caller's own (the owner's own carries OWNER_MARK)."""
    if caller == "no-ticket":
        full, first_message = url, '{"type": "hello"}'
    else:
        secret = "forged-ticket-" + "x" * 20 if caller == "forged-ticket" else ticket(world, caller)
        full, first_message = f"{url}{'&' if '?' in url else '?'}ticket={secret}", None
    try:
        with world.client.websocket_connect(full) as socket:
            if first_message is not None:
                socket.send_text(first_message)
            elif events_of is not None:
                wait_subscribed(world, events_of)
                owners = {"type": "matrix", "for": world.owner.id, "note": OWNER_MARK}
                world.app.state.events.publish(world.owner.id, owners)
                if events_of != world.owner.id:
                    world.app.state.events.publish(events_of, {"type": "matrix", "for": events_of})
            return OPEN, socket.receive_json()
    except WebSocketDisconnect as closed:
        return closed.code, None


CELLS = [pytest.param(key, caller, id=f"{key} as {caller}") for key in WS_ROUTES for caller in CALLERS]


@pytest.mark.timeout(60)  # a socket wrongly left open would otherwise wait for a frame until the suite's timeout
@pytest.mark.parametrize(("key", "caller"), CELLS)
def test_websocket_cell(streams: World, key: str, caller: str) -> None:
    world, rule = streams, WS_ROUTES[key]
    if caller in ("no-ticket", "forged-ticket"):
        expected = CLOSE_UNAUTHORIZED
    elif rule.kind == "owned" and caller != "owner":
        expected = CLOSE_NOT_FOUND
    elif rule.kind == "admin" and caller != "admin":
        expected = CLOSE_FORBIDDEN
    else:
        expected = rule.owner
    url = rule.url(world)
    account = getattr(world, caller) if caller in ("other", "admin", "owner") else None
    events_of = account.id if account is not None and expected == OPEN and url.startswith("/ws/events") else None
    outcome, frame = open_socket(world, url, caller, events_of)
    said = f"{key} as {caller}: {outcome} {frame}"
    assert outcome == expected, said
    if outcome == OPEN:
        if events_of is not None:
            assert frame["for"] == events_of, said
        assert (OWNER_MARK in str(frame)) == (caller == "owner"), said
    if rule.kind == "owned" and caller in ("other", "admin") and rule.nobody is not None:
        assert open_socket(world, rule.nobody(world), caller) == (CLOSE_NOT_FOUND, None), (
            f"{key}: another's id must close like an id nobody has"
        )
