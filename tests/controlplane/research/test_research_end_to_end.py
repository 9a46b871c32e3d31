"""The research agent through the control plane with real parts: the API and the chat WebSocket, the real
sandbox and runner, the real Claude Code in print mode, and the scripted Anthropic server inside the sandbox
reached through the user's key's base URL."""

from __future__ import annotations

from typing import Any

import pytest

from controlplane.config import Settings
from controlplane.research.kind import conversation
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account
from tests.support.coding_world import CodingWorld
from tests.support.fakes.claude_sandbox import HOME, start_fake_api, wait_until
from tests.support.research_world import LONG_STORY, REPORT, said_to_the_model

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8765
OVERLOADED = {"status": 529, "type": "overloaded_error", "message": "Overloaded"}


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """Claude Code alone takes about 250 MB; two researches run at once."""
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})


def frames(world: CodingWorld, research_id: int) -> list[dict[str, Any]]:
    chat = conversation(world.sandbox_user.id, research_id)  # type: ignore[attr-defined]
    found: list[dict[str, Any]] = world.harness.app.state.chat.backlog(chat, 0)[0]
    return found


def wait_for_turn(world: CodingWorld, research_id: int, turn: int, timeout: float = 90) -> dict[str, Any]:
    """The frame that ended the turn: the reply (completed) or the failure (error)."""

    def ended() -> dict[str, Any] | None:
        for frame in frames(world, research_id):
            if frame["turn"] == turn and frame["type"] in ("completed", "error"):
                return frame
        return None

    result: dict[str, Any] = wait_until(
        ended, timeout, f"turn {turn} to end", detail=lambda: str(frames(world, research_id))[-3000:]
    )
    return result


def send(world: CodingWorld, research_id: int, text: str) -> int:
    """Send a message; its id is the turn its reply answers."""
    detail = world.api("post", f"/api/research/{research_id}/message", {"text": text})
    turn: int = [message["id"] for message in detail["messages"] if message["role"] == "user"][-1]
    return turn


def test_a_research_streams_writes_isolates_resumes_recovers_and_refuses_links(harness: Any) -> None:
    world = CodingWorld.create(harness, "reader")
    user = world.sandbox_user  # type: ignore[attr-defined]
    api = start_fake_api(
        harness,
        user,
        {
            "turns": [
                {"match": "hello alpha", "responses": [{"text": "Alpha here, " * 8, "chunk_delay": 0.05}]},
                {
                    "match": "write the report",
                    "responses": [
                        {"tool_use": {"name": "Write", "input": {"file_path": REPORT, "content": "# Report\n"}}},
                        {"text": "Wrote report.md."},
                    ],
                },
                {"match": "hello beta", "responses": [{"text": "Beta here."}]},
                {"match": "busy day", "responses": [{"error": OVERLOADED, "times": 3}]},
                {"match": "busy day", "responses": [{"text": "Made it this time."}]},
                {"match": "long story", "responses": [{"text": LONG_STORY, "chunk_delay": 0.3}]},
            ],
            "default": "Noted.",
        },
        port=PORT,
    )
    world.api(
        "post",
        "/api/settings/api-keys",
        {"provider": "anthropic", "key": "sk-ant-test-research-0001", "base_url": f"http://127.0.0.1:{PORT}"},
        201,
    )
    agent = world.api("post", "/api/agents", {"template": "research", "name": "Researcher"}, 201)["id"]
    alpha = world.api("post", f"/api/agents/{agent}/research", {"name": "Alpha"}, 201)["id"]
    beta = world.api("post", f"/api/agents/{agent}/research", {"name": "Beta"}, 201)["id"]
    account = Account(user.id, "reader", "password-123", world.headers["Authorization"].split(" ", 1)[1])

    # Streaming: over the WebSocket, deltas come before the stored reply, which carries usage and cost.
    url = f"/ws/research/{alpha}/chat?ticket={ticket_for(harness.client, account)}"
    with harness.client.websocket_connect(url) as socket:
        first = send(world, alpha, "hello alpha")
        received = [socket.receive_json()]
        while received[-1]["type"] not in ("completed", "error"):
            received.append(socket.receive_json())
    kinds = [frame["type"] for frame in received]
    assert kinds[0] == "message" and "delta" in kinds and kinds.index("delta") < kinds.index("completed"), kinds
    assert [frame["seq"] for frame in received] == sorted(frame["seq"] for frame in received)
    reply = received[-1]["message"]
    assert reply["content"] == "Alpha here, " * 8 and reply["reply_to"] == first
    assert reply["usage"]["input_tokens"] > 0 and reply["cost_usd"] > 0, reply

    # A tool call writes report.md: its card is stored with the reply, the file is listed and downloads.
    turn = send(world, alpha, "please write the report")
    done = wait_for_turn(world, alpha, turn)
    assert done["type"] == "completed" and done["message"]["content"] == "Wrote report.md."
    assert [(card["name"], card["status"]) for card in done["message"]["tools"]] == [("Write", "done")]
    listed = world.api("get", f"/api/research/{alpha}/files")
    assert {"path": "report.md", "type": "file"}.items() <= next(f for f in listed if f["path"] == "report.md").items()
    download = harness.client.get(f"/api/research/{alpha}/files/report.md", headers=world.headers)
    assert download.status_code == 200 and download.text == "# Report\n"
    assert download.headers["content-type"].startswith("text/markdown")

    # Links planted in the workspace are listed but never followed, as a file or as a folder on the way.
    planted = (
        f"ln -s {HOME}/.fake-anthropic/scenario-{PORT}.json {HOME}/research/alpha/leak.md && "
        f"ln -s {HOME}/.fake-anthropic {HOME}/research/alpha/folder"
    )
    assert harness.sh(user, planted)[0] == 0
    types = {entry["path"]: entry["type"] for entry in world.api("get", f"/api/research/{alpha}/files")}
    assert types["leak.md"] == "symlink" and types["folder"] == "symlink" and "folder/anthropic_server.py" not in types
    for path in ("leak.md", f"folder/scenario-{PORT}.json"):
        refused = harness.client.get(f"/api/research/{alpha}/files/{path}", headers=world.headers)
        assert refused.status_code == 422, refused.text
        assert "never followed" in refused.json()["detail"][0]["msg"]
    traversal = harness.client.get(f"/api/research/{alpha}/files/%2E%2E/beta/x", headers=world.headers)
    assert traversal.status_code == 422

    # Isolation: every request the server got holds only its own research's conversation.
    turn = send(world, beta, "hello beta")
    assert wait_for_turn(world, beta, turn)["message"]["content"] == "Beta here."
    requests = api.requests()
    assert all("alpha" not in said_to_the_model(r) for r in requests if "hello beta" in said_to_the_model(r))
    assert all("beta" not in said_to_the_model(r) for r in requests if "hello alpha" in said_to_the_model(r))

    # The research's process killed: the next message continues the same session with the earlier turns.
    pid = harness.run(harness.manager.call, user, "instance.list")["instances"]
    alpha_pid = next(item["pid"] for item in pid if item["kind"] == "research" and item["id"] == alpha)
    assert harness.sh(user, f"kill -9 {alpha_pid}")[0] == 0
    wait_until(lambda: not world.api("get", f"/api/research/{alpha}")["running"], 30, "the killed process to be seen")
    turn = send(world, alpha, "after the kill")
    assert wait_for_turn(world, alpha, turn)["type"] == "completed"
    resumed = [r for r in api.requests() if "after the kill" in said_to_the_model(r)][-1]
    assert "hello alpha" in said_to_the_model(resumed) and "write the report" in said_to_the_model(resumed)

    # A 529 shows in the chat, the message is kept, and a retry succeeds.
    turn = send(world, alpha, "a busy day")
    failed = wait_for_turn(world, alpha, turn)
    assert failed["type"] == "error" and failed["retryable"] is True and "529" in failed["error"], failed
    kept = world.api("get", f"/api/research/{alpha}")["messages"]
    assert [(m["content"], m["status"]) for m in kept if m["id"] == turn] == [("a busy day", "failed")]
    world.api("post", f"/api/research/{alpha}/message", {"retry_of": turn})
    wait_until(
        lambda: any(
            m["reply_to"] == turn and m["content"] == "Made it this time."
            for m in world.api("get", f"/api/research/{alpha}")["messages"]
        ),
        90,
        "the retry's reply",
    )

    # Stop: the reply ends with what it had said, kept, and a notice says it was stopped.
    turn = send(world, alpha, "tell a long story")
    story = turn

    def deltas() -> list[dict[str, Any]]:
        return [f for f in frames(world, alpha) if f["turn"] == story and f["type"] == "delta"]

    wait_until(lambda: len(deltas()) >= 2, 60, "the story to start")
    world.api("post", f"/api/research/{alpha}/interrupt")
    stopped = wait_for_turn(world, alpha, turn)
    said = stopped["message"]["content"]
    assert stopped["type"] == "completed" and said and LONG_STORY.startswith(said) and len(said) < len(LONG_STORY)
    wait_until(lambda: any(f["type"] == "notice" and f["turn"] == turn for f in frames(world, alpha)), 30, "the notice")

    # Deleting a research removes its folder and its Claude Code transcripts.
    world.api("delete", f"/api/research/{alpha}", expect=204)
    assert harness.sh(user, f"test -e {HOME}/research/alpha")[0] == 1
    assert harness.sh(user, f"test -e {HOME}/.claude/projects/-home-agent-research-alpha")[0] == 1
