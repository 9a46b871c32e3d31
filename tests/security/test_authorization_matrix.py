"""The authorization matrix (issue 17): every HTTP route of the application, read from the OpenAPI document (and the
routes left out of it), against four callers: anonymous, another user, the owner and an admin.

Each route is classified once, in ROUTES below, with a real request that passes validation:
- `public`: no sign-in needed; every caller gets the same answer (the given status).
- `signed_in`: anyone signed in, about their own things only (no id of someone else's in the request): anonymous
  401; the owner, another user and an admin each get their own answer (the given statuses), and nobody's answer
  holds the owner's data (OWNER_MARK).
- `owned`: the request names a resource of the owner's (in the path, the query or the body): anonymous 401;
  another user and an admin 404 (as for an id that does not exist: ids reveal nothing; admins are people here
  too); the owner the given statuses (503 where the route reaches the sandbox, which is off in these tests: the
  owner check comes first, so the other callers' 404 still says something).
- `admin`: anonymous 401, a user 403, the admin the given statuses.

Every status a cell observes on an operation of the OpenAPI document must be one the document lists for it
(controlplane/api/documented_errors.py derives them), a 401 with its `WWW-Authenticate: Bearer` challenge.

Classify a new route by adding its "METHOD /path" to ROUTES with its class, the owner's (or admin's) expected
statuses and a request builder; `test_every_route_is_classified` fails until you do. One test per cell, so a
failure names the route and the caller. Routes that destroy what they reach get a fresh resource per cell, and
a refused caller's cell checks the resource is still there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from PIL import Image
from starlette.routing import Route

from tests.security.conftest import DOOR, OWNER_MARK, PASSWORD, REFRESH_COOKIE, World

Kind = Literal["public", "signed_in", "owned", "admin"]
CALLERS = ("anonymous", "other", "admin", "owner")
COOKIE_DOMAIN = "testserver.local"  # where the test client files cookies set by http://testserver
NO_SUCH_ID = 2_000_000_000  # an id nobody has: another user's id must answer exactly like it


@dataclass(frozen=True)
class Call:
    """One request: path parameters, query, body; `survives` says the owner's resource is still there (checked
    after a refused caller's cell of a route that changes or removes it)."""

    path: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    survives: Callable[[], bool] | None = None


Builder = Callable[[World], Call]


@dataclass(frozen=True)
class Rule:
    kind: Kind
    # public: everyone's answer; signed_in: each signed-in caller's; owned: the owner's; admin: the admin's
    statuses: tuple[int, ...]
    call: Builder = lambda w: Call()
    foreign: int = 404  # owned: what another user and an admin get


def public(status: int, call: Builder | None = None) -> Rule:
    return Rule("public", (status,), call or (lambda w: Call()))


def signed_in(*statuses: int, call: Builder | None = None) -> Rule:
    return Rule("signed_in", statuses, call or (lambda w: Call()))


def owned(*statuses: int, call: Builder, foreign: int = 404) -> Rule:
    return Rule("owned", statuses, call, foreign)


def admin(*statuses: int, call: Builder | None = None) -> Rule:
    return Rule("admin", statuses, call or (lambda w: Call()))


# -- request builders ------------------------------------------------------------------------------------------------
def door_cookie(w: World) -> Call:
    """A refresh cookie of a sign-in of its own (the public auth routes rotate or end it)."""
    w.client.cookies.clear()
    response = w.client.post("/api/auth/login", json={"username": DOOR, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.cookies[REFRESH_COOKIE]
    w.client.cookies.clear()
    return Call(cookies={REFRESH_COOKIE: token})


def exists(w: World, url: str) -> Callable[[], bool]:
    def check() -> bool:
        w.client.cookies.clear()
        return w.client.get(url, headers=w.owner.headers).status_code == 200

    return check


def listed(w: World, url: str, item_id: int) -> Callable[[], bool]:
    def check() -> bool:
        w.client.cookies.clear()
        return item_id in [item["id"] for item in w.client.get(url, headers=w.owner.headers).json()]

    return check


def path(**names: str) -> Builder:
    """Path parameters from the world's ids: path(agent_id="coding_agent")."""
    return lambda w: Call(path={param: w.ids[name] for param, name in names.items()})


def with_body(body: Callable[[World], Any], **names: str) -> Builder:
    return lambda w: Call(path={param: w.ids[name] for param, name in names.items()}, json=body(w))


def social_query(**extra: Any) -> Builder:
    return lambda w: Call(params={"agent_id": w.ids["social_agent"], **extra})


def jpeg(w: World) -> Call:
    picture = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(picture, format="JPEG")
    return Call(params={"name": "matrix.jpg"}, content=picture.getvalue(), headers={"Content-Type": "image/jpeg"})


def fresh(make: Callable[[World], int], param: str, still: Callable[[World, int], Callable[[], bool]]) -> Builder:
    def build(w: World) -> Call:
        item = make(w)
        return Call(path={param: item}, survives=still(w, item))

    return build


def pick(w: World) -> Call:
    connection = w.connection()
    keys = w.connection_keys(connection)
    return Call(
        path={"connection_id": connection},
        json={"keys": keys},
        survives=exists(w, f"/api/social/connections/{connection}"),
    )


def new_post(w: World) -> dict[str, Any]:
    return {
        "agent_id": w.ids["social_agent"],
        "text": "matrix post",
        "media_ids": [w.ids["media"]],
        "account_ids": [w.ids["instagram_account"]],
        "scheduled_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }


def named(stem: str) -> Callable[[World], dict[str, Any]]:
    """A body with a new name (no OWNER_MARK: another caller's own answer echoes it)."""
    return lambda w: {"name": f"matrix {stem} {next(w._counter)}"}


# -- the classification: every route, once ---------------------------------------------------------------------------
ROUTES: dict[str, Rule] = {
    # public: health, sign-in and -out, Meta's redirect, Meta's media fetches, robots, the API's own documents
    "GET /api/health": public(200),
    "POST /api/auth/login": public(200, lambda w: Call(json={"username": DOOR, "password": PASSWORD})),
    "POST /api/auth/refresh": public(200, door_cookie),
    "POST /api/auth/logout": public(204, door_cookie),
    "GET /api/social/oauth/callback": public(303, lambda w: Call(params={"state": "s", "code": "c"})),
    "GET /api/social/public-media/{token}": public(200, lambda w: Call(path={"token": w.public_media_token()})),
    "GET /robots.txt": public(200),
    "GET /api/openapi.json": public(200),
    "GET /api/docs": public(200),
    "GET /docs/oauth2-redirect": public(200),
    # signed in, about one's own things
    "GET /api/auth/me": signed_in(200),
    "POST /api/auth/password": signed_in(  # a wrong current password: the route's own check, nobody's sign-in ends
        422, call=lambda w: Call(json={"current_password": "not-the-password-9", "new_password": "new-password-9"})
    ),
    "POST /api/ws-ticket": signed_in(200),
    "GET /api/agent-templates": signed_in(200),
    "GET /api/agent-tools": signed_in(200),
    "GET /api/models": signed_in(200),
    "GET /api/agents": signed_in(200),
    "POST /api/agents": signed_in(201, call=lambda w: Call(json={**named("agent")(w), "template": "research"})),
    "GET /api/projects": signed_in(200),
    "GET /api/research/limits": signed_in(200),
    "GET /api/learning/due": signed_in(200),
    "GET /api/settings/api-keys": signed_in(200),
    "POST /api/settings/api-keys": signed_in(
        201, call=lambda w: Call(json={"provider": f"matrix{next(w._counter)}", "key": "sk-matrix-000000005678"})
    ),
    "GET /api/settings/preferences": signed_in(200),
    "PUT /api/settings/preferences": signed_in(
        200, call=lambda w: Call(json={"theme": "system", "language": "en", "terminal_font_size": 14})
    ),
    "GET /api/sandbox": signed_in(503),
    "POST /api/sandbox/start": signed_in(503),
    "POST /api/sandbox/stop": signed_in(503),
    "GET /api/social/setup": signed_in(200),
    "POST /api/social/media": signed_in(201, call=jpeg),
    "POST /api/social/inbox/read": signed_in(204, call=lambda w: Call(json={"keys": ["comment:1"]})),
    # agents
    "GET /api/agents/{agent_id}": owned(200, call=path(agent_id="coding_agent")),
    "PUT /api/agents/{agent_id}": owned(
        200, call=with_body(lambda w: {"identity": "You build."}, agent_id="coding_agent")
    ),
    "DELETE /api/agents/{agent_id}": owned(
        204, call=fresh(lambda w: w.agent(template="research"), "agent_id", lambda w, i: exists(w, f"/api/agents/{i}"))
    ),
    # coding projects
    "GET /api/agents/{agent_id}/projects": owned(200, call=path(agent_id="coding_agent")),
    "POST /api/agents/{agent_id}/projects": owned(
        201, call=with_body(lambda w: {**named("project")(w), "description": "Hello."}, agent_id="coding_agent")
    ),
    "GET /api/projects/{project_id}": owned(200, call=path(project_id="project")),
    "PUT /api/projects/{project_id}": owned(200, call=with_body(lambda w: {"details": "More."}, project_id="project")),
    "DELETE /api/projects/{project_id}": owned(
        204, call=fresh(World.project, "project_id", lambda w, i: exists(w, f"/api/projects/{i}"))
    ),
    "GET /api/projects/{project_id}/claude-md": owned(503, call=path(project_id="project")),
    "PUT /api/projects/{project_id}/claude-md": owned(
        503, call=with_body(lambda w: {"content": "# Notes"}, project_id="project")
    ),
    "POST /api/projects/{project_id}/reply": owned(
        503, call=with_body(lambda w: {"message": "Yes"}, project_id="project")
    ),
    "POST /api/projects/{project_id}/{action}": owned(
        503, call=lambda w: Call(path={"project_id": w.ids["project"], "action": "pause"})
    ),
    "PUT /api/projects/{project_id}/plan": owned(
        200, call=with_body(lambda w: {"steps": [{"title": "Say hello", "details": "One page."}]}, project_id="project")
    ),
    "GET /api/agents/{agent_id}/rules": owned(200, call=path(agent_id="coding_agent")),
    "PUT /api/agents/{agent_id}/rules": owned(
        200, call=with_body(lambda w: {"content": "Be kind."}, agent_id="coding_agent")
    ),
    # research
    "GET /api/agents/{agent_id}/research": owned(200, call=path(agent_id="research_agent")),
    "POST /api/agents/{agent_id}/research": owned(201, call=with_body(named("research"), agent_id="research_agent")),
    "GET /api/research/{research_id}": owned(200, call=path(research_id="research")),
    "PATCH /api/research/{research_id}": owned(200, call=with_body(named("research"), research_id="research")),
    "DELETE /api/research/{research_id}": owned(
        204, call=fresh(World.research, "research_id", lambda w, i: exists(w, f"/api/research/{i}"))
    ),
    "POST /api/research/{research_id}/resume": owned(503, call=path(research_id="research")),
    "POST /api/research/{research_id}/message": owned(
        503, call=with_body(lambda w: {"text": "What is new?"}, research_id="research")
    ),
    "POST /api/research/{research_id}/interrupt": owned(409, call=path(research_id="research")),
    "GET /api/research/{research_id}/files": owned(503, call=path(research_id="research")),
    "GET /api/research/{research_id}/files/{path}": owned(
        503, call=lambda w: Call(path={"research_id": w.ids["research"], "path": "notes.md"})
    ),
    "GET /api/research/{research_id}/export": owned(200, call=path(research_id="research")),
    # learning
    "GET /api/agents/{agent_id}/subjects": owned(200, call=path(agent_id="learning_agent")),
    "POST /api/agents/{agent_id}/subjects": owned(201, call=with_body(named("subject"), agent_id="learning_agent")),
    "PATCH /api/subjects/{subject_id}": owned(200, call=with_body(named("subject"), subject_id="subject")),
    "DELETE /api/subjects/{subject_id}": owned(
        204,
        call=fresh(
            World.subject, "subject_id", lambda w, i: listed(w, f"/api/agents/{w.ids['learning_agent']}/subjects", i)
        ),
    ),
    "GET /api/subjects/{subject_id}/courses": owned(200, call=path(subject_id="subject")),
    "POST /api/subjects/{subject_id}/courses": owned(201, call=with_body(named("course"), subject_id="subject")),
    "GET /api/courses/{course_id}": owned(200, call=path(course_id="course")),
    "PATCH /api/courses/{course_id}": owned(200, call=with_body(lambda w: {"level": "B1"}, course_id="course")),
    "DELETE /api/courses/{course_id}": owned(
        204, call=fresh(lambda w: w.course(), "course_id", lambda w, i: exists(w, f"/api/courses/{i}"))
    ),
    "POST /api/courses/{course_id}/message": owned(
        503, call=with_body(lambda w: {"text": "Hallo"}, course_id="course")
    ),
    "POST /api/courses/{course_id}/interrupt": owned(409, call=path(course_id="course")),
    "GET /api/courses/{course_id}/notes": owned(503, call=path(course_id="course")),
    "PUT /api/courses/{course_id}/notes": owned(
        503, call=with_body(lambda w: {"content": "Verbs."}, course_id="course")
    ),
    "GET /api/courses/{course_id}/review": owned(200, call=path(course_id="course")),
    "GET /api/courses/{course_id}/review/{card_id}": owned(200, call=path(course_id="course", card_id="card")),
    "POST /api/courses/{course_id}/review/{card_id}": owned(
        200, call=with_body(lambda w: {"rating": 3}, course_id="course", card_id="card")
    ),
    # custom agents' chats
    "GET /api/agents/{agent_id}/chats": owned(200, call=path(agent_id="custom_agent")),
    "POST /api/agents/{agent_id}/chats": owned(
        201, call=with_body(lambda w: {"title": "Matrix"}, agent_id="custom_agent")
    ),
    "GET /api/chats/{chat_id}": owned(200, call=path(chat_id="chat")),
    "PATCH /api/chats/{chat_id}": owned(200, call=with_body(lambda w: {"title": "Renamed"}, chat_id="chat")),
    "DELETE /api/chats/{chat_id}": owned(
        204, call=fresh(World.chat, "chat_id", lambda w, i: exists(w, f"/api/chats/{i}"))
    ),
    "POST /api/chats/{chat_id}/message": owned(503, call=with_body(lambda w: {"text": "Hi"}, chat_id="chat")),
    "POST /api/chats/{chat_id}/interrupt": owned(409, call=path(chat_id="chat")),
    # settings
    "DELETE /api/settings/api-keys/{key_id}": owned(
        204, call=fresh(lambda w: w.api_key(), "key_id", lambda w, i: listed(w, "/api/settings/api-keys", i))
    ),
    # the social media manager: the agent, an account, a connection, a post or a picture of the owner's
    "GET /api/social/ai/chat": owned(200, call=social_query()),
    "POST /api/social/ai/chat": owned(
        503, call=lambda w: Call(json={"agent_id": w.ids["social_agent"], "text": "Write a post"})
    ),
    "POST /api/social/ai/chat/interrupt": owned(409, call=social_query()),
    "GET /api/social/accounts": owned(200, call=social_query()),
    "DELETE /api/social/accounts/{account_id}": owned(
        204,
        call=fresh(World.social_account, "account_id", lambda w, i: listed(w, "/api/social/accounts", i)),
    ),
    "POST /api/social/accounts/{account_id}/check": owned(200, call=path(account_id="instagram_account")),
    "GET /api/social/accounts/{account_id}/quota": owned(200, call=path(account_id="instagram_account")),
    "GET /api/social/connect/{platform}": owned(
        200, call=lambda w: Call(path={"platform": "facebook"}, params={"agent_id": w.ids["social_agent"]})
    ),
    # A state is a secret, not an id: another person's answers exactly like a forged or used one (409), and stays
    # usable by its owner.
    "POST /api/social/oauth/callback": owned(200, call=lambda w: Call(json=w.oauth_state()), foreign=409),
    "GET /api/social/connections/{connection_id}": owned(200, call=path(connection_id="connection")),
    "POST /api/social/connections/{connection_id}": owned(200, call=pick),
    "GET /api/social/feed": owned(200, call=social_query()),
    "GET /api/social/stories": owned(200, call=social_query()),
    "GET /api/social/comments": owned(200, call=social_query()),
    "GET /api/social/dms": owned(200, call=social_query()),
    "GET /api/social/media/{media_id}": owned(200, call=path(media_id="media")),
    "DELETE /api/social/media/{media_id}": owned(
        204, call=fresh(World.media, "media_id", lambda w, i: exists(w, f"/api/social/media/{i}"))
    ),
    "POST /api/social/posts": owned(202, call=lambda w: Call(json=new_post(w))),
    "GET /api/social/posts": owned(200, call=social_query()),
    "GET /api/social/posts/{post_id}": owned(200, call=path(post_id="post")),
    "DELETE /api/social/posts/{post_id}": owned(
        204, call=fresh(World.post, "post_id", lambda w, i: exists(w, f"/api/social/posts/{i}"))
    ),
    "POST /api/social/posts/{post_id}/retry": owned(409, call=path(post_id="post")),
    "POST /api/social/comments/{comment_id}/reply": owned(
        200,
        call=lambda w: Call(
            path={"comment_id": w.meta["comment"]}, json={"account_id": w.ids["instagram_account"], "text": "Thanks"}
        ),
    ),
    "POST /api/social/dms/{conversation_id}/reply": owned(
        200,
        call=lambda w: Call(
            path={"conversation_id": w.meta["conversation"]},
            json={"account_id": w.ids["instagram_account"], "text": "Hello"},
        ),
    ),
    # admin only
    "GET /api/users": admin(200),
    "POST /api/users": admin(
        201, call=lambda w: Call(json={"username": f"made{next(w._counter)}", "password": PASSWORD})
    ),
    "PATCH /api/users/{user_id}": admin(
        200, call=lambda w: Call(path={"user_id": w.user()}, json={"display_name": "X"})
    ),
    "DELETE /api/users/{user_id}": admin(204, call=lambda w: Call(path={"user_id": w.user()})),
    "GET /api/audit-events": admin(200),
    "GET /api/admin/sandboxes": admin(503),
    "POST /api/admin/sandboxes/{user_id}/{action}": admin(
        503, call=lambda w: Call(path={"user_id": w.owner.id, "action": "stop"})
    ),
}


def http_routes(app: FastAPI) -> set[str]:
    """Every "METHOD /path" the application answers over HTTP: the OpenAPI document's operations, and the routes
    left out of it (the documents themselves, public media, robots.txt)."""
    found = {f"{method.upper()} {url}" for url, operations in app.openapi()["paths"].items() for method in operations}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIWebSocketRoute) or not isinstance(route, APIRoute | Route):
            continue
        found |= {f"{method} {context.path_format}" for method in (context.methods or set()) if method != "HEAD"}
    return found


def test_every_route_is_classified(world: World) -> None:
    routes = http_routes(world.app)
    assert len(routes) > 100
    unclassified = sorted(routes - ROUTES.keys())
    assert unclassified == [], (
        f"classify these routes in ROUTES ({__name__}) as public, signed_in, owned or admin: {unclassified}"
    )
    assert sorted(ROUTES.keys() - routes) == [], "ROUTES names routes the application no longer has"


def documented_statuses(w: World, key: str) -> set[int] | None:
    """The statuses the OpenAPI document lists for the route; None for a route left out of it."""
    method, template = key.split(" ", 1)
    operation = w.app.openapi()["paths"].get(template, {}).get(method.lower())
    return None if operation is None else {int(status) for status in operation["responses"]}


def send(w: World, key: str, caller: str, call: Call, **path_override: Any) -> Any:
    method, template = key.split(" ", 1)
    url = template.format(**{**call.path, **path_override})
    w.client.cookies.clear()
    for name, value in call.cookies.items():
        w.client.cookies.set(name, value, domain=COOKIE_DOMAIN, path="/api/auth")
    response = w.client.request(
        method,
        url,
        params=call.params,
        json=call.json,
        content=call.content,
        headers={**call.headers, **w.caller(caller)},
        follow_redirects=False,
    )
    w.client.cookies.clear()
    return response


CELLS = [pytest.param(key, caller, id=f"{key} as {caller}") for key in ROUTES for caller in CALLERS]


@pytest.mark.parametrize(("key", "caller"), CELLS)
def test_cell(world: World, key: str, caller: str) -> None:
    rule = ROUTES[key]
    call = rule.call(world)
    response = send(world, key, caller, call)
    said = f"{key} as {caller}: {response.status_code} {response.text[:300]}"
    documented = documented_statuses(world, key)
    assert documented is None or response.status_code in documented, f"undocumented status: {said}"
    if rule.kind == "public":
        assert response.status_code in rule.statuses, said
        return
    if caller == "anonymous":
        assert response.status_code == 401, said
        assert response.headers.get("www-authenticate") == "Bearer", said
    elif rule.kind == "admin":
        assert response.status_code in (rule.statuses if caller == "admin" else (403,)), said
    elif rule.kind == "signed_in" or caller == "owner":
        assert response.status_code in rule.statuses, said
    else:  # owned, another user or an admin
        assert response.status_code == rule.foreign, said
        if rule.foreign == 404 and call.path and all(isinstance(v, int) for v in call.path.values()):
            nobodys = send(world, key, caller, call, **{name: NO_SUCH_ID for name in call.path})
            assert (nobodys.status_code, nobodys.json()) == (response.status_code, response.json()), (
                f"{key}: another's id must answer like an id nobody has"
            )
    if caller in ("other", "admin") and rule.kind in ("signed_in", "owned"):
        assert OWNER_MARK not in response.text, f"{key} as {caller} shows the owner's data: {response.text[:300]}"
    if caller != "owner" and call.survives is not None:
        assert call.survives(), f"{key} as {caller} changed or removed the owner's resource"
