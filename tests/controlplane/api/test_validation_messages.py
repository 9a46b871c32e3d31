"""A 422 carries sentences a person understands, in FastAPI's own shape: each error's type and loc as pydantic gave
them (the PWA puts each message under the field its loc names), only `msg` in plain words."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from controlplane.api.validation_messages import GENERIC, MESSAGES, UNKNOWN_FORMAT, plain_errors, plain_message
from controlplane.rules import PASSWORD_BYTES_RULE, PASSWORD_RULE, USERNAME_RULE
from controlplane.schemas.agents import MCP_SERVER_NAME_PATTERN, MCP_SERVER_NAME_RULE
from controlplane.schemas.settings import (
    API_KEY_PATTERN,
    API_KEY_RULE,
    BASE_URL_RULE,
    PROVIDER_PATTERN,
    PROVIDER_RULE,
)
from controlplane.services.agents import NOT_NULL
from tests.support.app import Account, create_agent

# What a validator says, never a person: none of it may reach the PWA.
VALIDATOR_VOCABULARY = ("should", "Input", "String", "pattern", "regex", "^", "Value error")


def messages(response: Any) -> dict[tuple[Any, ...], str]:
    """Each error's message by its loc."""
    assert response.status_code == 422, response.text
    return {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}


def project_id(client: TestClient, account: Account) -> int:
    agent = create_agent(client, account, template="coding", name="Coder")
    response = client.post(
        f"/api/agents/{agent['id']}/projects", json={"name": "Weather", "description": "A CLI"}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


# --- through the real routes ----------------------------------------------------------------------


def test_preferences_out_of_range_and_unknown_choices_read_as_sentences(client: TestClient, alice: Account) -> None:
    body = {"theme": "pink", "language": "de", "terminal_font_size": 99}
    response = client.put("/api/settings/preferences", json=body, headers=alice.headers)

    assert messages(response) == {
        ("body", "theme"): "Choose one of: system, light, dark.",
        ("body", "language"): "Choose one of: en, cs.",
        ("body", "terminal_font_size"): "Use a number no larger than 32.",
    }


def test_a_font_size_that_is_not_a_number_asks_for_a_whole_number(client: TestClient, alice: Account) -> None:
    small = client.put("/api/settings/preferences", json={"terminal_font_size": 4}, headers=alice.headers)
    words = client.put("/api/settings/preferences", json={"terminal_font_size": "big"}, headers=alice.headers)
    flag = client.put("/api/settings/preferences", json={"terminal_font_size": 12.5}, headers=alice.headers)

    assert messages(small) == {("body", "terminal_font_size"): "Use a number no smaller than 8."}
    assert messages(words) == {("body", "terminal_font_size"): "Use a whole number."}
    assert messages(flag) == {("body", "terminal_font_size"): "Use a whole number."}


def test_api_key_patterns_are_said_as_their_rules(client: TestClient, alice: Account) -> None:
    body = {"provider": "OpenAI", "key": "two words here", "base_url": "llm.example.com"}
    response = client.post("/api/settings/api-keys", json=body, headers=alice.headers)

    assert messages(response) == {
        ("body", "provider"): PROVIDER_RULE,
        ("body", "key"): API_KEY_RULE,
        ("body", "base_url"): BASE_URL_RULE,
    }
    assert "a lowercase letter first" in PROVIDER_RULE


def test_a_short_key_and_a_missing_provider(client: TestClient, alice: Account) -> None:
    response = client.post("/api/settings/api-keys", json={"key": "short"}, headers=alice.headers)

    assert messages(response) == {
        ("body", "provider"): "This is required.",
        ("body", "key"): API_KEY_RULE,
    }


def test_a_new_account_says_each_fields_rule(client: TestClient, admin: Account) -> None:
    body = {"username": "Alice Smith", "password": "short", "role": "owner", "nickname": "al"}
    response = client.post("/api/users", json=body, headers=admin.headers)

    assert messages(response) == {
        ("body", "username"): USERNAME_RULE,
        ("body", "password"): PASSWORD_RULE,
        ("body", "role"): "Choose one of: admin, user.",
        ("body", "nickname"): "This field is not expected.",
    }
    assert "a lowercase letter first" in USERNAME_RULE
    assert PASSWORD_RULE == "Use 8 to 72 characters."


@pytest.mark.parametrize("password", ["x" * 73, "", 12345678])
def test_a_password_reset_outside_the_rule_says_the_rule(
    client: TestClient, admin: Account, alice: Account, password: Any
) -> None:
    response = client.patch(f"/api/users/{alice.id}", json={"password": password}, headers=admin.headers)

    assert messages(response) == {("body", "password"): PASSWORD_RULE}


def test_a_password_too_long_in_bytes_says_why(client: TestClient, admin: Account, alice: Account) -> None:
    """bcrypt counts bytes: 30 emoji are 30 characters, within the rule, but 120 bytes."""
    response = client.patch(f"/api/users/{alice.id}", json={"password": "🙂" * 30}, headers=admin.headers)

    assert messages(response) == {("body", "password"): PASSWORD_BYTES_RULE}


def test_agent_errors_keep_our_own_sentences_without_the_prefix(client: TestClient, alice: Account) -> None:
    body = {
        "name": "   ",
        "model": "gpt",
        "tools": ["telepathy"],
        "mcp_servers": {"bad name": {"command": "x"}, "empty": {}, "web": {"url": "ftp://files.example.com"}},
    }
    response = client.post("/api/agents", json=body, headers=alice.headers)

    found = messages(response)
    assert found[("body", "name")] == "Use 1 to 80 characters."
    assert found[("body", "model")] == 'Model must look like "provider/model", for example "openai/gpt-5.3-codex"'
    assert found[("body", "tools", 0)].startswith("Unknown tool 'telepathy'; known tools: ")
    assert found[("body", "mcp_servers", "bad name", "[key]")] == MCP_SERVER_NAME_RULE
    assert found[("body", "mcp_servers", "empty")].startswith("An MCP server needs either 'command'")
    assert (
        found[("body", "mcp_servers", "web", "http", "url")] == "Use a web address starting with http:// or https://."
    )


def test_project_and_plan_errors(client: TestClient, alice: Account) -> None:
    pid = project_id(client, alice)

    nulled = client.put(f"/api/projects/{pid}", json={"name": None}, headers=alice.headers)
    too_long = client.put(f"/api/projects/{pid}", json={"name": "n" * 121}, headers=alice.headers)
    plan = client.put(
        f"/api/projects/{pid}/plan",
        json={"steps": [{"title": ""}, {"title": "Build", "status": "won", "attempts": "many"}]},
        headers=alice.headers,
    )
    action = client.post(f"/api/projects/{pid}/explode", headers=alice.headers)

    assert messages(nulled) == {("body", "name"): NOT_NULL}
    assert messages(too_long) == {("body", "name"): "Use 1 to 120 characters."}
    assert messages(plan) == {
        ("body", "steps", 0): "title: must be 1 to 300 characters",  # the runner contract's own words
        ("body", "steps", 1, "status"): "Choose one of: pending, running, done, failed.",
        ("body", "steps", 1, "attempts"): "Use a whole number.",
    }
    extra = client.put(f"/api/projects/{pid}/plan", json={"steps": [{"title": "x", "why": 1}]}, headers=alice.headers)
    assert messages(extra) == {("body", "steps", 0, "why"): "This field is not expected."}
    reply = client.post(f"/api/projects/{pid}/reply", json={"message": "m" * 20_001}, headers=alice.headers)
    assert messages(reply) == {("body", "message"): "Use at most 20,000 characters."}
    assert messages(action) == {("path", "action"): "Choose one of: start, stop, restart, pause, resume."}


def test_a_query_parameter_out_of_range(client: TestClient, admin: Account) -> None:
    response = client.get("/api/audit-events", params={"limit": 501}, headers=admin.headers)

    assert messages(response) == {("query", "limit"): "Use a number no larger than 500."}


def test_a_body_that_is_not_json_or_not_an_object(client: TestClient, alice: Account) -> None:
    broken = client.put(
        "/api/settings/preferences",
        content=b'{"theme": ',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    listed = client.put("/api/settings/preferences", json=["dark"], headers=alice.headers)

    assert [error["msg"] for error in broken.json()["detail"]] == ["The request is not valid JSON."]
    assert broken.json()["detail"][0]["type"] == "json_invalid"
    assert messages(listed) == {("body",): "Use an object with named fields."}


def test_the_422_keeps_fastapis_shape(client: TestClient, alice: Account) -> None:
    response = client.put("/api/settings/preferences", json={"terminal_font_size": 40}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["body", "terminal_font_size"],
                "msg": "Use a number no larger than 32.",
                "input": 40,
                "ctx": {"le": 32},
            }
        ]
    }


def test_a_field_refused_by_a_service_reads_as_its_sentence(client: TestClient, alice: Account) -> None:
    response = client.post("/api/agents", json={"name": "Custom"}, headers=alice.headers)  # no template, no model

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "model"] and error["type"] == "value_error"
    assert not any(word in error["msg"] for word in VALIDATOR_VOCABULARY)


# --- the guard: no validator vocabulary anywhere --------------------------------------------------

BAD_BODIES: list[tuple[str, str, Any]] = [
    ("POST", "/api/users", {}),
    ("POST", "/api/users", {"username": "A", "password": "", "role": 1, "x": None}),
    ("POST", "/api/users", {"username": 7, "password": ["p"], "role": None}),
    ("POST", "/api/users", "alice"),
    ("PATCH", "/api/users/{alice}", {}),
    ("PATCH", "/api/users/{alice}", {"password": "p" * 100, "role": "root"}),
    ("POST", "/api/agents", {}),
    ("POST", "/api/agents", {"template": "wizard", "name": "n" * 81, "type": "robot", "model": "x"}),
    ("POST", "/api/agents", {"name": "A", "model": 5, "identity": 1, "tools": "exec", "global_rules": []}),
    ("POST", "/api/agents", {"name": "A", "model": "a/b", "mcp_servers": {"*": {"url": "nope", "headers": []}}}),
    ("POST", "/api/agents", {"name": "A", "model": "a/b", "mcp_servers": {"m": {"command": "", "args": "x"}}}),
    ("POST", "/api/agents", {"name": "A", "model": "a/b", "mcp_servers": ["x"]}),
    ("PUT", "/api/agents/{agent}", {"name": "", "type": "coding", "tools": ["exec", 3]}),
    ("PUT", "/api/agents/{agent}/rules", {"rules": "x"}),
    ("PUT", "/api/agents/{agent}/rules", {"content": None}),
    ("POST", "/api/agents/{agent}/projects", {}),
    ("POST", "/api/agents/{agent}/projects", {"name": " ", "description": " ", "architecture": 1, "y": 2}),
    ("PUT", "/api/projects/{project}", {"name": None, "description": "", "details": {}}),
    ("PUT", "/api/projects/{project}/plan", {}),
    ("PUT", "/api/projects/{project}/plan", {"steps": "one"}),
    ("PUT", "/api/projects/{project}/plan", {"steps": [{}, {"title": "t" * 301}, {"title": "x", "why": 1}]}),
    ("PUT", "/api/projects/{project}/plan", {"steps": [{"title": "x", "attempts": -1, "status": "?"}]}),
    ("PUT", "/api/projects/{project}/plan", {"steps": [{"title": "x"}] * 201}),
    ("POST", "/api/projects/{project}/reply", {"message": ""}),
    ("POST", "/api/projects/{project}/reply", {"message": "m" * 20_001}),
    ("POST", "/api/projects/{project}/halt", None),
    ("POST", "/api/settings/api-keys", {}),
    ("POST", "/api/settings/api-keys", {"provider": "a", "key": "k" * 1001, "base_url": "ftp://x"}),
    ("POST", "/api/settings/api-keys", {"provider": "^$", "key": "has a space", "base_url": 12}),
    ("PUT", "/api/settings/preferences", {"theme": None, "language": "EN", "terminal_font_size": True}),
    ("PUT", "/api/settings/preferences", {"terminal_font_size": 1.5, "colour": "red"}),
    ("PUT", "/api/settings/preferences", {"terminal_font_size": 7}),
    ("GET", "/api/audit-events?limit=x&before_id=0", None),
    ("GET", "/api/agents/abc", None),
]


def test_no_validator_vocabulary_reaches_the_user(client: TestClient, admin: Account, alice: Account) -> None:
    pid = project_id(client, alice)
    agent_id = client.get(f"/api/projects/{pid}", headers=alice.headers).json()["agent_id"]
    ids = {"alice": alice.id, "agent": agent_id, "project": pid}
    seen_types: set[str] = set()

    for method, path, body in BAD_BODIES:
        headers = admin.headers if path.startswith(("/api/users", "/api/audit")) else alice.headers
        response = client.request(method, path.format(**ids), json=body, headers=headers)
        assert response.status_code == 422, (method, path, response.text)
        for error in response.json()["detail"]:
            seen_types.add(error["type"])
            leaked = [word for word in VALIDATOR_VOCABULARY if word in error["msg"]]
            assert not leaked, (method, path, error)
            assert error["msg"], (method, path, error)

    assert len(seen_types) >= 15, seen_types  # the guard covers many kinds of error, not one


# --- every type the handler knows, and one it does not --------------------------------------------

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "missing": ({}, "This is required."),
    "missing_keyword_only_argument": ({}, "This is required."),
    "extra_forbidden": ({}, "This field is not expected."),
    "unexpected_keyword_argument": ({}, "This field is not expected."),
    "json_invalid": ({"error": "Expecting value"}, "The request is not valid JSON."),
    "string_type": ({}, "Use text."),
    "string_too_short": ({"min_length": 3}, "Use at least 3 characters."),
    "string_too_long": ({"max_length": 1}, "Use at most 1 character."),
    "string_pattern_mismatch": ({"pattern": PROVIDER_PATTERN}, PROVIDER_RULE),
    "too_short": ({"field_type": "List", "min_length": 2, "actual_length": 1}, "Use at least 2 items."),
    "too_long": ({"field_type": "List", "max_length": 2000, "actual_length": 2001}, "Use at most 2,000 items."),
    "less_than_equal": ({"le": 32}, "Use a number no larger than 32."),
    "greater_than_equal": ({"ge": 8}, "Use a number no smaller than 8."),
    "less_than": ({"lt": 1.5}, "Use a number smaller than 1.5."),
    "greater_than": ({"gt": 0}, "Use a number larger than 0."),
    "int_parsing": ({}, "Use a whole number."),
    "int_type": ({}, "Use a whole number."),
    "int_from_float": ({}, "Use a whole number."),
    "float_parsing": ({}, "Use a number."),
    "float_type": ({}, "Use a number."),
    "bool_type": ({}, "Choose yes or no."),
    "bool_parsing": ({}, "Choose yes or no."),
    "literal_error": ({"expected": "'a', 'b' or 'c'"}, "Choose one of: a, b, c."),
    "enum": ({"expected": "1, 2 or 3"}, "Choose one of: 1, 2, 3."),
    "url_parsing": ({"error": "relative URL without a base"}, "Use a web address like https://example.com."),
    "url_type": ({}, "Use a web address like https://example.com."),
    "url_scheme": ({"expected_schemes": "'http' or 'https'"}, "Use a web address starting with http:// or https://."),
    "url_too_long": ({"max_length": 2083}, "This web address is too long."),
    "list_type": ({}, "Use a list."),
    "dict_type": ({}, "Use an object with named fields."),
    "model_type": ({}, "Use an object with named fields."),
    "model_attributes_type": ({}, "Use an object with named fields."),
    "dataclass_type": ({}, "Use an object with named fields."),
    "dataclass_args_type": ({}, "Use an object with named fields."),
}


def test_every_known_type_has_a_case_here() -> None:
    assert set(CASES) == set(MESSAGES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_known_type_reads_as_a_sentence(kind: str) -> None:
    ctx, expected = CASES[kind]
    error = {"type": kind, "loc": ("body", "field"), "msg": "Input should be something else", "input": 1, "ctx": ctx}

    assert plain_message(error) == expected
    assert not any(word in expected for word in VALIDATOR_VOCABULARY)


@pytest.mark.parametrize(
    ("pattern", "rule"),
    [
        (PROVIDER_PATTERN, PROVIDER_RULE),
        (API_KEY_PATTERN, API_KEY_RULE),
        (MCP_SERVER_NAME_PATTERN, MCP_SERVER_NAME_RULE),
        (r"^\d+$", UNKNOWN_FORMAT),
    ],
)
def test_a_pattern_reads_as_its_rule(pattern: str, rule: str) -> None:
    error = {
        "type": "string_pattern_mismatch",
        "msg": f"String should match pattern '{pattern}'",
        "ctx": {"pattern": pattern},
    }

    assert plain_message(error) == rule


def test_edge_cases_of_the_context() -> None:
    assert plain_message({"type": "string_too_short", "ctx": {"min_length": 1}}) == "This cannot be empty."
    assert plain_message({"type": "string_too_short", "ctx": {"min_length": 1}, "msg": "String should"}) == (
        "This cannot be empty."
    )
    assert plain_message({"type": "too_short", "ctx": {"min_length": 1}}) == "Add at least one item."
    assert plain_message({"type": "string_too_long"}) == GENERIC
    assert plain_message({"type": "less_than_equal", "ctx": {}}) == "Use a number in the allowed range."
    assert plain_message({"type": "literal_error", "ctx": {"expected": ""}}) == GENERIC


def test_our_own_messages_keep_their_words_without_the_prefix() -> None:
    assert plain_message({"type": "value_error", "msg": "Value error, Give a new password, a role, or both"}) == (
        "Give a new password, a role, or both"
    )
    assert plain_message({"type": "value_error", "msg": "May be omitted but not null"}) == "May be omitted but not null"
    assert plain_message({"type": "mcp_server_kind", "msg": "An MCP server needs a command"}) == (
        "An MCP server needs a command"
    )
    assert plain_message({"type": "value_error", "msg": "Value error, "}) == GENERIC


def test_an_unknown_type_gets_the_generic_sentence_not_the_validators() -> None:
    error = {"type": "uuid_parsing", "loc": ("path", "id"), "msg": "Input should be a valid UUID", "input": "x"}

    assert plain_message(error) == GENERIC
    assert plain_errors([error]) == [{**error, "msg": GENERIC}]  # type, loc and input untouched


def test_a_refused_secret_is_never_sent_back(client: TestClient, admin: Account, alice: Account) -> None:
    """A 422 names a password or key field but does not echo what was typed into it."""
    key = client.post(
        "/api/settings/api-keys", json={"provider": "openai", "key": "sk two words"}, headers=alice.headers
    )
    user = client.post("/api/users", json={"username": "bob", "password": "tiny-pw"}, headers=admin.headers)
    for response, secret in ((key, "sk two words"), (user, "tiny-pw")):
        assert response.status_code == 422, response.text
        assert secret not in response.text, response.text
        assert any(problem["input"] == "[hidden]" for problem in response.json()["detail"])
    provider = client.post(
        "/api/settings/api-keys", json={"provider": "Bad Name", "key": "k" * 20}, headers=alice.headers
    )
    assert "Bad Name" in provider.text  # what is not a secret is still shown back
