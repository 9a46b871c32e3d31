"""A coding agent chooses Claude Code's model ("Opus for Claude Code, Codex for the manager"): stored on the agent,
checked when saved, and carried by the project's spec to `claude --model`."""

from __future__ import annotations

from pathlib import Path

from autocode_runner.coding.wiring import ClaudeCode
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.models import Agent, Project
from controlplane.projects.keys import ProjectKeys, ProviderKey
from controlplane.projects.spec import coding_spec
from tests.support.app import Account, create_agent


def test_the_coding_template_takes_claude_codes_model(client: TestClient, alice: Account) -> None:
    agent = create_agent(
        client, alice, template="coding", name="Builder", model="openai/gpt-5.3-codex", claude_model="opus"
    )
    assert (agent["model"], agent["claude_model"]) == ("openai/gpt-5.3-codex", "opus")
    changed = client.put(
        f"/api/agents/{agent['id']}", json={"claude_model": "claude-sonnet-4-5"}, headers=alice.headers
    )
    assert changed.json()["claude_model"] == "claude-sonnet-4-5"
    back = client.put(f"/api/agents/{agent['id']}", json={"claude_model": ""}, headers=alice.headers)
    assert back.json()["claude_model"] == ""  # Claude Code's own default again
    assert create_agent(client, alice, template="coding", name="Plain")["claude_model"] == ""


def test_a_claude_model_that_is_not_a_name_is_refused_under_its_field(client: TestClient, alice: Account) -> None:
    body = {"template": "coding", "name": "Bad", "claude_model": "opus --dangerously-skip-permissions"}
    refused = client.post("/api/agents", json=body, headers=alice.headers)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert [error["loc"][-1] for error in detail] == ["claude_model"]
    assert "Claude Code" in detail[0]["msg"]


def test_the_spec_carries_it_to_claude_codes_command(tmp_path: Path) -> None:
    key = ProviderKey("anthropic", "sk-x", None)
    project = Project(id=3, user_id=1, agent_id=1, name="P", slug="p")
    agent = Agent(id=1, user_id=1, name="A", type="coding", model="openai/gpt-5.3-codex", claude_model="opus")
    spec = coding_spec(project, agent, ProjectKeys(key, key), Settings(_env_file=None))
    assert spec.claude.model == "opus"
    command = ClaudeCode(spec).session.command()
    assert command.endswith("--model opus"), command
    default = Agent(id=1, user_id=1, name="A", type="coding", model="openai/gpt-5.3-codex")
    plain = coding_spec(project, default, ProjectKeys(key, key), Settings(_env_file=None))
    assert "--model" not in ClaudeCode(plain).session.command()
