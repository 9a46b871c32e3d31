"""Schemathesis over the control plane's OpenAPI document (`app.openapi()`), signed in: every operation, positive and
negative data, against a real application (sandboxes disabled) whose signed-in admin owns real agents, projects,
researches, subjects, courses and chats, as does another person, so generated ids sometimes hit real rows, its own
and another's. Every answer must be no server error (a 503 only where the route documents it: sandboxes are disabled,
never the database's "busy"), must have a status the document lists for the operation (controlplane/api/
documented_errors.py derives them), must fit the response schema and headers the document gives for its status and
content type, and must come within a bound: a request that hangs fails at its deadline instead of hanging the suite.

The short run is part of `make test` (few examples per operation, derandomized: the same requests every run); the
long one, with many more examples, is `pytest -m fuzz_long tests/fuzz`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckContext, content_type_conformance, not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from controlplane.api.errors import DATABASE_BUSY
from controlplane.config import Settings
from controlplane.learning import scheduling
from controlplane.main import create_app
from controlplane.models import ReviewCard
from controlplane.models.base import utcnow
from controlplane.services.users import create_user

SHORT_EXAMPLES = 8
LONG_EXAMPLES = 1000
# No answer of an in-process application with sandboxes disabled takes seconds; a hang fails at the deadline.
REQUEST_TIMEOUT = 10.0
PASSWORD = "fuzz-password-1"


def fuzz_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="fuzz-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=data_dir.parent / "no-frontend",
        sandboxes_enabled=False,
        access_token_minutes=24 * 60,  # the long run outlasts the default 15 minutes
    )


def _document() -> dict[str, Any]:
    """The OpenAPI document of the application under test, as the application itself makes it."""
    with tempfile.TemporaryDirectory() as scratch:
        return create_app(fuzz_settings(Path(scratch) / "data")).openapi()


schema = schemathesis.openapi.from_dict(_document())


@dataclass(frozen=True)
class Target:
    app: FastAPI
    admin_id: int
    headers: dict[str, str]


def _sign_in(client: asgi.ASGIClient, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _create(client: asgi.ASGIClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> int:
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == 201, (path, answer.text)
    return int(answer.json()["id"])


def _seed(client: asgi.ASGIClient, headers: dict[str, str]) -> int:
    """A few of everything the API serves without a sandbox; the course's id."""
    coder = _create(client, headers, "/api/agents", {"template": "coding", "name": "Coder"})
    _create(client, headers, f"/api/agents/{coder}/projects", {"name": "Site", "description": "A site"})
    researcher = _create(client, headers, "/api/agents", {"template": "research", "name": "Researcher"})
    for name in ("Hosting", "Angličtina"):
        _create(client, headers, f"/api/agents/{researcher}/research", {"name": name})
    tutor = _create(client, headers, "/api/agents", {"template": "learning", "name": "Tutor"})
    subject = _create(client, headers, f"/api/agents/{tutor}/subjects", {"name": "English"})
    course = _create(client, headers, f"/api/subjects/{subject}/courses", {"name": "Talk"})
    helper = _create(
        client, headers, "/api/agents", {"name": "Helper", "model": "anthropic/claude-sonnet-4-5", "identity": "Hi."}
    )
    _create(client, headers, f"/api/agents/{helper}/chats", {})
    _create(client, headers, "/api/agents", {"template": "social_media", "name": "Posts"})
    return course


def _card(app: FastAPI, user_id: int, course_id: int) -> None:
    """A review card, as the tutor's report makes one (no tutor runs here)."""
    state, due = scheduling.new_schedule(utcnow())
    with Session(app.state.engine) as session:
        session.add(
            ReviewCard(
                user_id=user_id,
                course_id=course_id,
                uid="dog",
                kind="word",
                front="dog?",
                back="pes",
                fsrs=state,
                due=due,
            )
        )
        session.commit()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A throwaway application: another person with their own things first (so low ids are theirs), then the
    signed-in admin the fuzzer acts as, with theirs."""
    app = create_app(fuzz_settings(tmp_path_factory.mktemp("fuzz") / "data"))
    with asgi.get_client(app) as client:  # starts the lifespan (migrations) on schemathesis's own event loop
        with Session(app.state.engine) as session:
            other = create_user(session, app.state.settings, "other", PASSWORD)
            admin = create_user(session, app.state.settings, "fuzzer", PASSWORD, role="admin")
            assert other.id is not None and admin.id is not None
            other_id, admin_id = other.id, admin.id
        _card(app, other_id, _seed(client, _sign_in(client, "other")))
        headers = _sign_in(client, "fuzzer")
        _card(app, admin_id, _seed(client, headers))
    yield Target(app, admin_id, headers)
    asgi.shutdown_lifespans()


def _documented(case: schemathesis.Case, status: int) -> bool:
    return str(status) in case.operation.definition.raw.get("responses", {})


def no_server_error(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """`not_a_server_error`, except a 503 the route documents: with sandboxes disabled, a route that needs one
    answers 503, which it says in its `responses`. A busy database is documented too, but one request at a time
    never makes it busy: that 503 fails."""
    if response.status_code == 503 and _documented(case, 503) and DATABASE_BUSY not in response.text:
        return None
    return not_a_server_error(ctx, response, case)


def in_time(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    assert response.elapsed < REQUEST_TIMEOUT, f"answered in {response.elapsed:.1f} s"
    return None


def still_signed_in(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """The fuzzer's own sign-in never ends during the run: a 401 to its token would make every later request
    test only the sign-in check."""
    sent = response.request.headers.get("Authorization")
    if response.status_code == 401 and sent is not None and case.operation.definition.raw.get("security"):
        raise AssertionError(f"the fuzzer's token was refused: {response.text}")
    return None


CHECKS = [
    no_server_error,
    status_code_conformance,
    response_schema_conformance,
    response_headers_conformance,
    content_type_conformance,
    in_time,
    still_signed_in,
]


def breaks_the_run(case: schemathesis.Case, admin_id: int) -> bool:
    """What would end the fuzzer's own session rather than test anything: changing its own account (a password
    reset ends every sign-in of it, a role change takes the admin routes away). Deleting itself stays in (a 409),
    so does signing out (it ends the sign-in of the refresh cookie sent, and the fuzzer never holds one)."""
    own_account = str((case.path_parameters or {}).get("user_id")) == str(admin_id)
    return case.method == "PATCH" and case.path == "/api/users/{user_id}" and own_account


def fuzz(case: schemathesis.Case, target: Target) -> None:
    if breaks_the_run(case, target.admin_id):
        return
    case.call_and_validate(app=target.app, headers=target.headers, timeout=REQUEST_TIMEOUT, checks=CHECKS)


FUZZ_SETTINGS: dict[str, Any] = {
    "derandomize": True,  # the same requests every run: a failure is reproduced by running the test again
    "database": None,
    "deadline": None,  # time is the in_time check's business, per request
    "suppress_health_check": list(HealthCheck),
}


@schema.parametrize()
@settings(max_examples=SHORT_EXAMPLES, **FUZZ_SETTINGS)
def test_every_operation_answers_within_its_schema(case: schemathesis.Case, target: Target) -> None:
    fuzz(case, target)


@pytest.mark.fuzz_long
@schema.parametrize()
@settings(max_examples=LONG_EXAMPLES, **FUZZ_SETTINGS)
def test_every_operation_answers_within_its_schema_long(case: schemathesis.Case, target: Target) -> None:
    fuzz(case, target)
