"""A custom agent through the control plane with real parts: the API, the real sandbox and runner, the custom kind's
nanobot with three MCP servers (the tiny one the tests ship, started over stdio inside the sandbox; the same server
over streamable HTTP on the sandbox's loopback; one that cannot start), against the scripted Anthropic server in
the sandbox.

The agent calls each working server's tool in a chat (the one that cannot start is said once, as a notice); the
reply streams on the WebSocket with the tool's card before it; each tool got its secret (it answers a digest of it)
while the secrets are found in clear nowhere in the database file or in the sandbox's files; a second chat keeps
its own history; deleting a chat removes its folder."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from controlplane.config import Settings
from controlplane.custom.kind import conversation
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account
from tests.support.coding_world import CodingWorld
from tests.support.fakes.claude_sandbox import HOME, start_fake_api, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8767
MCP_PORT = 8931
SERVER_SOURCE = Path(__file__).parents[2] / "support" / "fakes" / "tiny_mcp_server.py"
SERVER = f"{HOME}/mcp/tiny_mcp_server.py"
PYTHON = "/opt/autocode/venv/bin/python"
TOKEN = f"tiny-token-{uuid.uuid4().hex}"
HEADER = f"Bearer hdr-{uuid.uuid4().hex}"


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})  # nanobot, two MCP servers, Python each


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def tool_use(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_use": {"name": name, "input": arguments}}


def ended(world: CodingWorld, chat_id: int, turn: int) -> dict[str, Any]:
    talk = conversation(world.sandbox_user.id, chat_id)  # type: ignore[attr-defined]

    def end() -> dict[str, Any] | None:
        frames = world.harness.app.state.chat.backlog(talk, 0)[0]
        return next((f for f in frames if f["turn"] == turn and f["type"] in ("completed", "error")), None)

    frame: dict[str, Any] = wait_until(end, 120, f"turn {turn} to end")
    return frame


def test_a_custom_agent_calls_its_mcp_tools_streams_and_keeps_its_secrets(harness: Any) -> None:
    world = CodingWorld.create(harness, "family")
    user = world.sandbox_user  # type: ignore[attr-defined]
    account = Account(user.id, "family", "", world.headers["Authorization"].split(" ", 1)[1])
    api = start_fake_api(
        harness,
        user,
        {
            "turns": [
                {
                    "match": "apple",
                    "responses": [
                        tool_use("mcp_tiny_lookup", {"word": "apple"}),
                        {"text": "An apple is a fruit, " * 6, "chunk_delay": 0.03},
                    ],
                },
                {
                    "match": "carrot",
                    "responses": [tool_use("mcp_web_lookup", {"word": "carrot"}), {"text": "A carrot is a vegetable."}],
                },
            ],
            "default": "Noted.",
        },
        port=PORT,
    )
    world.write("mcp/tiny_mcp_server.py", SERVER_SOURCE.read_text())
    harness.call(user, "tmux.new", {"name": "tiny-http", "command": f"{PYTHON} {SERVER} --http {MCP_PORT}"})
    probe = f"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", {MCP_PORT}), timeout=2)'"
    wait_until(lambda: harness.sh(user, probe)[0] == 0, 30, "the tiny MCP server over HTTP")
    world.api(
        "post",
        "/api/settings/api-keys",
        {"provider": "anthropic", "key": "sk-ant-test-custom-0001", "base_url": f"http://127.0.0.1:{PORT}"},
        201,
    )
    agent = world.api(
        "post",
        "/api/agents",
        {
            "name": "Pantry helper",
            "model": "anthropic/claude-sonnet-4-5",
            "identity": "You know the pantry.",
            "tools": ["read_file"],
            "mcp_servers": {
                "tiny": {"command": PYTHON, "args": [SERVER], "env": {"TINY_TOKEN": TOKEN}},
                "web": {"url": f"http://127.0.0.1:{MCP_PORT}/mcp", "headers": {"Authorization": HEADER}},
                "gone": {"command": "/opt/autocode/venv/bin/no-such-server"},
            },
        },
        201,
    )
    chat = world.api("post", f"/api/agents/{agent['id']}/chats", {}, 201)["id"]

    # The stdio server's tool: its card, then the reply streaming, over the WebSocket.
    url = f"/ws/chat/{chat}?ticket={ticket_for(harness.client, account)}"
    with harness.client.websocket_connect(url) as socket:
        turn = world.api("post", f"/api/chats/{chat}/message", {"text": "What is an apple?"})["messages"][-1]["id"]
        received = [socket.receive_json()]
        while received[-1]["type"] not in ("completed", "error"):
            received.append(socket.receive_json())
    kinds = [frame["type"] for frame in received]
    assert received[-1]["type"] == "completed", received[-1]
    assert "tool" in kinds and kinds.count("delta") >= 2 and kinds.index("tool") < kinds.index("delta"), kinds
    notices = [frame["message"]["content"] for frame in received if frame["type"] == "notice"]
    assert notices == ["The MCP server 'gone' could not be started or reached; its tools are missing for now."]
    reply = received[-1]["message"]
    assert reply["content"] == ("An apple is a fruit, " * 6).strip() and reply["reply_to"] == turn
    [card] = reply["tools"]
    assert (card["name"], card["status"], card["summary"]) == ("mcp_tiny_lookup", "done", "apple"), card
    assert f"apple is a fruit (secret digest {digest(TOKEN)})" in card["detail"], "the server got its secret"

    # The URL server's tool, with its header.
    detail = world.api("post", f"/api/chats/{chat}/message", {"text": "And a carrot?"})
    done = ended(world, chat, detail["messages"][-1]["id"])
    assert done["type"] == "completed", done
    [card] = done["message"]["tools"]
    assert (card["name"], card["status"]) == ("mcp_web_lookup", "done"), card
    assert f"carrot is a vegetable (secret digest {digest(HEADER)})" in card["detail"]
    chats = world.api("get", f"/api/agents/{agent['id']}/chats")
    assert chats[0]["title"] == "What is an apple?", "named after its first message"

    # The model saw both tools and their results; a second chat starts with none of the first's history.
    second = world.api("post", f"/api/agents/{agent['id']}/chats", {}, 201)["id"]
    turn = world.api("post", f"/api/chats/{second}/message", {"text": "hello"})["messages"][-1]["id"]
    assert ended(world, second, turn)["type"] == "completed"
    last = api.requests()[-1]["body"]
    assert {tool["name"] for tool in last["tools"]} >= {"mcp_tiny_lookup", "mcp_web_lookup", "read_file"}
    assert "apple" not in json.dumps(last["messages"]) and "You know the pantry." in json.dumps(last["system"])
    history = harness.sh(user, f"cat {HOME}/agents/pantry-helper/chats/{chat}/history.json")[1]
    assert [item["role"] for item in json.loads(history)] == ["user", "assistant"] * 2

    # The secrets: in clear nowhere in the database file, nor in any file of the sandbox.
    database = harness.settings.data_dir / "autocode.db"
    stored = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    assert TOKEN.encode() not in stored and HEADER.split()[1].encode() not in stored
    control = f"planted-{uuid.uuid4().hex}"
    world.write("agents/planted.txt", control)

    def files_with(text: str) -> str:
        # -s: root's unreadable files (/etc/shadow...) are no file the agent could have written a secret to
        return str(harness.sh(user, f"grep -rlsF {text} /home /tmp /var/tmp /run /etc")[1]).strip()

    assert files_with(control) == f"{HOME}/agents/planted.txt", "the search finds what is there"
    for secret in (TOKEN, HEADER.split()[1]):
        assert files_with(secret) == ""
    config = harness.sh(user, f"cat {HOME}/agents/pantry-helper/chats/{chat}/.nanobot/config.json")[1]
    assert '"TINY_TOKEN": "(kept in memory by the runner)"' in config

    # Deleting a chat stops it and removes its folder; the other chat stays.
    world.api("delete", f"/api/chats/{chat}", expect=204)
    assert harness.sh(user, f"test -e {HOME}/agents/pantry-helper/chats/{chat}")[0] == 1
    assert harness.sh(user, f"test -e {HOME}/agents/pantry-helper/chats/{second}/history.json")[0] == 0
