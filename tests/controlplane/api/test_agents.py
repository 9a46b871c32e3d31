"""Agents over HTTP: templates, the tool catalogue, creating, editing, deleting, and owner isolation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from controlplane.models import Agent, Project, ResearchSession
from controlplane.security.mcp_secrets import masked
from controlplane.services.agent_catalogue import TOOL_CATALOGUE
from tests.support.app import Account, create_agent

EXPECTED_TEMPLATES = {
    "coding": ("openai/gpt-5.3-codex", ["tmux", "exec", "read_file", "write_file", "web_search"]),
    "research": ("anthropic/claude-opus-4-6", None),
    "learning": ("anthropic/claude-opus-4-6", ["web_search", "web_fetch", "read_file", "write_file"]),
    "social_media": ("anthropic/claude-sonnet-4-5", ["instagram_graph", "facebook_graph"]),
}

FULL_CUSTOM_AGENT = {
    "name": "Household helper",
    "type": "custom",
    "model": "openrouter/meta-llama/llama-4:free",
    "identity": "You help the family plan the week.",
    "tools": ["web_search", "read_file"],
    "mcp_servers": {
        "calendar": {"command": "npx", "args": ["-y", "calendar-mcp"], "env": {"TZ": "Europe/Prague"}},
        "notes": {"url": "https://mcp.example.com/notes", "headers": {"Authorization": "Bearer t"}},
    },
    "global_rules": "- Be brief.\n",
}


def templates_by_key(client: TestClient, account: Account) -> dict[str, dict[str, Any]]:
    response = client.get("/api/agent-templates", headers=account.headers)
    assert response.status_code == 200, response.text
    return {template["key"]: template for template in response.json()}


def error_locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


def agent_names(client: TestClient, account: Account) -> list[str]:
    response = client.get("/api/agents", headers=account.headers)
    assert response.status_code == 200, response.text
    return [agent["name"] for agent in response.json()]


# --- catalogue ------------------------------------------------------------------------------------


def test_templates_are_the_four_prebuilt_agents(client: TestClient, alice: Account) -> None:
    assert set(templates_by_key(client, alice)) == set(EXPECTED_TEMPLATES)


@pytest.mark.parametrize("key", sorted(EXPECTED_TEMPLATES))
def test_template_defaults(client: TestClient, alice: Account, key: str) -> None:
    model, tools = EXPECTED_TEMPLATES[key]

    template = templates_by_key(client, alice)[key]

    assert template["type"] == key
    assert template["model"] == model
    if tools is not None:
        assert template["tools"] == tools
    assert set(template["tools"]) <= set(TOOL_CATALOGUE)
    assert template["identity"].strip()
    assert template["name"].strip()
    assert template["description"].strip()


def test_tool_catalogue(client: TestClient, alice: Account) -> None:
    response = client.get("/api/agent-tools", headers=alice.headers)

    assert response.status_code == 200
    tools = {tool["name"]: tool["description"] for tool in response.json()}
    assert {"tmux", "exec", "read_file", "write_file", "web_search", "web_fetch"} <= set(tools)
    assert {"instagram_graph", "facebook_graph", "claude_code"} <= set(tools)
    assert all(description.strip() for description in tools.values())


# Words a person who is not a developer would not know; the tool's code name is also one of them.
CODE_WORDS = {"tmux", "exec", "sandbox", "container", "shell", "api", "graph", "mcp", "stdio", "json"}


@pytest.mark.parametrize("name", sorted(TOOL_CATALOGUE))
def test_every_tool_has_a_plain_label_and_one_sentence(client: TestClient, alice: Account, name: str) -> None:
    tool = next(t for t in client.get("/api/agent-tools", headers=alice.headers).json() if t["name"] == name)

    label, description = tool["label"], tool["description"]
    assert label.strip() and label[0].isupper() and label != name
    assert description[0].isupper() and description.endswith(".")
    assert description.count(".") == 1, f"one sentence, not {description!r}"
    text = f"{label} {description}".lower()
    assert "_" not in text and name not in text
    assert not CODE_WORDS & set(re.findall(r"[a-z]+", text)), text


# --- creating -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(EXPECTED_TEMPLATES))
def test_create_from_template_copies_it(client: TestClient, alice: Account, key: str) -> None:
    template = templates_by_key(client, alice)[key]

    agent = create_agent(client, alice, template=key, name=f"My {key}")

    assert agent["name"] == f"My {key}"
    assert agent["type"] == template["type"] == key
    assert agent["model"] == template["model"]
    assert agent["tools"] == template["tools"]
    assert agent["identity"] == template["identity"]
    assert agent["global_rules"] == template["global_rules"]
    assert agent["mcp_servers"] == template["mcp_servers"]
    assert isinstance(agent["id"], int)
    assert agent["created_at"]
    assert agent["updated_at"]


def test_create_from_template_with_overrides(client: TestClient, alice: Account) -> None:
    template = templates_by_key(client, alice)["coding"]

    agent = create_agent(
        client,
        alice,
        template="coding",
        name="Cheap coder",
        type="coding",
        model="openai/gpt-5-mini",
        tools=["exec", "read_file", "exec"],
        global_rules="- No force pushes.\n",
    )

    assert agent["type"] == "coding"
    assert agent["model"] == "openai/gpt-5-mini"
    assert agent["tools"] == ["exec", "read_file"]  # duplicates dropped, order kept
    assert agent["global_rules"] == "- No force pushes.\n"
    assert agent["identity"] == template["identity"]  # not overridden: from the template


def test_create_from_template_with_empty_tool_list(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, template="coding", name="Toolless", tools=[])

    assert agent["tools"] == []


def test_create_custom_with_every_field(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, **FULL_CUSTOM_AGENT)

    for field, value in FULL_CUSTOM_AGENT.items():
        assert agent[field] == (masked(value) if field == "mcp_servers" else value), field  # type: ignore[arg-type]
    fetched = client.get(f"/api/agents/{agent['id']}", headers=alice.headers).json()
    assert fetched == agent


def test_custom_agent_type_defaults_to_custom(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, name="Plain", model="openai/gpt-5")

    assert agent["type"] == "custom"
    assert agent["identity"] == ""
    assert agent["tools"] == []
    assert agent["mcp_servers"] == {}


def test_custom_agent_without_model_names_the_field(client: TestClient, alice: Account) -> None:
    response = client.post("/api/agents", json={"name": "No model"}, headers=alice.headers)

    assert ["body", "model"] in error_locs(response)
    assert agent_names(client, alice) == []


@pytest.mark.parametrize("model", ["gpt4", "openai/", "/x", "Open AI/x", "OpenAI/gpt", "", "a/" + "b" * 199])
def test_bad_model_names_are_refused(client: TestClient, alice: Account, model: str) -> None:
    response = client.post("/api/agents", json={"name": "Bad", "model": model}, headers=alice.headers)

    assert any("model" in loc for loc in error_locs(response))


def test_unknown_tool_is_refused(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/agents",
        json={"template": "coding", "name": "Bad tools", "tools": ["exec", "rm_rf"]},
        headers=alice.headers,
    )

    locs = error_locs(response)
    assert any("tools" in loc for loc in locs)
    assert "rm_rf" in response.text


@pytest.mark.parametrize(
    "server",
    [
        {},
        {"args": ["x"]},
        {"foo": "1", "bar": "2"},
        {"command": "npx", "bogus": "1"},
        {"url": "https://mcp.example.com", "bogus": "1"},
        {"command": "npx", "url": "https://mcp.example.com"},
        {"command": ""},
        {"url": "notaurl"},
        {"command": "npx", "args": "not-a-list"},
        "just a string",
    ],
    ids=[
        "empty",
        "args-only",
        "unknown-keys",
        "command-plus-unknown",
        "url-plus-unknown",
        "both-kinds",
        "empty-command",
        "bad-url",
        "args-not-list",
        "not-an-object",
    ],
)
def test_bad_mcp_servers_are_refused(client: TestClient, alice: Account, server: Any) -> None:
    body = {"name": "MCP", "model": "openai/gpt-5", "mcp_servers": {"srv": server}}

    response = client.post("/api/agents", json=body, headers=alice.headers)

    assert any("mcp_servers" in loc for loc in error_locs(response))


def test_mcp_server_name_is_validated(client: TestClient, alice: Account) -> None:
    body = {"name": "MCP", "model": "openai/gpt-5", "mcp_servers": {"bad name!": {"command": "x"}}}

    response = client.post("/api/agents", json=body, headers=alice.headers)

    assert any("mcp_servers" in loc for loc in error_locs(response))


def test_template_with_conflicting_type_is_refused(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/agents", json={"template": "coding", "type": "research", "name": "Mixed"}, headers=alice.headers
    )

    assert ["body", "type"] in error_locs(response)
    assert agent_names(client, alice) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": "coding", "name": "X", "owner": 2}, "owner"),
        ({"template": "coding", "name": "X", "user_id": 2}, "user_id"),
        ({"template": "hacking", "name": "X"}, "template"),
        ({"model": "openai/gpt-5", "name": "X", "type": "robot"}, "type"),
        ({"template": "coding", "name": "   "}, "name"),
        ({"template": "coding", "name": "n" * 81}, "name"),
        ({"template": "coding"}, "name"),
    ],
)
def test_invalid_create_bodies_name_the_field(
    client: TestClient, alice: Account, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/agents", json=body, headers=alice.headers)

    assert any(field in loc for loc in error_locs(response))


def test_name_is_trimmed(client: TestClient, alice: Account) -> None:
    assert create_agent(client, alice, template="coding", name="  Spacey  ")["name"] == "Spacey"


def test_duplicate_name_conflicts_only_for_the_same_user(client: TestClient, alice: Account, bob: Account) -> None:
    create_agent(client, alice, template="coding", name="Builder")

    duplicate = client.post("/api/agents", json={"template": "research", "name": "Builder"}, headers=alice.headers)
    assert duplicate.status_code == 409
    assert "Builder" in duplicate.json()["detail"]
    assert agent_names(client, alice) == ["Builder"]

    create_agent(client, bob, template="coding", name="Builder")
    assert agent_names(client, bob) == ["Builder"]


# --- reading, editing, deleting -------------------------------------------------------------------


def test_get_by_id(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, template="learning", name="Tutor")

    response = client.get(f"/api/agents/{agent['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == agent


def test_list_returns_own_agents_in_creation_order(client: TestClient, alice: Account, bob: Account) -> None:
    for name in ("First", "Second", "Third"):
        create_agent(client, alice, template="research", name=name)
    create_agent(client, bob, template="research", name="Bob's")

    assert agent_names(client, alice) == ["First", "Second", "Third"]
    assert agent_names(client, bob) == ["Bob's"]


def test_put_changes_only_the_given_fields(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, **FULL_CUSTOM_AGENT)

    response = client.put(
        f"/api/agents/{agent['id']}",
        json={"model": "anthropic/claude-sonnet-4-5", "tools": ["web_fetch"]},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["model"] == "anthropic/claude-sonnet-4-5"
    assert updated["tools"] == ["web_fetch"]
    for field in ("name", "type", "identity", "mcp_servers", "global_rules", "created_at"):
        assert updated[field] == agent[field], field
    assert client.get(f"/api/agents/{agent['id']}", headers=alice.headers).json() == updated


def test_put_can_replace_and_clear_mcp_servers(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, **FULL_CUSTOM_AGENT)
    url = f"/api/agents/{agent['id']}"

    replaced = client.put(
        url, json={"mcp_servers": {"one": {"url": "http://localhost:9000/mcp"}}}, headers=alice.headers
    )
    assert replaced.json()["mcp_servers"] == {"one": {"url": "http://localhost:9000/mcp", "headers": {}}}

    cleared = client.put(url, json={"mcp_servers": {}, "identity": ""}, headers=alice.headers)
    assert cleared.json()["mcp_servers"] == {}
    assert cleared.json()["identity"] == ""


def test_put_renames(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, template="coding", name="Old")

    response = client.put(f"/api/agents/{agent['id']}", json={"name": "New"}, headers=alice.headers)

    assert response.json()["name"] == "New"
    assert agent_names(client, alice) == ["New"]


def test_put_to_own_current_name_is_fine(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, template="coding", name="Same")

    response = client.put(f"/api/agents/{agent['id']}", json={"name": "Same"}, headers=alice.headers)

    assert response.status_code == 200


def test_put_to_a_name_already_used_conflicts(client: TestClient, alice: Account) -> None:
    create_agent(client, alice, template="coding", name="Taken")
    other = create_agent(client, alice, template="coding", name="Other")

    response = client.put(f"/api/agents/{other['id']}", json={"name": "Taken"}, headers=alice.headers)

    assert response.status_code == 409
    assert agent_names(client, alice) == ["Taken", "Other"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "research"}, "type"),
        ({"template": "coding"}, "template"),
        ({"model": "gpt4"}, "model"),
        ({"tools": ["nope"]}, "tools"),
        ({"mcp_servers": {"x": {}}}, "mcp_servers"),
        ({"name": None}, "name"),
        ({"model": None}, "model"),
        ({"mcp_servers": None}, "mcp_servers"),
    ],
)
def test_put_refuses_invalid_changes(client: TestClient, alice: Account, body: dict[str, Any], field: str) -> None:
    agent = create_agent(client, alice, template="coding", name="Stable")

    response = client.put(f"/api/agents/{agent['id']}", json=body, headers=alice.headers)

    assert any(field in loc for loc in error_locs(response))
    assert client.get(f"/api/agents/{agent['id']}", headers=alice.headers).json() == agent


def test_delete_removes_the_agent(client: TestClient, alice: Account) -> None:
    agent = create_agent(client, alice, template="coding", name="Doomed")

    response = client.delete(f"/api/agents/{agent['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert client.get(f"/api/agents/{agent['id']}", headers=alice.headers).status_code == 404
    assert agent_names(client, alice) == []
    assert client.delete(f"/api/agents/{agent['id']}", headers=alice.headers).status_code == 404


def test_delete_cascades_to_projects_and_research_sessions(client: TestClient, alice: Account, db: Session) -> None:
    doomed = create_agent(client, alice, template="coding", name="Doomed")
    kept = create_agent(client, alice, template="research", name="Kept")
    db.add(Project(user_id=alice.id, agent_id=doomed["id"], name="Site", slug="site"))
    db.add(ResearchSession(user_id=alice.id, agent_id=doomed["id"], name="Q", slug="q"))
    db.add(ResearchSession(user_id=alice.id, agent_id=kept["id"], name="Other", slug="other"))
    db.commit()

    assert client.delete(f"/api/agents/{doomed['id']}", headers=alice.headers).status_code == 204

    db.expire_all()
    assert db.exec(select(Project).where(Project.agent_id == doomed["id"])).all() == []
    assert db.exec(select(ResearchSession).where(ResearchSession.agent_id == doomed["id"])).all() == []
    assert db.get(Agent, doomed["id"]) is None
    remaining = db.exec(select(ResearchSession)).all()
    assert [session.slug for session in remaining] == ["other"]


# --- isolation and authentication -----------------------------------------------------------------


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", {"name": "Stolen"}), ("DELETE", None)])
@pytest.mark.parametrize("intruder", ["bob", "admin"])
def test_other_users_agents_are_not_found(
    client: TestClient,
    request: pytest.FixtureRequest,
    alice: Account,
    method: str,
    body: Any,
    intruder: str,
) -> None:
    agent = create_agent(client, alice, template="coding", name="Private")
    other: Account = request.getfixturevalue(intruder)

    response = client.request(method, f"/api/agents/{agent['id']}", json=body, headers=other.headers)

    assert response.status_code == 404
    assert response.json()["detail"] == "Agent not found"
    assert client.get(f"/api/agents/{agent['id']}", headers=alice.headers).json() == agent


def test_not_found_looks_the_same_for_missing_and_foreign_agents(
    client: TestClient, alice: Account, bob: Account
) -> None:
    agent = create_agent(client, alice, template="coding", name="Private")

    foreign = client.get(f"/api/agents/{agent['id']}", headers=bob.headers)
    missing = client.get("/api/agents/9999", headers=bob.headers)

    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())


def test_list_shows_only_own_agents(client: TestClient, alice: Account, bob: Account, admin: Account) -> None:
    create_agent(client, alice, template="coding", name="Alice's")

    assert agent_names(client, bob) == []
    assert agent_names(client, admin) == []


AGENT_ROUTES = [
    ("GET", "/api/agent-templates", None),
    ("GET", "/api/agent-tools", None),
    ("GET", "/api/agents", None),
    ("POST", "/api/agents", {"template": "coding", "name": "Anon"}),
    ("GET", "/api/agents/{id}", None),
    ("PUT", "/api/agents/{id}", {"name": "Anon"}),
    ("DELETE", "/api/agents/{id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), AGENT_ROUTES)
@pytest.mark.parametrize("token", [None, "not-a-jwt"], ids=["no-token", "bad-token"])
def test_agent_routes_need_a_valid_token(
    client: TestClient, alice: Account, method: str, path: str, body: Any, token: str | None
) -> None:
    agent = create_agent(client, alice, template="coding", name="Mine")
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    response = client.request(method, path.format(id=agent["id"]), json=body, headers=headers)

    assert response.status_code == 401
    assert agent_names(client, alice) == ["Mine"]


def test_a_tool_its_kind_cannot_run_is_refused_when_the_agent_is_saved(client: TestClient, alice: Account) -> None:
    refused = client.post("/api/agents", json={**FULL_CUSTOM_AGENT, "tools": ["exec"]}, headers=alice.headers)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"][-1] == "tools" and "cannot use Run commands" in problem["msg"], problem
    agent = create_agent(client, alice, **FULL_CUSTOM_AGENT)
    edited = client.put(f"/api/agents/{agent['id']}", json={"tools": ["tmux"]}, headers=alice.headers)
    assert edited.status_code == 422 and "Terminal control" in edited.text
    listed = {
        tool["name"]: tool["agent_types"] for tool in client.get("/api/agent-tools", headers=alice.headers).json()
    }
    assert "custom" not in listed["exec"] and "custom" in listed["web_search"]
    for template in client.get("/api/agent-templates", headers=alice.headers).json():  # every template runs its own
        assert all(template["type"] in listed[name] for name in template["tools"]), template
