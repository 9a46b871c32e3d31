"""The PWA's form limits (frontend/src/api/limits.ts) are generated from the served API, and each rule sentence a
form shows before typing is the sentence the 422 says after: the server's schemas are their one definition."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from controlplane.config import PROJECT_ROOT
from controlplane.openapi_document import openapi_document
from controlplane.rules import DISPLAY_NAME_RULE, PASSWORD_RULE, USERNAME_RULE, length_rule
from controlplane.schemas.settings import API_KEY_RULE, BASE_URL_RULE, PROVIDER_RULE
from tests.support.app import Account

FIX = "frontend/src/api/limits.ts is stale: run `make api-client` and commit it with openapi.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("form_limits", PROJECT_ROOT / "scripts" / "form_limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def test_the_committed_limits_are_the_generators_output_for_the_committed_document() -> None:
    document = json.loads((PROJECT_ROOT / "frontend" / "openapi.json").read_text(encoding="utf-8"))
    committed = (PROJECT_ROOT / "frontend" / "src" / "api" / "limits.ts").read_text(encoding="utf-8")

    assert committed == GENERATOR.render(document), FIX
    assert GENERATOR.main(["--check"]) == 0


def test_the_fields_the_account_forms_need_carry_the_servers_sentences() -> None:
    limits = GENERATOR.field_limits(openapi_document())

    assert limits["UserCreate"]["username"] == {"pattern": r"^[a-z][a-z0-9_-]{1,31}$", "rule": USERNAME_RULE}
    assert limits["UserCreate"]["password"] == {"minLength": 8, "maxLength": 72, "rule": PASSWORD_RULE}
    assert (
        limits["UserUpdate"]["password"] == limits["PasswordChange"]["new_password"] == limits["UserCreate"]["password"]
    )
    assert limits["UserCreate"]["display_name"] == {"maxLength": 80, "rule": DISPLAY_NAME_RULE}
    assert limits["UserUpdate"]["display_name"] == limits["UserCreate"]["display_name"]
    assert limits["ApiKeyCreate"]["provider"]["rule"] == PROVIDER_RULE
    assert limits["ApiKeyCreate"]["key"]["rule"] == API_KEY_RULE
    assert limits["ApiKeyCreate"]["base_url"]["rule"] == BASE_URL_RULE
    assert limits["AgentCreate"]["name"] == {"minLength": 1, "maxLength": 80, "rule": "Use 1 to 80 characters."}
    assert limits["Preferences"]["terminal_font_size"] == {
        "minimum": 8,
        "maximum": 32,
        "rule": "Use a number from 8 to 32.",
    }


def test_a_field_without_its_own_sentence_says_its_length() -> None:
    limits = GENERATOR.field_limits(openapi_document())

    assert limits["ProjectCreate"]["name"]["rule"] == length_rule(1, 120) == "Use 1 to 120 characters."
    assert limits["RulesBody"]["content"]["rule"] == "Use at most 100,000 characters."
    assert "rule" not in limits["HttpMcpServer"]["url"]  # "at least 1 character" says nothing a person needs


def test_the_generator_reads_optional_fields_and_leaves_unconstrained_ones_out() -> None:
    document: dict[str, Any] = {
        "components": {
            "schemas": {
                "Body": {
                    "properties": {
                        "plain": {"type": "string"},
                        "maybe": {"anyOf": [{"type": "string", "maxLength": 5, "x-rule": "Short."}, {"type": "null"}]},
                        "size": {"type": "integer", "minimum": 1.0, "maximum": 9.0},
                    }
                },
                "Empty": {"properties": {"x": {"type": "boolean"}}},
            }
        }
    }

    assert GENERATOR.field_limits(document) == {
        "Body": {
            "maybe": {"maxLength": 5, "rule": "Short."},
            "size": {"minimum": 1, "maximum": 9, "rule": "Use a number from 1 to 9."},
        }
    }
    rendered = GENERATOR.render(document)
    assert '    maybe: { maxLength: 5, rule: "Short." },' in rendered
    assert "Empty" not in rendered


# --- the hint is the 422's sentence ------------------------------------------------------------------


def _message(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    found = {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}
    return str(found[("body", field)])


@pytest.mark.parametrize(
    ("schema", "field", "path", "body"),
    [
        ("UserCreate", "username", "/api/users", {"username": "Lucie Nováková", "password": "long-enough-1"}),
        ("UserCreate", "username", "/api/users", {"username": "x" * 40, "password": "long-enough-1"}),
        ("UserCreate", "password", "/api/users", {"username": "lucie", "password": "short"}),
        (
            "UserCreate",
            "display_name",
            "/api/users",
            {"username": "lucie", "password": "long-enough-1", "display_name": "x" * 81},
        ),
        ("ApiKeyCreate", "provider", "/api/settings/api-keys", {"provider": "Open AI", "key": "sk-1234567890"}),
        ("ApiKeyCreate", "key", "/api/settings/api-keys", {"provider": "openai", "key": "sk-1"}),
        (
            "ApiKeyCreate",
            "base_url",
            "/api/settings/api-keys",
            {"provider": "openai", "key": "sk-12345678", "base_url": "llm"},
        ),
        ("PasswordChange", "new_password", "/api/auth/password", {"current_password": "x", "new_password": "short"}),
        ("AgentCreate", "name", "/api/agents", {"name": "   ", "template": "coding"}),
    ],
)
def test_each_rule_is_the_message_when_the_field_fails(
    client: TestClient, admin: Account, schema: str, field: str, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, json=body, headers=admin.headers)

    assert _message(response, field) == GENERATOR.field_limits(openapi_document())[schema][field]["rule"]
