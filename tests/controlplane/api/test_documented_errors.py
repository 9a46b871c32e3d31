"""The OpenAPI document lists every operation's error answers, derived from its dependencies
(controlplane/api/documented_errors.py), each with the body the one exception handler really sends; a derived answer
is written once in components/responses and referred to."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from controlplane.api.errors import ErrorBody, MetaRefusal

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
META_OR_PLAIN = {"anyOf": [{"$ref": "#/components/schemas/MetaRefusal"}, ERROR_BODY]}
VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}
RESPONSES = "#/components/responses/"


def operations(app: FastAPI) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
    }


def answer(app: FastAPI, key: str, status: str) -> dict[str, Any]:
    """An operation's answer for a status, its reference followed."""
    return resolved(app, operations(app)[key]["responses"][status])


def resolved(app: FastAPI, found: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in found:
        return found
    assert found["$ref"].startswith(RESPONSES) and found.keys() == {"$ref"}, found
    shared: dict[str, Any] = app.openapi()["components"]["responses"][found["$ref"].removeprefix(RESPONSES)]
    return shared


def statuses(app: FastAPI, key: str) -> set[int]:
    return {int(status) for status in operations(app)[key]["responses"]}


def test_every_error_status_has_the_body_the_handler_sends(app: FastAPI) -> None:
    for key, operation in operations(app).items():
        for status, found in operation["responses"].items():
            if int(status) < 400:
                continue
            said = resolved(app, found)
            schema = said["content"]["application/json"]["schema"]
            allowed = [VALIDATION] if status == "422" else [ERROR_BODY, META_OR_PLAIN]
            assert schema in allowed, (key, status, schema)
            assert said["description"] and said["description"] != "Validation Error", (key, status)


def test_the_error_bodies_are_the_components_the_document_names(app: FastAPI) -> None:
    components = app.openapi()["components"]["schemas"]
    assert components["ErrorBody"]["required"] == ["detail"]
    assert set(components["MetaRefusal"]["required"]) == {"detail", "action", "retry_at"}
    assert {"HTTPValidationError", "ValidationError", "GraphAction"} <= components.keys()
    assert set(ErrorBody.model_fields) < set(MetaRefusal.model_fields)


def test_statuses_follow_from_what_a_route_depends_on(app: FastAPI) -> None:
    signed_in, database = {401}, {503, 507}
    assert statuses(app, "GET /api/health") == {200, 503}, "no sign-in, no session: only its own 503"
    assert statuses(app, "GET /api/agents") == {200} | signed_in | database
    assert statuses(app, "GET /api/users") == {200, 403} | signed_in | database, "an admin's route: 403"
    assert statuses(app, "GET /api/agents/{agent_id}") == {200, 404, 422} | signed_in | database
    assert statuses(app, "POST /api/agents") == {201, 400, 409, 413, 422} | signed_in | database, "409 its own"
    assert 503 in statuses(app, "GET /api/sandbox"), "the sandbox manager: 503 when sandboxes are off"
    login = operations(app)["POST /api/auth/login"]["responses"]
    assert {"401", "429"} <= login.keys() and "headers" not in login["401"], "a wrong password has no challenge"
    assert login["429"]["headers"]["Retry-After"]["required"] is True
    me = answer(app, "GET /api/auth/me", "401")
    assert me["headers"]["WWW-Authenticate"]["schema"] == {"const": "Bearer"}
    assert answer(app, "GET /api/agents/{agent_id}", "404")["description"] == "No such agent of yours"
    course_card = answer(app, "GET /api/courses/{course_id}/review/{card_id}", "404")
    assert course_card["description"] == "No such course or card of yours"


def test_a_derived_answer_is_written_once_and_referred_to(app: FastAPI) -> None:
    shared = app.openapi()["components"]["responses"]
    assert {"NotSignedIn", "AdminsOnly", "NoSuchAgent", "NotText", "TooLarge", "Invalid", "Busy", "DiskFull"} <= (
        shared.keys()
    )
    assert shared["SandboxUnavailableOrBusy"]["description"].startswith("Sandboxes are disabled"), "two reasons"
    agents = operations(app)["POST /api/agents"]["responses"]
    assert agents["401"] == {"$ref": RESPONSES + "NotSignedIn"} and agents["507"] == {"$ref": RESPONSES + "DiskFull"}
    assert agents["422"] == {"$ref": RESPONSES + "Invalid"} and agents["413"] == {"$ref": RESPONSES + "TooLarge"}
    assert operations(app)["GET /api/users"]["responses"]["403"] == {"$ref": RESPONSES + "AdminsOnly"}
    assert "$ref" not in agents["409"], "a route's own words stay in the operation"
    referred = {
        found["$ref"].removeprefix(RESPONSES)
        for operation in operations(app).values()
        for found in operation["responses"].values()
        if "$ref" in found
    }
    assert referred == shared.keys(), "every shared answer is used, every reference resolves"


def test_a_routes_own_words_replace_the_derived_answer(app: FastAPI) -> None:
    posts = operations(app)["DELETE /api/social/posts/{post_id}"]["responses"]
    assert posts["404"]["description"] == "No such agent, account, connection, post or picture of yours"
    assert posts["503"]["description"].startswith("Meta could not be reached"), "not the shared Busy"
    assert "busy" in posts["503"]["description"], "its own words name the busy database too"
    assert posts["503"]["headers"]["Retry-After"]["required"] is False
    password = operations(app)["POST /api/auth/password"]["responses"]["401"]
    assert password == {"$ref": RESPONSES + "NotSignedIn"}, "words the derived answer starts with are not its own"


def test_reading_what_cannot_conflict_lists_no_409(app: FastAPI) -> None:
    for key in (
        "GET /api/projects/{project_id}",
        "GET /api/chats/{chat_id}",
        "GET /api/research/{research_id}",
        "GET /api/courses/{course_id}/review",
        "GET /api/social/posts/{post_id}",
    ):
        assert 409 not in statuses(app, key), key
    for key in ("GET /api/agents/{agent_id}/research", "GET /api/courses/{course_id}/notes", "GET /api/social/feed"):
        assert 409 in statuses(app, key), f"{key}: another kind of agent, a link for the notes, Meta"


def test_an_answer_fits_its_documented_body(client: TestClient, app: FastAPI) -> None:
    nobody = client.get("/api/agents")
    assert nobody.status_code == 401 and nobody.headers["WWW-Authenticate"] == "Bearer"
    ErrorBody.model_validate(nobody.json())
