"""MCP secrets (env and headers values) are sealed at rest, never answered, kept when an edit sends the mask back,
and MCP servers are checked when the agent is saved (plain-words 422s under the field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from controlplane.config import Settings
from controlplane.models import Agent
from controlplane.schemas.agents import ENV_NAME_RULE, MCP_ARGS_RULE, MCP_COMMAND_RULE
from controlplane.security import mcp_secrets
from controlplane.security.mcp_secrets import MASK_WITHOUT_SECRET, SECRET_MASK
from tests.support.app import Account, create_agent

TOKEN = "tiny-token-d41d8cd98f00b204"
HEADER = "Bearer hdr-9e107d9d372bb6826bd81d35"
SERVERS = {
    "tiny": {
        "command": "/opt/autocode/venv/bin/python",
        "args": ["server.py", "--quiet"],
        "env": {"TINY_TOKEN": TOKEN},
    },
    "notes": {"url": "https://mcp.example.com/notes", "headers": {"Authorization": HEADER}},
}


def database_bytes(settings: Settings) -> bytes:
    """The SQLite file and its write-ahead log, as they are on disk."""
    path = settings.data_dir / "autocode.db"
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def stored(app: FastAPI, agent_id: int) -> dict[str, Any]:
    with Session(app.state.engine) as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        return {server.name: server for server in mcp_secrets.opened(app.state.secret_box, agent.mcp_servers)}


def test_secrets_are_sealed_never_answered_and_kept_by_the_mask(
    client: TestClient, app: FastAPI, settings: Settings, alice: Account
) -> None:
    agent = create_agent(client, alice, name="Helper", model="anthropic/claude-sonnet-4-5", mcp_servers=SERVERS)
    shown = agent["mcp_servers"]
    assert shown["tiny"] == {**SERVERS["tiny"], "env": {"TINY_TOKEN": SECRET_MASK}}
    assert shown["notes"]["headers"] == {"Authorization": SECRET_MASK}
    for answer in (
        client.get("/api/agents", headers=alice.headers),
        client.get(f"/api/agents/{agent['id']}", headers=alice.headers),
    ):
        assert TOKEN not in answer.text and HEADER not in answer.text
    data = database_bytes(settings)
    assert TOKEN.encode() not in data and HEADER.encode() not in data and b"hdr-9e107d9d" not in data
    assert stored(app, agent["id"])["tiny"].env == {"TINY_TOKEN": TOKEN}

    # An edit that sends the answer back keeps both secrets; a new value replaces one; a new name needs a value.
    edited = {**shown, "tiny": {**shown["tiny"], "args": ["server.py"]}}
    response = client.put(f"/api/agents/{agent['id']}", json={"mcp_servers": edited}, headers=alice.headers)
    assert response.status_code == 200, response.text
    servers = stored(app, agent["id"])
    assert (servers["tiny"].env, servers["tiny"].args) == ({"TINY_TOKEN": TOKEN}, ["server.py"])
    assert servers["notes"].headers == {"Authorization": HEADER}
    changed = {**shown, "notes": {**shown["notes"], "headers": {"Authorization": "Bearer new-one"}}}
    client.put(f"/api/agents/{agent['id']}", json={"mcp_servers": changed}, headers=alice.headers)
    assert stored(app, agent["id"])["notes"].headers == {"Authorization": "Bearer new-one"}
    unsaved = {**shown, "tiny": {**shown["tiny"], "env": {"TINY_TOKEN": SECRET_MASK, "OTHER": SECRET_MASK}}}
    refused = client.put(f"/api/agents/{agent['id']}", json={"mcp_servers": unsaved}, headers=alice.headers)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert (error["loc"], error["msg"]) == (["body", "mcp_servers.tiny.env.OTHER"], MASK_WITHOUT_SECRET)


def test_secrets_stored_in_clear_earlier_are_sealed_at_start_up(
    app: FastAPI, settings: Settings, alice: Account
) -> None:
    with Session(app.state.engine) as session:
        session.add(Agent(user_id=alice.id, name="Old", type="custom", model="openai/gpt-5", mcp_servers=SERVERS))
        session.commit()
        assert mcp_secrets.seal_stored(session, app.state.secret_box) == 1
        assert mcp_secrets.seal_stored(session, app.state.secret_box) == 0, "sealed once"
    with Session(app.state.engine) as session:
        agent = session.exec(select(Agent).where(Agent.name == "Old")).one()
        assert agent.mcp_servers["tiny"]["env"]["TINY_TOKEN"].startswith(mcp_secrets.SEALED_PREFIX)
        opened = mcp_secrets.opened(app.state.secret_box, agent.mcp_servers)
        assert [server.env or server.headers for server in opened] == [
            {"Authorization": HEADER},
            {"TINY_TOKEN": TOKEN},
        ]


def errors_of(client: TestClient, account: Account, servers: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    body = {"name": "Checked", "model": "openai/gpt-5", "mcp_servers": servers}
    response = client.post("/api/agents", json=body, headers=account.headers)
    assert response.status_code == 422, response.text
    return {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}


def test_mcp_servers_are_checked_when_the_agent_is_saved(client: TestClient, alice: Account) -> None:
    for command in ("rm -rf /", "npx;reboot", "$(curl x)", "a|b", "echo `id`", "tool > out"):
        found = errors_of(client, alice, {"s": {"command": command}})
        assert found == {("body", "mcp_servers", "s", "stdio", "command"): MCP_COMMAND_RULE}, command
    found = errors_of(client, alice, {"s": {"command": "npx", "args": "-y server"}})
    assert found == {("body", "mcp_servers", "s", "stdio", "args"): MCP_ARGS_RULE}
    found = errors_of(client, alice, {"s": {"command": "npx", "args": ["-y", 3]}})
    assert found == {("body", "mcp_servers", "s", "stdio", "args"): MCP_ARGS_RULE}
    found = errors_of(client, alice, {"s": {"command": "npx", "env": {"1BAD NAME": "x"}}})
    assert found[("body", "mcp_servers", "s", "stdio", "env")].endswith(ENV_NAME_RULE)
    found = errors_of(client, alice, {"s": {"url": "file:///etc/passwd"}})
    assert found[("body", "mcp_servers", "s", "http", "url")].startswith("Use a web address starting with http://")
    found = errors_of(client, alice, {"s": {"command": "npx", "env": {"TOKEN": SECRET_MASK}}})
    assert found == {("body", "mcp_servers.s.env.TOKEN"): MASK_WITHOUT_SECRET}
    # What is fine: a program by name or path, arguments with spaces (they are never given to a shell).
    agent = create_agent(
        client,
        alice,
        name="Fine",
        model="openai/gpt-5",
        mcp_servers={"s": {"command": "/usr/bin/python3", "args": ["-m", "my server", "--name=a b"]}},
    )
    assert agent["mcp_servers"]["s"]["args"] == ["-m", "my server", "--name=a b"]
