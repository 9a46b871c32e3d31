"""Account administration over HTTP: /api/users (admins only) and the user's directory on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.models import Agent, AuditEvent, User
from controlplane.rules import DISPLAY_NAME_RULE
from controlplane.services.userdirs import USER_SUBDIRS
from controlplane.services.users import UserConflict, delete_user
from tests.support.app import Account, login

NEW_PASSWORD = "fresh-password-9"


def create_via_api(
    client: TestClient, admin: Account, username: str, password: str = NEW_PASSWORD, **extra: Any
) -> Any:
    return client.post("/api/users", json={"username": username, "password": password, **extra}, headers=admin.headers)


def users_by_name(client: TestClient, admin: Account) -> dict[str, dict[str, Any]]:
    response = client.get("/api/users", headers=admin.headers)
    assert response.status_code == 200, response.text
    return {user["username"]: user for user in response.json()}


def login_status(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/auth/login", json={"username": username, "password": password}).status_code


def lexists(path: Path) -> bool:
    """True for a dangling symlink too, unlike Path.exists()."""
    return path.is_symlink() or path.exists()


def error_locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


# --- listing and creating -------------------------------------------------------------------------


def test_list_users_shows_roles_and_agent_counts(client: TestClient, admin: Account, alice: Account) -> None:
    created = client.post("/api/agents", json={"template": "coding", "name": "Builder"}, headers=alice.headers)
    assert created.status_code == 201, created.text

    users = users_by_name(client, admin)

    assert set(users) == {"admin", "alice"}
    assert users["alice"]["agent_count"] == 1
    assert users["alice"]["role"] == "user"
    assert users["alice"]["id"] == alice.id
    assert users["admin"]["agent_count"] == 0
    assert users["admin"]["role"] == "admin"
    assert "password_hash" not in users["alice"]


def test_created_user_can_sign_in_at_once_and_has_a_home(
    client: TestClient, admin: Account, settings: Settings
) -> None:
    response = create_via_api(client, admin, "carol")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["username"] == "carol"
    assert body["role"] == "user"
    assert body["agent_count"] == 0
    token = login(client, "carol", NEW_PASSWORD)
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["id"] == body["id"]
    home = settings.users_dir / "carol"
    assert home.is_dir()
    assert sorted(p.name for p in home.iterdir()) == sorted(USER_SUBDIRS)
    for subdir in ("projects", "research", "learning", "config"):
        assert (home / subdir).is_dir()


def test_create_admin_role(client: TestClient, admin: Account) -> None:
    response = create_via_api(client, admin, "dave", role="admin")

    assert response.status_code == 201, response.text
    assert response.json()["role"] == "admin"
    token = login(client, "dave", NEW_PASSWORD)
    assert client.get("/api/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_duplicate_username_is_a_conflict(client: TestClient, admin: Account, alice: Account) -> None:
    response = create_via_api(client, admin, "alice")

    assert response.status_code == 409
    assert "alice" in response.json()["detail"]
    assert login_status(client, "alice", NEW_PASSWORD) == 401  # the original account is untouched


def test_existing_directory_on_disk_is_a_clear_conflict(client: TestClient, admin: Account, settings: Settings) -> None:
    leftover = settings.users_dir / "erin"
    leftover.mkdir(parents=True)
    (leftover / "old-notes.md").write_text("from a previous account")

    response = create_via_api(client, admin, "erin")

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "directory" in detail
    assert "erin" in detail
    assert "already exists" in detail
    assert "erin" not in users_by_name(client, admin)  # no half-created account
    assert login_status(client, "erin", NEW_PASSWORD) == 401
    assert (leftover / "old-notes.md").read_text() == "from a previous account"


@pytest.mark.parametrize(
    "username", ["A", "x", "1abc", "has space", "a" * 33, "Bob", "../etc", "ab/c", "", "-ab", "_ab"]
)
def test_bad_usernames_are_refused(client: TestClient, admin: Account, settings: Settings, username: str) -> None:
    before = sorted(p.name for p in settings.users_dir.iterdir())

    response = create_via_api(client, admin, username)

    assert ["body", "username"] in error_locs(response)
    assert sorted(p.name for p in settings.users_dir.iterdir()) == before


@pytest.mark.parametrize("username", ["ab", "a" * 32, "bob-2", "x_y", "z9"])
def test_boundary_usernames_are_accepted(client: TestClient, admin: Account, username: str) -> None:
    assert create_via_api(client, admin, username).status_code == 201


@pytest.mark.parametrize(
    "password",
    [
        "",
        "short",
        "7-chars",
        "a" * 73,
        "é" * 37,  # 37 characters but 74 bytes in UTF-8
    ],
    ids=["empty", "short", "seven", "73-bytes", "74-utf8-bytes"],
)
def test_bad_passwords_are_refused(client: TestClient, admin: Account, password: str) -> None:
    response = create_via_api(client, admin, "frank", password=password)

    assert ["body", "password"] in error_locs(response)
    assert "frank" not in users_by_name(client, admin)


@pytest.mark.parametrize("password", ["8-chars!", "a" * 72, "é" * 36], ids=["eight", "72-bytes", "72-utf8"])
def test_boundary_passwords_are_accepted(client: TestClient, admin: Account, password: str) -> None:
    assert create_via_api(client, admin, "grace", password=password).status_code == 201
    assert login_status(client, "grace", password) == 200


@pytest.mark.parametrize("role", ["root", "Admin", "", None])
def test_unknown_role_is_refused(client: TestClient, admin: Account, role: Any) -> None:
    response = create_via_api(client, admin, "heidi", role=role)

    assert ["body", "role"] in error_locs(response)


def test_unknown_field_is_refused(client: TestClient, admin: Account) -> None:
    response = create_via_api(client, admin, "ivan", is_superuser=True)

    assert ["body", "is_superuser"] in error_locs(response)


# --- changing -------------------------------------------------------------------------------------


def test_password_reset_replaces_the_password(client: TestClient, admin: Account, alice: Account) -> None:
    response = client.patch(f"/api/users/{alice.id}", json={"password": NEW_PASSWORD}, headers=admin.headers)

    assert response.status_code == 200, response.text
    assert response.json()["username"] == "alice"
    assert login_status(client, "alice", alice.password) == 401
    assert login_status(client, "alice", NEW_PASSWORD) == 200


def test_role_change_grants_and_removes_admin_rights(client: TestClient, admin: Account, alice: Account) -> None:
    promoted = client.patch(f"/api/users/{alice.id}", json={"role": "admin"}, headers=admin.headers)
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "admin"
    assert client.get("/api/users", headers=alice.headers).status_code == 200

    demoted = client.patch(f"/api/users/{alice.id}", json={"role": "user"}, headers=admin.headers)
    assert demoted.json()["role"] == "user"
    assert client.get("/api/users", headers=alice.headers).status_code == 403


# --- display names --------------------------------------------------------------------------------


def test_a_display_name_is_set_at_creation_trimmed_and_shown_to_its_owner(client: TestClient, admin: Account) -> None:
    response = create_via_api(client, admin, "lucie", display_name="  Lucie Nováková  ")

    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Lucie Nováková"
    assert users_by_name(client, admin)["lucie"]["display_name"] == "Lucie Nováková"
    token = login(client, "lucie", NEW_PASSWORD)  # the login stays the username
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["username"], me["display_name"]) == ("lucie", "Lucie Nováková")


def test_without_a_display_name_it_is_empty(client: TestClient, admin: Account, alice: Account) -> None:
    assert create_via_api(client, admin, "carol").json()["display_name"] == ""
    assert client.get("/api/auth/me", headers=alice.headers).json()["display_name"] == ""


def test_display_name_change_is_audited_and_can_be_cleared(
    client: TestClient, admin: Account, alice: Account, db: Session
) -> None:
    named = client.patch(f"/api/users/{alice.id}", json={"display_name": " Alice Smith "}, headers=admin.headers)
    assert named.status_code == 200, named.text
    assert named.json()["display_name"] == "Alice Smith"
    assert named.json()["role"] == "user"
    assert login_status(client, "alice", alice.password) == 200  # her sessions and password are untouched

    cleared = client.patch(f"/api/users/{alice.id}", json={"display_name": "   "}, headers=admin.headers)
    assert cleared.json()["display_name"] == ""

    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "user_display_name_changed").order_by(col(AuditEvent.id))
    ).all()
    assert [(e.target_name, e.actor_name, e.details) for e in events] == [
        ("alice", "admin", {"old": "", "new": "Alice Smith"}),
        ("alice", "admin", {"old": "Alice Smith", "new": ""}),
    ]


def test_an_unchanged_display_name_is_not_audited(
    client: TestClient, admin: Account, alice: Account, db: Session
) -> None:
    for _ in range(2):
        response = client.patch(f"/api/users/{alice.id}", json={"display_name": "Alice"}, headers=admin.headers)
        assert response.status_code == 200, response.text
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "user_display_name_changed")).all()
    assert len(events) == 1


def test_boundary_display_names_are_accepted(client: TestClient, admin: Account, alice: Account) -> None:
    longest = "Ž" * 80
    response = client.patch(f"/api/users/{alice.id}", json={"display_name": f" {longest} "}, headers=admin.headers)

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == longest


@pytest.mark.parametrize("display_name", ["x" * 81, "Tab\there", 7, None])
def test_bad_display_names_are_refused_in_plain_words(
    client: TestClient, admin: Account, alice: Account, display_name: Any
) -> None:
    created = create_via_api(client, admin, "carol", display_name=display_name)
    patched = client.patch(f"/api/users/{alice.id}", json={"display_name": display_name}, headers=admin.headers)

    for response in (created, patched):
        if display_name is None and response is patched:
            continue  # null in a PATCH means "no change", and then there is nothing to change
        assert ["body", "display_name"] in error_locs(response)
        assert response.json()["detail"][0]["msg"] == DISPLAY_NAME_RULE
    assert "carol" not in users_by_name(client, admin)
    assert users_by_name(client, admin)["alice"]["display_name"] == ""


def test_patch_with_only_a_null_display_name_is_refused(client: TestClient, admin: Account, alice: Account) -> None:
    response = client.patch(f"/api/users/{alice.id}", json={"display_name": None}, headers=admin.headers)

    assert response.status_code == 422
    assert "display name" in response.text


def test_patch_with_both_fields(client: TestClient, admin: Account, alice: Account) -> None:
    response = client.patch(
        f"/api/users/{alice.id}", json={"password": NEW_PASSWORD, "role": "admin"}, headers=admin.headers
    )

    assert response.json()["role"] == "admin"
    assert login_status(client, "alice", NEW_PASSWORD) == 200


def test_patch_with_nothing_to_change_is_refused(client: TestClient, admin: Account, alice: Account) -> None:
    response = client.patch(f"/api/users/{alice.id}", json={}, headers=admin.headers)

    assert response.status_code == 422
    assert "password" in response.text
    assert login_status(client, "alice", alice.password) == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": "short"}, "password"), ({"role": "root"}, "role"), ({"username": "x2"}, "username")],
)
def test_patch_validates_fields(
    client: TestClient, admin: Account, alice: Account, body: dict[str, str], field: str
) -> None:
    response = client.patch(f"/api/users/{alice.id}", json=body, headers=admin.headers)

    assert ["body", field] in error_locs(response)


def test_last_admin_cannot_be_demoted(client: TestClient, admin: Account) -> None:
    response = client.patch(f"/api/users/{admin.id}", json={"role": "user"}, headers=admin.headers)

    assert response.status_code == 409
    assert "last admin" in response.json()["detail"]
    assert users_by_name(client, admin)["admin"]["role"] == "admin"


def test_an_admin_may_be_demoted_while_another_remains(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    second = make_account("second", role="admin")

    response = client.patch(f"/api/users/{admin.id}", json={"role": "user"}, headers=second.headers)

    assert response.status_code == 200
    assert response.json()["role"] == "user"


def test_admin_cannot_delete_themself(client: TestClient, admin: Account) -> None:
    response = client.delete(f"/api/users/{admin.id}", headers=admin.headers)

    assert response.status_code == 409
    assert "own account" in response.json()["detail"]
    assert "admin" in users_by_name(client, admin)


def test_admin_cannot_delete_themself_even_with_another_admin(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    make_account("second", role="admin")

    assert client.delete(f"/api/users/{admin.id}", headers=admin.headers).status_code == 409


def test_another_admin_can_be_deleted(client: TestClient, admin: Account, make_account: Callable[..., Account]) -> None:
    second = make_account("second", role="admin")

    assert client.delete(f"/api/users/{second.id}", headers=admin.headers).status_code == 204
    assert "second" not in users_by_name(client, admin)


def test_last_admin_cannot_be_deleted(db: Session, settings: Settings, admin: Account) -> None:
    """Through the API only the admin themself could try (refused above); the service guards the rest."""
    user = db.get(User, admin.id)
    assert user is not None

    with pytest.raises(UserConflict, match="last admin"):
        delete_user(db, settings, user, actor=None)

    assert (settings.users_dir / "admin").is_dir()


# --- deleting -------------------------------------------------------------------------------------


def test_delete_removes_user_agents_and_directory(
    client: TestClient, admin: Account, alice: Account, db: Session, settings: Settings
) -> None:
    for name in ("One", "Two"):
        created = client.post("/api/agents", json={"template": "research", "name": name}, headers=alice.headers)
        assert created.status_code == 201
    (settings.users_dir / "alice" / "projects" / "notes.txt").write_text("mine")

    response = client.delete(f"/api/users/{alice.id}", headers=admin.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert "alice" not in users_by_name(client, admin)
    assert db.exec(select(User).where(User.username == "alice")).first() is None
    assert db.exec(select(Agent).where(Agent.user_id == alice.id)).all() == []
    assert not (settings.users_dir / "alice").exists()
    assert login_status(client, "alice", alice.password) == 401
    assert client.get("/api/auth/me", headers=alice.headers).status_code == 401


def test_delete_leaves_symlink_targets_outside_intact(
    client: TestClient, admin: Account, alice: Account, settings: Settings, tmp_path: Path
) -> None:
    outside_file = tmp_path / "outside-secret.txt"
    outside_file.write_text("keep me")
    outside_dir = tmp_path / "outside-dir"
    outside_dir.mkdir()
    (outside_dir / "precious.txt").write_text("keep me too")
    home = settings.users_dir / "alice"
    (home / "projects" / "link-to-file").symlink_to(outside_file)
    (home / "research" / "link-to-dir").symlink_to(outside_dir, target_is_directory=True)
    (home / "link-to-data").symlink_to(settings.data_dir, target_is_directory=True)

    assert client.delete(f"/api/users/{alice.id}", headers=admin.headers).status_code == 204

    assert not lexists(home)
    assert outside_file.read_text() == "keep me"
    assert (outside_dir / "precious.txt").read_text() == "keep me too"
    assert (settings.data_dir / "autocode.db").is_file()
    assert (settings.users_dir / "admin").is_dir()


def test_delete_when_home_is_a_symlink_removes_only_the_link(
    client: TestClient, admin: Account, alice: Account, settings: Settings, tmp_path: Path
) -> None:
    outside_dir = tmp_path / "elsewhere"
    (outside_dir / "projects").mkdir(parents=True)
    (outside_dir / "projects" / "important.txt").write_text("do not delete")
    home = settings.users_dir / "alice"
    for child in home.iterdir():
        child.rmdir()
    home.rmdir()
    home.symlink_to(outside_dir, target_is_directory=True)

    assert client.delete(f"/api/users/{alice.id}", headers=admin.headers).status_code == 204

    assert not lexists(home)
    assert (outside_dir / "projects" / "important.txt").read_text() == "do not delete"


# --- access control -------------------------------------------------------------------------------

USER_ROUTES = [
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "mallory", "password": NEW_PASSWORD}),
    ("PATCH", "/api/users/{id}", {"role": "admin"}),
    ("DELETE", "/api/users/{id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), USER_ROUTES)
def test_user_routes_need_a_token(
    client: TestClient, admin: Account, alice: Account, method: str, path: str, body: Any
) -> None:
    response = client.request(method, path.format(id=alice.id), json=body)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert users_by_name(client, admin)["alice"]["role"] == "user"


@pytest.mark.parametrize(("method", "path", "body"), USER_ROUTES)
def test_user_routes_are_for_admins_only(
    client: TestClient,
    admin: Account,
    alice: Account,
    bob: Account,
    settings: Settings,
    method: str,
    path: str,
    body: Any,
) -> None:
    response = client.request(method, path.format(id=bob.id), json=body, headers=alice.headers)

    assert response.status_code == 403
    users = users_by_name(client, admin)
    assert set(users) == {"admin", "alice", "bob"}
    assert users["bob"]["role"] == "user"
    assert not (settings.users_dir / "mallory").exists()


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"role": "admin"}), ("DELETE", None)])
def test_unknown_user_id_is_not_found(client: TestClient, admin: Account, method: str, body: Any) -> None:
    response = client.request(method, "/api/users/9999", json=body, headers=admin.headers)

    assert response.status_code == 404
    assert response.json()["detail"] == "User not found"
