"""The OpenAPI document lists every operation's error answers, derived from its dependencies
(controlplane/api/documented_errors.py), each with the body the one exception handler really sends."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from controlplane.api.errors import ErrorBody, MetaRefusal

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
META_OR_PLAIN = {"anyOf": [{"$ref": "#/components/schemas/MetaRefusal"}, ERROR_BODY]}
VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}


def operations(app: FastAPI) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
    }


def statuses(app: FastAPI, key: str) -> set[int]:
    return {int(status) for status in operations(app)[key]["responses"]}


def test_every_error_status_has_the_body_the_handler_sends(app: FastAPI) -> None:
    for key, operation in operations(app).items():
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = answer["content"]["application/json"]["schema"]
            allowed = [VALIDATION] if status == "422" else [ERROR_BODY, META_OR_PLAIN]
            assert schema in allowed, (key, status, schema)
            assert answer["description"] and answer["description"] != "Validation Error", (key, status)


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
    me = operations(app)["GET /api/auth/me"]["responses"]["401"]
    assert me["headers"]["WWW-Authenticate"]["schema"] == {"const": "Bearer"}
    assert operations(app)["GET /api/agents/{agent_id}"]["responses"]["404"]["description"] == "No such agent of yours"
    course_card = operations(app)["GET /api/courses/{course_id}/review/{card_id}"]["responses"]["404"]
    assert course_card["description"] == "No such course or card of yours"


def test_an_answer_fits_its_documented_body(client: TestClient, app: FastAPI) -> None:
    nobody = client.get("/api/agents")
    assert nobody.status_code == 401 and nobody.headers["WWW-Authenticate"] == "Bearer"
    ErrorBody.model_validate(nobody.json())
