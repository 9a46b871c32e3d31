"""The HTTP application as a whole: body size limit, OpenAPI, 404s, the PWA's files, the audit trail."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from tests.support.app import Account

MIB = 1024 * 1024
INDEX_HTML = "<!doctype html><title>AutoCode</title><div id=app></div>"
APP_JS = "console.log('autocode');"
OUTSIDE_SECRET = "outside-secret-content-4242"


def oversized_agent_body(size: int = MIB + 1) -> bytes:
    """A syntactically valid agent, padded past `size` bytes with whitespace."""
    body = json.dumps({"template": "coding", "name": "Huge"}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def in_chunks(data: bytes, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), chunk_size):
        yield data[start : start + chunk_size]


def agent_names(client: TestClient, account: Account) -> list[str]:
    return [agent["name"] for agent in client.get("/api/agents", headers=account.headers).json()]


# --- request body limit ---------------------------------------------------------------------------


def test_body_over_one_mib_is_refused_with_json(client: TestClient, alice: Account) -> None:
    body = oversized_agent_body()

    response = client.post("/api/agents", content=body, headers={**alice.headers, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]
    assert agent_names(client, alice) == []


def test_chunked_body_over_one_mib_is_refused_with_json(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/agents",
        content=in_chunks(oversized_agent_body()),
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]
    assert agent_names(client, alice) == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_just_under_the_limit_is_read(client: TestClient, alice: Account, chunked: bool) -> None:
    body = oversized_agent_body(MIB)
    assert len(body) == MIB
    content: bytes | Iterator[bytes] = in_chunks(body) if chunked else body

    response = client.post(
        "/api/agents", content=content, headers={**alice.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert agent_names(client, alice) == ["Huge"]


def test_body_limit_follows_the_setting(settings: Settings, tmp_path: Path) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048, "data_dir": tmp_path / "small"})
    with TestClient(create_app(small)) as client:
        response = client.post("/api/auth/login", content=b"x" * 2049)

    assert response.status_code == 413
    assert response.json()["detail"]


# --- OpenAPI and API 404s -------------------------------------------------------------------------


def openapi_operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path_item in document["paths"].values()
        for method, operation in path_item.items()
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    ]


def test_openapi_document_has_unique_operation_ids(client: TestClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "AutoCode"
    operations = openapi_operations(document)
    ids = [operation.get("operationId") for operation in operations]
    assert len(operations) >= 20
    assert all(ids)
    duplicates = [op_id for op_id, count in Counter(ids).items() if count > 1]
    assert duplicates == []
    assert {"agents-create_agent", "users-create", "settings-add_api_key", "auth-login"} <= set(ids)
    assert all(path.startswith("/api/") for path in document["paths"])


def test_docs_are_served(client: TestClient) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/api/openapi.json" in response.text


@pytest.mark.parametrize("path", ["/api/nope", "/api/agents/1/nope", "/api", "/api/users/abc/x"])
def test_unknown_api_path_is_a_json_404(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


def test_without_a_frontend_build_the_root_is_not_found(client: TestClient) -> None:
    assert client.get("/").status_code == 404


# --- the single-page app --------------------------------------------------------------------------


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX_HTML)
    (dist / "assets" / "app.js").write_text(APP_JS)
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (tmp_path / "outside-secret.txt").write_text(OUTSIDE_SECRET)
    (dist / "assets" / "link-out.js").symlink_to(tmp_path / "outside-secret.txt")
    return dist


@pytest.fixture
def spa_app(settings: Settings, dist: Path) -> FastAPI:
    return create_app(settings.model_copy(update={"frontend_dist": dist}))


@pytest.fixture
def spa_client(spa_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(spa_app) as test_client:
        yield test_client


def raw_get(app: FastAPI, raw_path: bytes) -> tuple[int, bytes]:
    """Send a path to the ASGI app exactly as given, without the client's URL normalisation."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "root_path": "",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "state": {},
    }
    messages: list[dict[str, Any]] = []

    async def exchange() -> None:
        request_sent = False
        response_done = anyio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await response_done.wait()  # like a real client: gone once it has the whole answer
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                response_done.set()

        await app(scope, receive, send)

    anyio.run(exchange)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize("path", ["/", "/dashboard/anything", "/agents/12/edit", "/login?next=/x"])
def test_client_routes_get_the_index(spa_client: TestClient, path: str) -> None:
    response = spa_client.get(path)

    assert response.status_code == 200
    assert response.text == INDEX_HTML
    assert response.headers["cache-control"] == "no-cache"


def test_assets_are_served_with_long_caching(spa_client: TestClient) -> None:
    response = spa_client.get("/assets/app.js")

    assert response.status_code == 200
    assert response.text == APP_JS
    assert "javascript" in response.headers["content-type"]
    assert "immutable" in response.headers["cache-control"]


def test_top_level_files_are_served_and_revalidated(spa_client: TestClient) -> None:
    response = spa_client.get("/sw.js")

    assert response.status_code == 200
    assert "addEventListener" in response.text
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/ws/x", "/ws"])
def test_reserved_prefixes_are_not_the_spa(spa_client: TestClient, path: str) -> None:
    response = spa_client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_api_still_works_beside_the_spa(spa_client: TestClient) -> None:
    response = spa_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


TRAVERSALS = [
    "/../outside-secret.txt",
    "/../../etc/passwd",
    "/%2e%2e/outside-secret.txt",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2Foutside-secret.txt",
    "/..%2foutside-secret.txt",
    "/assets/%2e%2e/%2e%2e/outside-secret.txt",
    "/assets/..%2F..%2Foutside-secret.txt",
    "/%252e%252e/outside-secret.txt",
    "/..%5coutside-secret.txt",
    "/assets/link-out.js",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_never_leaves_dist_through_the_client(spa_client: TestClient, path: str) -> None:
    response = spa_client.get(path)

    assert response.status_code in (200, 404)
    assert OUTSIDE_SECRET not in response.text
    assert "root:" not in response.text
    if response.status_code == 200:
        assert response.text == INDEX_HTML


def test_raw_requests_reach_the_spa(spa_app: FastAPI, spa_client: TestClient) -> None:
    """The raw-path helper below really serves files, so its refusals mean something."""
    assert raw_get(spa_app, b"/assets/app.js") == (200, APP_JS.encode())
    assert raw_get(spa_app, b"/assets/../index.html") == (200, INDEX_HTML.encode())


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/../outside-secret.txt",
        b"/../../../../../../etc/passwd",
        b"/assets/../../outside-secret.txt",
        b"//etc/passwd",
        b"/./assets/./../../outside-secret.txt",
        b"/assets/link-out.js",
    ],
)
def test_traversal_never_leaves_dist_with_raw_paths(
    spa_app: FastAPI, spa_client: TestClient, dist: Path, raw_path: bytes
) -> None:
    status, body = raw_get(spa_app, raw_path)

    assert status in (200, 404)
    assert OUTSIDE_SECRET.encode() not in body
    assert b"root:" not in body
    if status == 200:
        assert body == INDEX_HTML.encode()


# --- the audit trail ------------------------------------------------------------------------------


def test_audit_events_newest_first(client: TestClient, admin: Account) -> None:
    created = client.post("/api/users", json={"username": "carol", "password": "carol-password"}, headers=admin.headers)
    assert created.status_code == 201
    added = client.post(
        "/api/settings/api-keys", json={"provider": "openai", "key": "sk-abcdefgh1234"}, headers=admin.headers
    )
    assert added.status_code == 201

    response = client.get("/api/audit-events", headers=admin.headers)

    assert response.status_code == 200
    events = response.json()
    ids = [event["id"] for event in events]
    assert ids == sorted(ids, reverse=True)
    assert [event["action"] for event in events[:2]] == ["api_key_added", "user_created"]
    user_created = events[1]
    assert user_created["actor_name"] == "admin"
    assert user_created["target_name"] == "carol"
    assert user_created["details"] == {"role": "user"}
    assert "carol-password" not in response.text


def test_audit_events_paging(client: TestClient, admin: Account) -> None:
    for provider in ("aaa", "bbb", "ccc"):
        client.post("/api/settings/api-keys", json={"provider": provider, "key": "sk-abcdefgh"}, headers=admin.headers)
    newest = client.get("/api/audit-events", params={"limit": 2}, headers=admin.headers).json()

    older = client.get("/api/audit-events", params={"before_id": newest[-1]["id"]}, headers=admin.headers).json()

    assert [e["target_name"] for e in newest] == ["ccc", "bbb"]
    assert older[0]["target_name"] == "aaa"
    assert all(e["id"] < newest[-1]["id"] for e in older)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"before_id": 0}])
def test_audit_events_query_is_validated(client: TestClient, admin: Account, params: dict[str, int]) -> None:
    response = client.get("/api/audit-events", params=params, headers=admin.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_audit_events_are_for_admins_only(client: TestClient, admin: Account, alice: Account) -> None:
    assert client.get("/api/audit-events", headers=alice.headers).status_code == 403
    assert client.get("/api/audit-events").status_code == 401


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_chat_message_may_carry_more_than_other_bodies(client: TestClient, alice: Account, chunked: bool) -> None:
    """Attachments make a chat message the one large body: over 1 MiB it reaches its route (here a 422 for a text
    over its limit, whose echo of the refused text is cut short), while the same bytes to another route are
    refused."""
    body = b'{"text": "' + b"x" * (2 * MIB) + b'"}'
    headers = {**alice.headers, "Content-Type": "application/json"}

    message = client.post("/api/research/999/message", content=in_chunks(body) if chunked else body, headers=headers)
    other = client.post("/api/agents", content=in_chunks(body) if chunked else body, headers=headers)

    assert message.status_code == 422, message.text[:500]
    assert len(message.text) < 2000
    assert other.status_code == 413
