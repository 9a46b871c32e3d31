"""Every id a route takes is bounded once, for every route: a huge or negative id is a 422 naming the parameter,
never a 500 (SQLite cannot even look up an integer past 2**63 - 1). The guard reads the OpenAPI document, so a new
route with an unbounded id fails here."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from controlplane.api.ids import MAX_ID, BodyId
from tests.support.app import Account

HUGE = "3495248017570421800960"


def integer_id_parameters(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                if parameter["name"].endswith("_id") and any(o.get("type") == "integer" for o in options):
                    found.append((f"{method} {path}", parameter["name"], schema))
    return found


def test_every_id_parameter_is_bounded_to_what_sqlite_holds(app: FastAPI) -> None:
    parameters = integer_id_parameters(app)
    assert len(parameters) > 60, "every route with an id is seen"
    unbounded = []
    for where, name, schema in parameters:
        integer = next(o for o in schema.get("anyOf", [schema]) if o.get("type") == "integer")
        if integer.get("minimum") != 1 or integer.get("maximum") != MAX_ID:
            unbounded.append(f"{where} {name}")
    assert unbounded == []


def test_the_ids_that_answered_500_answer_422_naming_the_id(client: TestClient, alice: Account) -> None:
    for method, path, body in (
        ("GET", f"/api/agents/{HUGE}/projects", None),
        ("POST", f"/api/projects/{HUGE}/reply", {"text": "yes"}),
        ("PUT", f"/api/projects/{HUGE}/plan", {"steps": []}),
        ("GET", "/api/projects/-1", None),
        ("GET", "/api/social/feed", None),
    ):
        params = {"agent_id": HUGE} if path == "/api/social/feed" else None
        answer = client.request(method, path, json=body, params=params, headers=alice.headers)
        assert answer.status_code == 422, (method, path, answer.text)
        assert answer.json()["detail"][0]["loc"][-1].endswith("_id"), answer.text
    assert client.get(f"/api/agents/{MAX_ID}", headers=alice.headers).status_code == 404, "the largest id is looked up"


def integer_body_fields(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    """Every integer field of every request body, by its dotted path (`[]` for a list's items)."""
    document = app.openapi()
    components = document["components"]["schemas"]
    found: list[tuple[str, str, dict[str, Any]]] = []

    def walk(where: str, field: str, schema: dict[str, Any], seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(where, field, components[name], seen | {name})
            return
        for option in schema.get("anyOf", []):
            walk(where, field, option, seen)
        if schema.get("type") == "integer":
            found.append((where, field, schema))
        if schema.get("type") == "array":
            walk(where, f"{field}[]", schema.get("items", {}), seen)
        for name, child in schema.get("properties", {}).items():
            walk(where, f"{field}.{name}" if field else name, child, seen)

    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(f"{method} {path}", "", content.get("schema", {}), frozenset())
    return found


def test_every_id_in_a_request_body_is_a_body_id(app: FastAPI) -> None:
    """Bounded like every id (BodyId is Id); its schema names only the minimum, since FastAPI would write 2**63 - 1
    in a body's schema as the float 2.0**63, a largest id the server refuses."""
    ids = [found for found in integer_body_fields(app) if found[1].rstrip("[]").endswith(("_id", "_ids", "retry_of"))]
    assert len(ids) >= 8, "the bodies' ids are seen"
    bounds = {"type": "integer", "minimum": 1}
    assert [f"{where} {field}" for where, field, schema in ids if {k: schema.get(k) for k in bounds} != bounds] == []
    assert all("maximum" not in schema for _, _, schema in ids)
    assert TypeAdapter(BodyId).validate_python(MAX_ID) == MAX_ID
    for outside in (0, MAX_ID + 1):
        with pytest.raises(ValidationError):
            TypeAdapter(BodyId).validate_python(outside)


def test_a_huge_id_in_a_body_is_a_422_naming_it_not_a_500(client: TestClient, alice: Account) -> None:
    """Found by the fuzz suite (tests/fuzz): SQLite cannot even look up an integer past 2**63 - 1."""
    huge = int(HUGE)
    for path, body, field in (
        ("/api/social/ai/chat", {"agent_id": huge, "text": "hi"}, "agent_id"),
        ("/api/social/ai/chat", {"agent_id": 1, "retry_of": huge}, "retry_of"),
        ("/api/social/posts", {"agent_id": 1, "account_ids": [huge]}, "account_ids"),
        ("/api/social/dms/c1/reply", {"account_id": huge, "text": "hi"}, "account_id"),
    ):
        answer = client.post(path, json=body, headers=alice.headers)
        assert answer.status_code == 422, (path, answer.text)
        assert field in answer.json()["detail"][0]["loc"], answer.text
