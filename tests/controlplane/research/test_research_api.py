"""The research API without sandboxes: CRUD, search and archive, the chat detail and export, refusals in plain
words (no Anthropic model, no key, a path leaving the workspace), and another user's research as 404 over REST
and over the chat WebSocket, whose frames resume with after=N."""

from __future__ import annotations

from typing import Any

import pytest
from autocode_runner.contract.chat import ChatEvent, ChatEventType
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from controlplane.config import Settings
from controlplane.realtime.protocol import CLOSE_NOT_FOUND
from controlplane.research.kind import conversation
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.docker_engine import DockerSandboxBackend
from controlplane.sandbox.manager import SandboxManager
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account, create_agent


def researcher(client: TestClient, account: Account, **body: Any) -> int:
    return int(create_agent(client, account, template="research", name=body.pop("name", "Researcher"), **body)["id"])


def new_research(client: TestClient, account: Account, agent_id: int, name: str) -> dict[str, Any]:
    response = client.post(f"/api/agents/{agent_id}/research", json={"name": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_researches_are_created_listed_searched_renamed_archived_and_deleted(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    agent = researcher(client, alice)
    hosting = new_research(client, alice, agent, "Next.js hosting")
    assert hosting["slug"] == "next-js-hosting" and hosting["status"] == "active"
    assert hosting["workspace_path"] == "/home/agent/research/next-js-hosting"
    assert hosting["answering"] is False and hosting["running"] is False
    other = new_research(client, alice, agent, "Heat pumps")
    app.state.chat.user_message(conversation(alice.id, other["id"]), "Which heat pump for a cottage?", [])

    listed = client.get(f"/api/agents/{agent}/research", headers=alice.headers).json()
    assert {item["name"] for item in listed} == {"Next.js hosting", "Heat pumps"}
    assert listed[0]["name"] == "Heat pumps", "the most recently active first"
    by_words = client.get(f"/api/agents/{agent}/research", params={"q": "cottage"}, headers=alice.headers).json()
    assert [item["name"] for item in by_words] == ["Heat pumps"], "search reaches what was said"

    renamed = client.patch(f"/api/research/{hosting['id']}", json={"name": "Hosting"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Hosting"
    archived = client.patch(f"/api/research/{hosting['id']}", json={"status": "archived"}, headers=alice.headers)
    assert archived.json()["status"] == "archived"
    active = client.get(f"/api/agents/{agent}/research", headers=alice.headers).json()
    assert [item["name"] for item in active] == ["Heat pumps"]
    shelved = client.get(f"/api/agents/{agent}/research", params={"archived": True}, headers=alice.headers).json()
    assert [item["name"] for item in shelved] == ["Hosting"]
    refused = client.post(f"/api/research/{hosting['id']}/message", json={"text": "hi"}, headers=alice.headers)
    assert refused.status_code == 409 and "unarchive" in refused.json()["detail"]
    back = client.patch(f"/api/research/{hosting['id']}", json={"status": "active"}, headers=alice.headers)
    assert back.json()["status"] == "active"

    assert client.delete(f"/api/research/{other['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/research/{other['id']}", headers=alice.headers).status_code == 404
    with app.state.engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT count(*) FROM chat_messages").scalar()
    assert left == 0, "its chat went with it"


def test_only_research_agents_have_researches_and_a_message_needs_claude_and_a_key(
    client: TestClient, alice: Account
) -> None:
    coder = create_agent(client, alice, template="coding", name="Coder")
    refused = client.post(f"/api/agents/{coder['id']}/research", json={"name": "X"}, headers=alice.headers)
    assert refused.status_code == 409 and "only research agents" in refused.json()["detail"]

    gpt = researcher(client, alice, name="GPT researcher", model="openai/gpt-5.3-codex")
    research = new_research(client, alice, gpt, "Prices")
    wrong_model = client.post(f"/api/research/{research['id']}/message", json={"text": "hi"}, headers=alice.headers)
    assert wrong_model.status_code == 409
    assert "needs an Anthropic model" in wrong_model.json()["detail"]

    claude = researcher(client, alice, name="Claude researcher")
    research = new_research(client, alice, claude, "Prices 2")
    no_key = client.post(f"/api/research/{research['id']}/message", json={"text": "hi"}, headers=alice.headers)
    assert no_key.status_code == 409 and "No API key for 'anthropic'" in no_key.json()["detail"]


def test_another_users_research_is_not_found_everywhere(client: TestClient, alice: Account, bob: Account) -> None:
    research = new_research(client, alice, researcher(client, alice), "Mine")
    rid = research["id"]
    calls = [
        ("GET", f"/api/research/{rid}", None),
        ("PATCH", f"/api/research/{rid}", {"name": "Theirs"}),
        ("POST", f"/api/research/{rid}/resume", None),
        ("POST", f"/api/research/{rid}/message", {"text": "hello"}),
        ("POST", f"/api/research/{rid}/interrupt", None),
        ("GET", f"/api/research/{rid}/files", None),
        ("GET", f"/api/research/{rid}/files/report.md", None),
        ("GET", f"/api/research/{rid}/export", None),
        ("DELETE", f"/api/research/{rid}", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["detail"] == "Research not found"
    bobs_agent = researcher(client, bob)
    assert client.get(f"/api/agents/{bobs_agent}/research", headers=alice.headers).status_code == 404
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/research/{rid}/chat?ticket={ticket_for(client, bob)}") as socket,
    ):
        socket.receive_text()
    assert closed.value.code == CLOSE_NOT_FOUND
    assert client.get(f"/api/research/{rid}", headers=alice.headers).json()["name"] == "Mine"


@pytest.mark.parametrize(
    "path", ["%2E%2E/%2E%2E/projects/secret.md", "a/%2E%2E/%2E%2E/x", "/etc/passwd", "a//b", "%2E"]
)
def test_a_download_path_that_leaves_the_workspace_is_refused(client: TestClient, alice: Account, path: str) -> None:
    research = new_research(client, alice, researcher(client, alice), "Paths")
    response = client.get(f"/api/research/{research['id']}/files/{path}", headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == "The path must name a file inside the research's folder."


def test_the_detail_and_the_export_hold_the_whole_chat(client: TestClient, app: FastAPI, alice: Account) -> None:
    research = new_research(client, alice, researcher(client, alice), "Solar panels")
    hub, chat = app.state.chat, conversation(alice.id, research["id"])
    turn = hub.user_message(chat, "Are solar panels worth it in Brno?", []).id
    hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Mostly **yes**: payback in ~8 years."))
    failed = hub.user_message(chat, "And batteries?", []).id
    hub.apply(chat, ChatEvent(type=ChatEventType.ERROR, turn=failed, text="Overloaded (529)", retryable=True))

    detail = client.get(f"/api/research/{research['id']}", headers=alice.headers).json()
    assert [(m["role"], m["status"]) for m in detail["messages"]] == [
        ("user", "done"),
        ("assistant", "done"),
        ("user", "failed"),
    ]
    assert detail["messages"][2]["error"] == "Overloaded (529)" and detail["messages"][2]["retryable"] is True
    exported = client.get(f"/api/research/{research['id']}/export", headers=alice.headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/markdown")
    assert "solar-panels.md" in exported.headers["content-disposition"]
    text = exported.text
    assert text.startswith("# Solar panels\n")
    assert text.index("Are solar panels worth it in Brno?") < text.index("Mostly **yes**") < text.index("batteries")
    assert "(not answered)" in text and "Overloaded (529)" in text


def test_the_chat_stream_sends_the_backlog_after_n_then_live_frames(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    research = new_research(client, alice, researcher(client, alice), "Stream")
    hub, chat = app.state.chat, conversation(alice.id, research["id"])
    turn = hub.user_message(chat, "First", []).id
    hub.apply(chat, ChatEvent(type=ChatEventType.DELTA, turn=turn, text="Hel"))
    hub.apply(chat, ChatEvent(type=ChatEventType.DELTA, turn=turn, text="lo"))
    frames, _ = hub.backlog(chat, 0)
    seen_up_to = frames[1]["seq"]  # the client saw the message and the first delta, then lost its connection

    url = f"/ws/research/{research['id']}/chat?after={seen_up_to}&ticket={ticket_for(client, alice)}"
    with client.websocket_connect(url) as socket:
        resumed = socket.receive_json()
        assert (resumed["type"], resumed["text"], resumed["seq"]) == ("delta", "lo", frames[2]["seq"])
        assert hub.fanout.count(chat.key) == 1, "subscribed before its backlog was read"
        hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Hello"))
        completed = socket.receive_json()
    assert completed["type"] == "completed" and completed["message"]["content"] == "Hello"
    assert completed["seq"] > resumed["seq"] and completed["turn"] == turn


def test_a_reply_in_flight_keeps_the_sandbox_busy(
    client: TestClient, app: FastAPI, settings: Settings, alice: Account
) -> None:
    """The idle stop asks is_busy: a pending message counts, even while no process runs for it yet."""
    manager = SandboxManager(settings, DockerSandboxBackend(settings), app.state.engine)  # the engine is not called
    me = SandboxUser(alice.id, alice.username)
    research = new_research(client, alice, researcher(client, alice), "Busy")
    hub, chat = app.state.chat, conversation(alice.id, research["id"])
    assert manager.is_busy(me) is False
    turn = hub.user_message(chat, "Think hard", []).id
    assert manager.is_busy(me) is True
    hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Done"))
    assert manager.is_busy(me) is False
