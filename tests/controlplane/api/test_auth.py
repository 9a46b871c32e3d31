"""Authentication: sign-in, login throttling, refresh-token rotation, sign-out and access-token checks.

Everything runs against the real application and a real SQLite file (see conftest.py); nothing of
controlplane is mocked. Expiry is tested without sleeping: access tokens are minted with a `now` in
the past, and rows (refresh_tokens.expires_at, audit_events.created_at) are moved back in time.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import bcrypt
import httpx2
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.models import AuditEvent, RefreshToken, utcnow
from controlplane.rules import PASSWORD_RULE
from controlplane.security.tokens import create_access_token, hash_refresh_token
from controlplane.services.auth import (
    REFRESH_LOST_ANSWER_GRACE,
    InvalidRefreshToken,
    rotate_refresh_token,
    wait_in_words,
)
from controlplane.services.users import create_user
from tests.support.app import USER_PASSWORD, Account

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
LOGOUT = "/api/auth/logout"
ME = "/api/auth/me"
PASSWORD = "/api/auth/password"

REFRESH_COOKIE = "autocode_refresh"
COOKIE_PATH = "/api/auth"
COOKIE_DOMAIN = "testserver.local"  # how the cookie jar files cookies set by http://testserver
WRONG_PASSWORD = "not-the-password-1"
NEW_PASSWORD = "brand-new-password-2"
ACCESS_TOKEN_SECONDS = 15 * 60
MAX_FAILURES = 5  # Settings.login_max_failures
WINDOW = timedelta(minutes=15)  # Settings.login_window_minutes
TEST_BCRYPT_PREFIX = b"$2b$04$"  # bcrypt_rounds=4 in the test settings


# --- helpers -----------------------------------------------------------------------------------


@dataclass
class SignIn:
    access_token: str
    refresh_token: str


def attempt_login(client: TestClient, username: str, password: str) -> httpx2.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def sign_in(client: TestClient, username: str, password: str = USER_PASSWORD) -> SignIn:
    response = attempt_login(client, username, password)
    assert response.status_code == 200, response.text
    return SignIn(response.json()["access_token"], response.cookies[REFRESH_COOKIE])


def fail_logins(client: TestClient, username: str, times: int) -> None:
    for _ in range(times):
        response = attempt_login(client, username, WRONG_PASSWORD)
        assert response.status_code == 401, response.text


def hold_refresh_cookie(client: TestClient, token: str | None) -> None:
    """Make the client's cookie jar hold exactly this refresh token (or none), as the server would set it."""
    client.cookies.clear()
    if token is not None:
        client.cookies.set(REFRESH_COOKIE, token, domain=COOKIE_DOMAIN, path=COOKIE_PATH)


def present_refresh_token(client: TestClient, token: str | None) -> httpx2.Response:
    """POST /api/auth/refresh carrying exactly this refresh cookie (or none at all)."""
    hold_refresh_cookie(client, token)
    return client.post(REFRESH)


def refresh_cookie_set_by(response: httpx2.Response) -> Morsel[str]:
    """The single Set-Cookie for the refresh token in `response`, parsed."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{REFRESH_COOKIE}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(headers[0])
    return cookie[REFRESH_COOKIE]


def assert_refresh_cookie_cleared(response: httpx2.Response) -> None:
    morsel = refresh_cookie_set_by(response)
    assert morsel.value == ""
    assert morsel["max-age"] == "0"
    assert morsel["path"] == COOKIE_PATH


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get_me(client: TestClient, token: str) -> httpx2.Response:
    return client.get(ME, headers=bearer(token))


def assert_bearer_challenge(response: httpx2.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers.get("www-authenticate") == "Bearer"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def b64url_decode_json(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def sign_in_of(account: Account) -> str:
    """The sign-in (refresh-token family) the account's access token belongs to."""
    session_id: str = jwt.decode(account.token, options={"verify_signature": False})["sid"]
    return session_id


def access_claims(account: Account, **overrides: Any) -> dict[str, Any]:
    """Claims shaped like the ones the server issues for the account's sign-in, as plain integers so they also
    serialise by hand."""
    now = int(utcnow().timestamp())
    claims: dict[str, Any] = {
        "sub": str(account.id),
        "sid": sign_in_of(account),
        "type": "access",
        "iat": now,
        "exp": now + 900,
    }
    claims.update(overrides)
    return claims


def audit_rows(db: Session, action: str, username: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target_name == username)).all()
    )


def move_audit_events_back(db: Session, action: str, username: str, age: timedelta) -> None:
    result = db.exec(
        update(AuditEvent)
        .where(col(AuditEvent.action) == action, col(AuditEvent.target_name) == username)
        .values(created_at=utcnow() - age)
    )
    db.commit()
    assert result.rowcount > 0


def move_failed_logins_back(db: Session, username: str, age: timedelta) -> None:
    move_audit_events_back(db, "login_failed", username, age)


def sign_ins_long_ago(db: Session, username: str) -> None:
    """Move the user's successful logins (e.g. the fixture's) back, so they cannot reset the count."""
    move_audit_events_back(db, "login", username, timedelta(days=1))


def expire_refresh_tokens(db: Session, user_id: int) -> int:
    result = db.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    return result.rowcount


def database_dump(app: FastAPI) -> str:
    """Every row of every table as SQL text (WAL contents included, unlike reading the file)."""
    connection = app.state.engine.raw_connection()
    try:
        return "\n".join(connection.driver_connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def checkpw_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The hash passed to every bcrypt.checkpw call (the real check still runs)."""
    calls: list[bytes] = []
    original = bcrypt.checkpw

    def spy(password: bytes, hashed_password: bytes) -> bool:
        calls.append(bytes(hashed_password))
        return original(password, hashed_password)

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    return calls


# --- signing in --------------------------------------------------------------------------------


def test_login_returns_bearer_access_token(client: TestClient, settings: Settings, alice: Account) -> None:
    response = attempt_login(client, "alice", USER_PASSWORD)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == ACCESS_TOKEN_SECONDS
    claims = jwt.decode(body["access_token"], settings.signing_key, algorithms=["HS256"])
    assert claims["sub"] == str(alice.id)
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_SECONDS
    assert get_me(client, body["access_token"]).json()["username"] == "alice"


def test_login_sets_httponly_strict_refresh_cookie_scoped_to_auth(client: TestClient, alice: Account) -> None:
    response = attempt_login(client, "alice", USER_PASSWORD)

    cookie = refresh_cookie_set_by(response)
    assert len(cookie.value) >= 32
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == COOKIE_PATH
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert not cookie["secure"]  # the test settings leave cookie_secure off (plain http)
    assert REFRESH_COOKIE not in response.json()  # the refresh token is never in the body


def test_refresh_cookie_is_secure_when_configured(tmp_path: Path, settings: Settings) -> None:
    secure_settings = settings.model_copy(update={"data_dir": tmp_path / "secure", "cookie_secure": True})
    app = create_app(secure_settings)
    with TestClient(app, base_url="https://testserver") as client, Session(app.state.engine) as session:
        create_user(session, secure_settings, "alice", USER_PASSWORD)
        response = attempt_login(client, "alice", USER_PASSWORD)

    assert response.status_code == 200, response.text
    assert refresh_cookie_set_by(response)["secure"] is True


def test_wrong_password_and_unknown_username_are_indistinguishable(client: TestClient, alice: Account) -> None:
    wrong_password = attempt_login(client, "alice", WRONG_PASSWORD)
    unknown_user = attempt_login(client, "nobody", WRONG_PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json()["detail"] == unknown_user.json()["detail"]
    assert REFRESH_COOKIE not in wrong_password.cookies


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"password": USER_PASSWORD}, {"username"}),
        ({"username": "alice"}, {"password"}),
        ({}, {"username", "password"}),
    ],
    ids=["no-username", "no-password", "empty-body"],
)
def test_login_without_a_field_is_422_naming_it(
    client: TestClient, alice: Account, body: dict[str, str], missing: set[str]
) -> None:
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422, response.text
    named = {error["loc"][-1] for error in response.json()["detail"]}
    assert named == missing


def test_unknown_username_costs_one_bcrypt_check_like_a_wrong_password(
    client: TestClient, alice: Account, checkpw_calls: list[bytes]
) -> None:
    checkpw_calls.clear()
    assert attempt_login(client, "alice", WRONG_PASSWORD).status_code == 401
    wrong_password_checks = list(checkpw_calls)

    checkpw_calls.clear()
    assert attempt_login(client, "nobody", WRONG_PASSWORD).status_code == 401
    unknown_user_checks = list(checkpw_calls)

    assert len(wrong_password_checks) == 1
    assert len(unknown_user_checks) == 1
    assert wrong_password_checks[0].startswith(TEST_BCRYPT_PREFIX)
    assert unknown_user_checks[0].startswith(TEST_BCRYPT_PREFIX)
    assert unknown_user_checks[0] != wrong_password_checks[0]  # a dummy hash, not somebody's


def test_successful_login_costs_one_bcrypt_check(
    client: TestClient, alice: Account, checkpw_calls: list[bytes]
) -> None:
    checkpw_calls.clear()
    sign_in(client, "alice")

    assert len(checkpw_calls) == 1
    assert checkpw_calls[0].startswith(TEST_BCRYPT_PREFIX)


# --- throttling --------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [USER_PASSWORD, WRONG_PASSWORD], ids=["correct", "wrong"])
def test_sixth_attempt_after_five_failures_is_throttled(client: TestClient, alice: Account, password: str) -> None:
    fail_logins(client, "alice", MAX_FAILURES)

    response = attempt_login(client, "alice", password)

    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= WINDOW.total_seconds()
    assert response.json()["detail"] == ("Too many failed sign-in attempts for this username; try again in 15 minutes")
    assert REFRESH_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "in less than a minute"),
        (59, "in less than a minute"),
        (60, "in 1 minute"),
        (61, "in 2 minutes"),
        (895, "in 15 minutes"),
        (900, "in 15 minutes"),
    ],
)
def test_the_wait_is_said_in_minutes(seconds: int, words: str) -> None:
    assert wait_in_words(seconds) == words


def test_four_failures_do_not_throttle(client: TestClient, alice: Account) -> None:
    fail_logins(client, "alice", MAX_FAILURES - 1)

    sign_in(client, "alice")


def test_throttled_attempt_does_not_check_the_password(
    client: TestClient, alice: Account, checkpw_calls: list[bytes]
) -> None:
    fail_logins(client, "alice", MAX_FAILURES)
    checkpw_calls.clear()

    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 429
    assert checkpw_calls == []


def test_unknown_usernames_are_throttled_too(client: TestClient) -> None:
    fail_logins(client, "nobody", MAX_FAILURES)

    assert attempt_login(client, "nobody", WRONG_PASSWORD).status_code == 429


def test_throttling_one_username_leaves_others_alone(client: TestClient, alice: Account, bob: Account) -> None:
    fail_logins(client, "alice", MAX_FAILURES)
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 429

    assert attempt_login(client, "bob", WRONG_PASSWORD).status_code == 401
    sign_in(client, "bob")


def test_retry_after_counts_from_the_oldest_failure_in_the_window(
    client: TestClient, db: Session, alice: Account
) -> None:
    sign_ins_long_ago(db, "alice")
    fail_logins(client, "alice", MAX_FAILURES)
    move_failed_logins_back(db, "alice", WINDOW - timedelta(minutes=1))

    response = attempt_login(client, "alice", USER_PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert response.json()["detail"].endswith("try again in 1 minute")


def test_throttle_lifts_once_failures_leave_the_window(client: TestClient, db: Session, alice: Account) -> None:
    sign_ins_long_ago(db, "alice")
    fail_logins(client, "alice", MAX_FAILURES)
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 429

    move_failed_logins_back(db, "alice", WINDOW + timedelta(minutes=1))

    sign_in(client, "alice")


def test_successful_login_resets_the_failure_count(client: TestClient, alice: Account) -> None:
    fail_logins(client, "alice", MAX_FAILURES - 1)
    sign_in(client, "alice")
    fail_logins(client, "alice", MAX_FAILURES - 1)  # 8 failures in the window, 4 since the success

    sign_in(client, "alice")

    fail_logins(client, "alice", MAX_FAILURES)  # the count starts again, it is not switched off
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 429


# --- refresh-token rotation --------------------------------------------------------------------


def test_refresh_issues_new_access_token_and_rotates_cookie(client: TestClient, alice: Account) -> None:
    session = sign_in(client, "alice")

    response = present_refresh_token(client, session.refresh_token)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == ACCESS_TOKEN_SECONDS
    assert body["access_token"] != session.access_token
    cookie = refresh_cookie_set_by(response)
    assert cookie.value != session.refresh_token
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == COOKIE_PATH
    me = get_me(client, body["access_token"])
    assert me.status_code == 200
    assert me.json()["id"] == alice.id


def test_rotated_refresh_token_can_be_refreshed_again(client: TestClient, alice: Account) -> None:
    token = sign_in(client, "alice").refresh_token
    seen = {token}

    for _ in range(3):
        response = present_refresh_token(client, token)
        assert response.status_code == 200, response.text
        token = response.cookies[REFRESH_COOKIE]
        assert token not in seen
        seen.add(token)


def test_client_cookie_jar_follows_rotation(client: TestClient, alice: Account) -> None:
    """A browser-like client that just keeps its cookies stays signed in across refreshes."""
    client.cookies.clear()
    sign_in(client, "alice")

    for _ in range(3):
        response = client.post(REFRESH)
        assert response.status_code == 200, response.text


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    client: TestClient, db: Session, alice: Account
) -> None:
    first = sign_in(client, "alice").refresh_token
    second = present_refresh_token(client, first).cookies[REFRESH_COOKIE]
    third = present_refresh_token(client, second).cookies[REFRESH_COOKIE]  # the successor was used: no lost answer

    replay = present_refresh_token(client, first)

    assert replay.status_code == 401, replay.text
    assert_refresh_cookie_cleared(replay)
    newest = present_refresh_token(client, third)
    assert newest.status_code == 401, newest.text
    assert audit_rows(db, "refresh_token_reused", "alice")


def age_used_token(db: Session, token: str, by: timedelta) -> None:
    db.expire_all()
    stored = db.exec(select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token))).one()
    assert stored.used_at is not None
    stored.used_at = stored.used_at - by
    db.add(stored)
    db.commit()


def test_a_refresh_whose_answer_was_lost_is_answered_again_once(
    client: TestClient, db: Session, alice: Account
) -> None:
    """A page reloaded while its refresh was in flight: the server rotated the token, the new cookie never arrived,
    and the browser presents the old one again. Within the grace it gets a new token; the lost one stops working."""
    first = sign_in(client, "alice").refresh_token
    lost = present_refresh_token(client, first).cookies[REFRESH_COOKIE]

    again = present_refresh_token(client, first)

    assert again.status_code == 200, again.text
    fresh = again.cookies[REFRESH_COOKIE]
    assert fresh not in (first, lost)
    assert get_me(client, again.json()["access_token"]).status_code == 200
    assert present_refresh_token(client, fresh).status_code == 200, "the sign-in goes on"
    assert not audit_rows(db, "refresh_token_reused", "alice")
    assert present_refresh_token(client, lost).status_code == 401, "the answer that never arrived is void"


def test_a_lost_answer_is_not_answered_again_after_the_grace(client: TestClient, db: Session, alice: Account) -> None:
    first = sign_in(client, "alice").refresh_token
    second = present_refresh_token(client, first).cookies[REFRESH_COOKIE]
    age_used_token(db, first, REFRESH_LOST_ANSWER_GRACE + timedelta(seconds=1))

    assert present_refresh_token(client, first).status_code == 401
    assert present_refresh_token(client, second).status_code == 401, "treated as theft: the whole sign-in ends"


def test_refresh_token_reuse_leaves_other_sessions_alone(client: TestClient, alice: Account) -> None:
    laptop = sign_in(client, "alice").refresh_token
    phone = sign_in(client, "alice").refresh_token
    rotated = present_refresh_token(client, laptop).cookies[REFRESH_COOKIE]
    present_refresh_token(client, rotated)

    assert present_refresh_token(client, laptop).status_code == 401

    assert present_refresh_token(client, phone).status_code == 200


def test_refresh_without_cookie_is_401_and_clears_nothing(client: TestClient, alice: Account) -> None:
    """The PWA's start-up refresh on the sign-in page has no cookie; when its answer arrives late, after the person
    signed in, it must not delete the cookie the sign-in set (the next reload would sign them out)."""
    response = present_refresh_token(client, None)

    assert response.status_code == 401
    assert "detail" in response.json()
    assert "set-cookie" not in response.headers


def test_refresh_with_unknown_token_is_401(client: TestClient, alice: Account) -> None:
    response = present_refresh_token(client, "made-up-refresh-token-" + "z" * 20)

    assert response.status_code == 401
    assert_refresh_cookie_cleared(response)


def test_expired_refresh_token_is_401(client: TestClient, db: Session, alice: Account) -> None:
    client.cookies.clear()
    token = sign_in(client, "alice").refresh_token
    assert expire_refresh_tokens(db, alice.id) >= 1

    response = present_refresh_token(client, token)

    assert response.status_code == 401, response.text
    assert "expired" in response.json()["detail"]
    assert_refresh_cookie_cleared(response)


def test_refresh_tokens_are_stored_hashed(client: TestClient, app: FastAPI, db: Session, alice: Account) -> None:
    first = sign_in(client, "alice").refresh_token
    second = present_refresh_token(client, first).cookies[REFRESH_COOKIE]

    stored_hashes = set(db.exec(select(RefreshToken.token_hash)).all())
    dump = database_dump(app)

    assert len(stored_hashes) >= 2
    for token in (first, second):
        assert token not in stored_hashes
        assert token not in dump


def test_refresh_fails_once_the_user_is_deleted(client: TestClient, admin: Account, alice: Account) -> None:
    token = sign_in(client, "alice").refresh_token
    assert client.delete(f"/api/users/{alice.id}", headers=admin.headers).status_code == 204

    assert present_refresh_token(client, token).status_code == 401


# --- signing out -------------------------------------------------------------------------------


def test_logout_clears_cookie_and_ends_the_session(client: TestClient, alice: Account) -> None:
    client.cookies.clear()
    token = sign_in(client, "alice").refresh_token
    assert client.cookies.get(REFRESH_COOKIE) == token

    response = client.post(LOGOUT)

    assert response.status_code == 204
    assert response.content == b""
    assert_refresh_cookie_cleared(response)
    assert REFRESH_COOKIE not in client.cookies
    assert present_refresh_token(client, token).status_code == 401


def test_logout_ends_a_rotated_session(client: TestClient, alice: Account) -> None:
    first = sign_in(client, "alice").refresh_token
    second = present_refresh_token(client, first).cookies[REFRESH_COOKIE]

    assert client.post(LOGOUT).status_code == 204  # the jar holds `second`

    assert present_refresh_token(client, second).status_code == 401


def test_logout_ends_only_that_session(client: TestClient, alice: Account) -> None:
    laptop = sign_in(client, "alice").refresh_token
    phone = sign_in(client, "alice").refresh_token
    hold_refresh_cookie(client, laptop)

    assert client.post(LOGOUT).status_code == 204

    assert present_refresh_token(client, laptop).status_code == 401
    assert present_refresh_token(client, phone).status_code == 200


def test_logout_ends_that_sign_ins_access_token_at_once_and_no_other(client: TestClient, alice: Account) -> None:
    laptop, phone = sign_in(client, "alice"), sign_in(client, "alice")
    hold_refresh_cookie(client, laptop.refresh_token)
    assert get_me(client, laptop.access_token).status_code == 200

    assert client.post(LOGOUT).status_code == 204

    ended = get_me(client, laptop.access_token)
    assert ended.status_code == 401 and "sign in again" in ended.json()["detail"], "not 15 minutes later: now"
    assert get_me(client, phone.access_token).status_code == 200


def test_logout_without_cookie_is_harmless(client: TestClient) -> None:
    client.cookies.clear()

    response = client.post(LOGOUT)

    assert response.status_code == 204
    assert_refresh_cookie_cleared(response)


# --- /api/auth/me and access-token validation --------------------------------------------------


def test_me_returns_the_signed_in_user(client: TestClient, alice: Account) -> None:
    response = get_me(client, alice.token)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.id
    assert body["username"] == "alice"
    assert body["role"] == "user"
    assert "password_hash" not in body


def test_me_without_token_is_401_with_bearer_challenge(client: TestClient, alice: Account) -> None:
    assert_bearer_challenge(client.get(ME))


def test_me_with_non_bearer_scheme_is_401(client: TestClient, alice: Account) -> None:
    response = client.get(ME, headers={"Authorization": f"Basic {alice.token}"})

    assert_bearer_challenge(response)


def test_hand_built_token_with_the_right_key_is_accepted(
    client: TestClient, settings: Settings, alice: Account
) -> None:
    """Control for the forgeries below: the claims and encoding they start from are otherwise valid."""
    token = jwt.encode(access_claims(alice), settings.signing_key, algorithm="HS256")

    response = get_me(client, token)

    assert response.status_code == 200, response.text
    assert response.json()["username"] == "alice"


def test_token_near_the_end_of_its_lifetime_is_accepted(client: TestClient, settings: Settings, alice: Account) -> None:
    """Control for the expired case: minting with `now` in the past works while still inside the TTL."""
    issued = utcnow() - settings.access_token_ttl + timedelta(minutes=1)
    token = create_access_token(
        alice.id, sign_in_of(alice), settings.signing_key, settings.access_token_ttl, now=issued
    )

    assert get_me(client, token).status_code == 200


TokenFactory = Callable[[Settings, Account, Account], str]


def _signed_with_another_key(settings: Settings, alice: Account, bob: Account) -> str:
    return jwt.encode(access_claims(alice), "another-secret-" + "y" * 40, algorithm="HS256")


def _alg_none(settings: Settings, alice: Account, bob: Account) -> str:
    header = {"alg": "none", "typ": "JWT"}
    return f"{b64url_json(header)}.{b64url_json(access_claims(alice))}."


def _alg_none_via_pyjwt(settings: Settings, alice: Account, bob: Account) -> str:
    return jwt.encode(access_claims(alice), None, algorithm="none")


def _other_hmac_algorithm(settings: Settings, alice: Account, bob: Account) -> str:
    with warnings.catch_warnings():  # PyJWT warns that the key is short for SHA-512; irrelevant here
        warnings.simplefilter("ignore")
        return jwt.encode(access_claims(alice), settings.signing_key, algorithm="HS512")


def _tampered_subject(settings: Settings, alice: Account, bob: Account) -> str:
    header, payload, signature = alice.token.split(".")
    claims = b64url_decode_json(payload)
    assert claims["sub"] == str(alice.id) != str(bob.id)
    claims["sub"] = str(bob.id)
    return f"{header}.{b64url_json(claims)}.{signature}"


def _expired(settings: Settings, alice: Account, bob: Account) -> str:
    issued = utcnow() - settings.access_token_ttl - timedelta(seconds=5)
    return create_access_token(alice.id, sign_in_of(alice), settings.signing_key, settings.access_token_ttl, now=issued)


def _refresh_type(settings: Settings, alice: Account, bob: Account) -> str:
    return jwt.encode(access_claims(alice, type="refresh"), settings.signing_key, algorithm="HS256")


def _without_type(settings: Settings, alice: Account, bob: Account) -> str:
    claims = access_claims(alice)
    del claims["type"]
    return jwt.encode(claims, settings.signing_key, algorithm="HS256")


def _without_expiry(settings: Settings, alice: Account, bob: Account) -> str:
    claims = access_claims(alice)
    del claims["exp"]
    return jwt.encode(claims, settings.signing_key, algorithm="HS256")


def _non_numeric_subject(settings: Settings, alice: Account, bob: Account) -> str:
    return jwt.encode(access_claims(alice, sub="alice"), settings.signing_key, algorithm="HS256")


INVALID_TOKENS: dict[str, TokenFactory] = {
    "signed-with-another-key": _signed_with_another_key,
    "alg-none-by-hand": _alg_none,
    "alg-none-via-pyjwt": _alg_none_via_pyjwt,
    "hs512-instead-of-hs256": _other_hmac_algorithm,
    "tampered-subject": _tampered_subject,
    "expired": _expired,
    "type-refresh": _refresh_type,
    "type-missing": _without_type,
    "exp-missing": _without_expiry,
    "non-numeric-subject": _non_numeric_subject,
    "malformed": lambda settings, alice, bob: "not-a-jwt",
    "three-junk-segments": lambda settings, alice, bob: "abc.def.ghi",
    "truncated": lambda settings, alice, bob: alice.token[:-10],
}


@pytest.mark.parametrize("make_token", INVALID_TOKENS.values(), ids=INVALID_TOKENS.keys())
def test_me_rejects_invalid_access_token(
    client: TestClient, settings: Settings, alice: Account, bob: Account, make_token: TokenFactory
) -> None:
    token = make_token(settings, alice, bob)

    response = get_me(client, token)

    assert_bearer_challenge(response)


def test_token_of_a_deleted_user_is_rejected(client: TestClient, admin: Account, alice: Account) -> None:
    assert get_me(client, alice.token).status_code == 200
    assert client.delete(f"/api/users/{alice.id}", headers=admin.headers).status_code == 204

    assert_bearer_challenge(get_me(client, alice.token))


def test_token_of_a_deleted_user_does_not_open_a_newer_account(
    client: TestClient, admin: Account, alice: Account, bob: Account
) -> None:
    """SQLite hands out max(id)+1, so without care bob's id would be given to the next account."""
    assert client.delete(f"/api/users/{bob.id}", headers=admin.headers).status_code == 204
    created = client.post("/api/users", headers=admin.headers, json={"username": "carol", "password": USER_PASSWORD})
    assert created.status_code == 201, created.text

    assert_bearer_challenge(get_me(client, bob.token))
    carol = sign_in(client, "carol")
    assert get_me(client, carol.access_token).json()["username"] == "carol"


# --- password reset by an admin ----------------------------------------------------------------


def test_password_reset_ends_sessions_and_swaps_the_password(
    client: TestClient, admin: Account, alice: Account, bob: Account
) -> None:
    alice_session = sign_in(client, "alice").refresh_token
    bob_session = sign_in(client, "bob").refresh_token

    response = client.patch(f"/api/users/{alice.id}", headers=admin.headers, json={"password": NEW_PASSWORD})
    assert response.status_code == 200, response.text

    assert present_refresh_token(client, alice_session).status_code == 401
    assert present_refresh_token(client, bob_session).status_code == 200
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 401
    sign_in(client, "alice", NEW_PASSWORD)


def test_a_password_reset_ends_every_access_token_of_that_person_at_once(
    client: TestClient, admin: Account, alice: Account, bob: Account
) -> None:
    assert get_me(client, alice.token).status_code == 200
    assert (
        client.patch(f"/api/users/{alice.id}", headers=admin.headers, json={"password": NEW_PASSWORD}).status_code
        == 200
    )
    assert get_me(client, alice.token).status_code == 401
    assert get_me(client, bob.token).status_code == 200


def test_a_demotion_takes_effect_at_once(client: TestClient, admin: Account, make_account: Any) -> None:
    second = make_account("second", role="admin")
    assert client.get("/api/users", headers=second.headers).status_code == 200
    demoted = client.patch(f"/api/users/{second.id}", headers=admin.headers, json={"role": "user"})
    assert demoted.status_code == 200, demoted.text
    assert client.get("/api/users", headers=second.headers).status_code == 403, "the same token, the new role"


def test_only_admins_reset_passwords(client: TestClient, alice: Account, bob: Account) -> None:
    response = client.patch(f"/api/users/{bob.id}", headers=alice.headers, json={"password": NEW_PASSWORD})

    assert response.status_code == 403
    sign_in(client, "bob")


# --- changing one's own password --------------------------------------------------------------


def change_password(client: TestClient, token: str, current: str, new: str) -> httpx2.Response:
    return client.post(PASSWORD, headers=bearer(token), json={"current_password": current, "new_password": new})


def assert_field_error(response: httpx2.Response, field: str, message_part: str) -> None:
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert message_part in error["msg"]


def test_changing_ones_password_swaps_it_and_ends_the_other_sign_ins(
    client: TestClient, db: Session, alice: Account, bob: Account
) -> None:
    phone = sign_in(client, "alice")
    laptop = sign_in(client, "alice")
    bob_session = sign_in(client, "bob").refresh_token
    hold_refresh_cookie(client, laptop.refresh_token)

    response = change_password(client, laptop.access_token, USER_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200, response.text
    fresh_access = response.json()["access_token"]
    fresh_refresh = refresh_cookie_set_by(response).value
    assert get_me(client, fresh_access).json()["username"] == "alice"
    assert present_refresh_token(client, fresh_refresh).status_code == 200  # this device goes on
    assert present_refresh_token(client, phone.refresh_token).status_code == 401
    assert present_refresh_token(client, laptop.refresh_token).status_code == 401
    assert present_refresh_token(client, bob_session).status_code == 200
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 401
    sign_in(client, "alice", NEW_PASSWORD)
    (event,) = audit_rows(db, "password_changed", "alice")
    assert event.actor_id == alice.id
    assert event.target_id == alice.id


def test_a_wrong_current_password_is_refused_under_its_field_and_changes_nothing(
    client: TestClient, db: Session, alice: Account
) -> None:
    other = sign_in(client, "alice")

    response = change_password(client, alice.token, WRONG_PASSWORD, NEW_PASSWORD)

    assert_field_error(response, "current_password", "not your current password")
    assert REFRESH_COOKIE not in response.cookies
    assert present_refresh_token(client, other.refresh_token).status_code == 200
    assert attempt_login(client, "alice", NEW_PASSWORD).status_code == 401
    sign_in(client, "alice")
    assert audit_rows(db, "password_changed", "alice") == []
    assert len(audit_rows(db, "password_change_failed", "alice")) == 1


def test_a_too_short_new_password_is_refused_under_its_field(client: TestClient, alice: Account) -> None:
    response = change_password(client, alice.token, USER_PASSWORD, "short")

    assert_field_error(response, "new_password", PASSWORD_RULE)
    sign_in(client, "alice")


def test_changing_a_password_needs_a_sign_in(client: TestClient, alice: Account) -> None:
    response = client.post(PASSWORD, json={"current_password": USER_PASSWORD, "new_password": NEW_PASSWORD})

    assert_bearer_challenge(response)
    sign_in(client, "alice")


def test_wrong_current_passwords_are_throttled_like_failed_logins(
    client: TestClient, db: Session, alice: Account, checkpw_calls: list[bytes]
) -> None:
    sign_ins_long_ago(db, "alice")
    fail_logins(client, "alice", 2)
    for _ in range(MAX_FAILURES - 2):
        assert change_password(client, alice.token, WRONG_PASSWORD, NEW_PASSWORD).status_code == 422
    checkpw_calls.clear()

    response = change_password(client, alice.token, USER_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["retry-after"]) <= WINDOW.total_seconds()
    assert response.json()["detail"] == "Too many wrong passwords for this username; try again in 15 minutes"
    assert checkpw_calls == []  # no more guesses are checked
    assert attempt_login(client, "alice", USER_PASSWORD).status_code == 429  # the count is shared


# --- audit trail -------------------------------------------------------------------------------


def test_login_failure_and_logout_are_audited(client: TestClient, db: Session, alice: Account) -> None:
    logins_before = len(audit_rows(db, "login", "alice"))

    attempt_login(client, "alice", WRONG_PASSWORD)
    client.cookies.clear()
    sign_in(client, "alice")
    assert client.post(LOGOUT).status_code == 204

    logins = audit_rows(db, "login", "alice")
    assert len(logins) == logins_before + 1
    assert logins[-1].actor_id == alice.id
    assert logins[-1].target_id == alice.id
    (failure,) = audit_rows(db, "login_failed", "alice")
    assert failure.actor_id is None
    assert failure.target_type == "user"
    (logout,) = audit_rows(db, "logout", "alice")
    assert logout.actor_id == alice.id


def test_failed_login_for_unknown_username_is_audited_under_that_name(client: TestClient, db: Session) -> None:
    attempt_login(client, "nobody", WRONG_PASSWORD)

    (failure,) = audit_rows(db, "login_failed", "nobody")
    assert failure.target_id is None
    assert failure.ip  # the client address is recorded


def test_throttled_attempt_is_audited(client: TestClient, db: Session, alice: Account) -> None:
    fail_logins(client, "alice", MAX_FAILURES)
    attempt_login(client, "alice", USER_PASSWORD)

    assert len(audit_rows(db, "login_throttled", "alice")) == 1
    assert len(audit_rows(db, "login_failed", "alice")) == MAX_FAILURES


def test_concurrent_refreshes_with_one_token_let_exactly_one_win(
    client: TestClient, app: FastAPI, settings: Settings, alice: Account
) -> None:
    """Two requests racing with the same refresh token: one rotates it, the other is refused.

    A SQLAlchemy cursor hook holds each racer just before its UPDATE of refresh_tokens until both have
    read the token, forcing the interleaving where a read-then-write check would let both win.
    """
    refresh_token = sign_in(client, alice.username).refresh_token
    both_have_read = threading.Barrier(2)
    outcomes: list[str] = []

    def hold_before_update(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE REFRESH_TOKENS"):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_have_read.wait(timeout=5)

    def race() -> None:
        with Session(app.state.engine) as session:
            try:
                rotate_refresh_token(session, settings, refresh_token, ip=None)
                outcomes.append("rotated")
            except InvalidRefreshToken:
                outcomes.append("refused")

    event.listen(app.state.engine, "before_cursor_execute", hold_before_update)
    try:
        threads = [threading.Thread(target=race) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        event.remove(app.state.engine, "before_cursor_execute", hold_before_update)
    assert not both_have_read.broken, "the two refreshes did not overlap"
    assert sorted(outcomes) == ["refused", "rotated"]
