"""Every id a route takes is bounded once, for every route: a huge or negative id is a 422 naming the parameter,
never a 500 (SQLite cannot even look up an integer past 2**63 - 1). The guard reads the OpenAPI document, so a new
route with an unbounded id fails here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from controlplane.api.ids import MAX_ID
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
