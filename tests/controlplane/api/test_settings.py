"""The signed-in user's settings over HTTP: provider API keys (stored encrypted) and preferences."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from controlplane.config import Settings
from controlplane.models import ApiKey
from tests.support.app import Account

SECRET = "sk-test-SECRET-0123456789abcdef"
DEFAULT_PREFERENCES = {"theme": "system", "language": "en", "terminal_font_size": 14}


def add_key(client: TestClient, account: Account, provider: str = "openai", key: str = SECRET, **extra: Any) -> Any:
    return client.post(
        "/api/settings/api-keys", json={"provider": provider, "key": key, **extra}, headers=account.headers
    )


def list_keys(client: TestClient, account: Account) -> list[dict[str, Any]]:
    response = client.get("/api/settings/api-keys", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def error_locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


def get_preferences(client: TestClient, account: Account) -> dict[str, Any]:
    response = client.get("/api/settings/preferences", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- API keys -------------------------------------------------------------------------------------


def test_add_key_shows_only_its_last_four_characters(client: TestClient, alice: Account) -> None:
    response = add_key(client, alice, base_url="https://llm.example.com/v1/")

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "provider", "last_four", "base_url", "created_at"}
    assert body["provider"] == "openai"
    assert body["last_four"] == "cdef"
    assert body["base_url"] == "https://llm.example.com/v1"  # trailing slash dropped
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert SECRET not in response.text


def test_base_url_is_optional(client: TestClient, alice: Account) -> None:
    body = add_key(client, alice, provider="anthropic", key="sk-ant-abcdefgh").json()

    assert body["base_url"] is None
    assert body["last_four"] == "efgh"


def test_key_surrounding_whitespace_is_trimmed(client: TestClient, alice: Account) -> None:
    body = add_key(client, alice, key="  sk-abcdefgh1234\n").json()

    assert body["last_four"] == "1234"


def test_list_keys_sorted_by_provider(client: TestClient, alice: Account) -> None:
    add_key(client, alice, provider="openrouter", key="sk-or-11112222")
    add_key(client, alice, provider="anthropic", key="sk-ant-33334444")

    keys = list_keys(client, alice)

    assert [(k["provider"], k["last_four"]) for k in keys] == [("anthropic", "4444"), ("openrouter", "2222")]


def test_delete_key(client: TestClient, alice: Account) -> None:
    key_id = add_key(client, alice).json()["id"]

    response = client.delete(f"/api/settings/api-keys/{key_id}", headers=alice.headers)

    assert response.status_code == 204
    assert list_keys(client, alice) == []
    assert client.delete(f"/api/settings/api-keys/{key_id}", headers=alice.headers).status_code == 404


def test_deleted_provider_can_be_added_again(client: TestClient, alice: Account) -> None:
    key_id = add_key(client, alice).json()["id"]
    client.delete(f"/api/settings/api-keys/{key_id}", headers=alice.headers)

    response = add_key(client, alice, key="sk-replacement-9999")

    assert response.status_code == 201
    assert response.json()["last_four"] == "9999"


def test_keys_are_private_to_their_owner(client: TestClient, alice: Account, bob: Account) -> None:
    key_id = add_key(client, alice).json()["id"]

    response = client.delete(f"/api/settings/api-keys/{key_id}", headers=bob.headers)

    assert response.status_code == 404
    assert list_keys(client, bob) == []
    assert [k["id"] for k in list_keys(client, alice)] == [key_id]


def test_same_provider_for_two_users_is_fine(client: TestClient, alice: Account, bob: Account) -> None:
    assert add_key(client, alice).status_code == 201
    assert add_key(client, bob, key="sk-bobs-key-5678").status_code == 201
    assert list_keys(client, bob)[0]["last_four"] == "5678"


def test_duplicate_provider_conflicts(client: TestClient, alice: Account) -> None:
    add_key(client, alice)

    response = add_key(client, alice, key="sk-other-key-0000")

    assert response.status_code == 409
    assert "openai" in response.json()["detail"]
    assert [k["last_four"] for k in list_keys(client, alice)] == ["cdef"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"provider": "OpenAI"}, "provider"),
        ({"provider": ""}, "provider"),
        ({"provider": "a b"}, "provider"),
        ({"provider": "x"}, "provider"),
        ({"provider": "1openai"}, "provider"),
        ({"key": "short"}, "key"),
        ({"key": "sk-abc def-123456"}, "key"),
        ({"key": "sk-abc\tdef-123456"}, "key"),
        ({"key": "k" * 1001}, "key"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"base_url": "notaurl"}, "base_url"),
        ({"base_url": ""}, "base_url"),
        ({"extra": "field"}, "extra"),
    ],
)
def test_invalid_keys_name_the_field(client: TestClient, alice: Account, overrides: dict[str, str], field: str) -> None:
    body = {"provider": "openai", "key": SECRET, **overrides}

    response = client.post("/api/settings/api-keys", json=body, headers=alice.headers)

    assert ["body", field] in error_locs(response)
    assert list_keys(client, alice) == []


def test_stored_key_is_encrypted_and_decrypts_back(
    client: TestClient, app: FastAPI, alice: Account, db: Session
) -> None:
    key_id = add_key(client, alice).json()["id"]

    stored = db.get(ApiKey, key_id)

    assert stored is not None
    assert stored.user_id == alice.id
    assert stored.encrypted_key != SECRET
    assert SECRET not in stored.encrypted_key
    assert app.state.secret_box.decrypt(stored.encrypted_key) == SECRET


def test_key_never_leaves_the_server(
    client: TestClient,
    app: FastAPI,
    settings: Settings,
    admin: Account,
    alice: Account,
    db: Session,
) -> None:
    """After adding a key, no readable endpoint and no byte of the database file contains it."""
    create = add_key(client, alice, base_url="https://llm.example.com")
    assert SECRET not in create.text
    admin_create = add_key(client, admin, provider="anthropic")
    assert SECRET not in admin_create.text
    client.post("/api/agents", json={"template": "coding", "name": "Coder"}, headers=alice.headers)

    readable = {
        alice.username: (
            alice,
            [
                "/api/settings/api-keys",
                "/api/settings/preferences",
                "/api/agents",
                "/api/auth/me",
                "/api/agent-templates",
                "/api/agent-tools",
            ],
        ),
        admin.username: (
            admin,
            ["/api/settings/api-keys", "/api/users", "/api/audit-events", "/api/auth/me", "/api/agents"],
        ),
    }
    for account, paths in readable.values():
        for path in paths:
            response = client.get(path, headers=account.headers)
            assert response.status_code == 200, (path, response.text)
            assert SECRET not in response.text, path
            assert SECRET[-12:] not in response.text, path

    with app.state.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db_file = settings.data_dir / "autocode.db"
    files = [db_file, *(Path(f"{db_file}{suffix}") for suffix in ("-wal", "-journal", "-shm"))]
    contents = [path.read_bytes() for path in files if path.exists()]
    assert b"https://llm.example.com" in b"".join(contents)  # the rows really are in what was read
    for content in contents:
        assert SECRET.encode() not in content
    assert b"sk-test-SECRET" not in b"".join(contents)

    stored = db.exec(select(ApiKey)).all()
    assert len(stored) == 2
    for row in stored:
        assert app.state.secret_box.decrypt(row.encrypted_key) == SECRET


def test_api_key_audit_trail(client: TestClient, admin: Account, alice: Account) -> None:
    key_id = add_key(client, alice).json()["id"]
    client.delete(f"/api/settings/api-keys/{key_id}", headers=alice.headers)

    events = client.get("/api/audit-events", headers=admin.headers).json()

    ours = [(e["action"], e["actor_name"], e["target_name"]) for e in events if e["action"].startswith("api_key")]
    assert ours == [("api_key_removed", "alice", "openai"), ("api_key_added", "alice", "openai")]


# --- preferences ----------------------------------------------------------------------------------


def test_preferences_default(client: TestClient, alice: Account) -> None:
    assert get_preferences(client, alice) == DEFAULT_PREFERENCES


def test_preferences_are_saved(client: TestClient, alice: Account) -> None:
    wanted = {"theme": "dark", "language": "cs", "terminal_font_size": 18}

    response = client.put("/api/settings/preferences", json=wanted, headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == wanted
    assert get_preferences(client, alice) == wanted


def test_preferences_put_replaces_with_defaults_for_omitted_fields(client: TestClient, alice: Account) -> None:
    client.put("/api/settings/preferences", json={"theme": "dark", "language": "cs"}, headers=alice.headers)

    client.put("/api/settings/preferences", json={"theme": "light"}, headers=alice.headers)

    assert get_preferences(client, alice) == {**DEFAULT_PREFERENCES, "theme": "light"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"theme": "neon"}, "theme"),
        ({"theme": "Dark"}, "theme"),
        ({"language": "de"}, "language"),
        ({"terminal_font_size": 7}, "terminal_font_size"),
        ({"terminal_font_size": 33}, "terminal_font_size"),
        ({"terminal_font_size": "big"}, "terminal_font_size"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_preferences_name_the_field(
    client: TestClient, alice: Account, body: dict[str, Any], field: str
) -> None:
    client.put("/api/settings/preferences", json={"theme": "dark"}, headers=alice.headers)

    response = client.put("/api/settings/preferences", json=body, headers=alice.headers)

    assert ["body", field] in error_locs(response)
    assert get_preferences(client, alice)["theme"] == "dark"


@pytest.mark.parametrize("size", [8, 32])
def test_font_size_bounds_are_inclusive(client: TestClient, alice: Account, size: int) -> None:
    response = client.put("/api/settings/preferences", json={"terminal_font_size": size}, headers=alice.headers)

    assert response.status_code == 200
    assert get_preferences(client, alice)["terminal_font_size"] == size


def test_preferences_are_per_user(client: TestClient, alice: Account, bob: Account) -> None:
    client.put("/api/settings/preferences", json={"theme": "dark"}, headers=alice.headers)
    client.put("/api/settings/preferences", json={"language": "cs"}, headers=bob.headers)

    assert get_preferences(client, alice) == {**DEFAULT_PREFERENCES, "theme": "dark"}
    assert get_preferences(client, bob) == {**DEFAULT_PREFERENCES, "language": "cs"}


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/settings/api-keys", None),
        ("POST", "/api/settings/api-keys", {"provider": "openai", "key": SECRET}),
        ("DELETE", "/api/settings/api-keys/1", None),
        ("GET", "/api/settings/preferences", None),
        ("PUT", "/api/settings/preferences", {"theme": "dark"}),
    ],
)
def test_settings_routes_need_a_token(client: TestClient, alice: Account, method: str, path: str, body: Any) -> None:
    add_key(client, alice, provider="anthropic")

    response = client.request(method, path, json=body)

    assert response.status_code == 401
    assert [k["provider"] for k in list_keys(client, alice)] == ["anthropic"]
