"""Custom agents' chats through the API without a sandbox: chats listed, created, renamed and deleted with their
messages; only custom agents have chats; a message needs a key; another user's chats are 404 everywhere (4404 on
the WebSocket); the chat stream replays after N then goes live."""

from __future__ import annotations

from typing import Any

import pytest
from autocode_runner.contract.chat import ChatEvent, ChatEventType, ToolActivity, ToolStatus
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from controlplane.custom.kind import conversation
from controlplane.models import ChatMessage
from controlplane.realtime.protocol import CLOSE_NOT_FOUND
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account, create_agent


def custom_agent(client: TestClient, account: Account, name: str = "Helper") -> dict[str, Any]:
    return create_agent(client, account, name=name, model="anthropic/claude-sonnet-4-5", identity="You help.")


def new_chat(client: TestClient, account: Account, agent_id: int, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/agents/{agent_id}/chats", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    chat: dict[str, Any] = response.json()
    return chat


def test_chats_are_created_listed_renamed_and_deleted_with_their_messages(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    agent = custom_agent(client, alice)
    first = new_chat(client, alice, agent["id"])
    second = new_chat(client, alice, agent["id"], title="Dinner plans")
    assert (first["title"], first["agent"], first["answering"], first["running"]) == (
        "New chat",
        "Helper",
        False,
        False,
    )
    assert first["directory"] == f"/home/agent/agents/helper/chats/{first['id']}"
    assert second["directory"] == f"/home/agent/agents/helper/chats/{second['id']}", "one folder per agent"
    listed = client.get(f"/api/agents/{agent['id']}/chats", headers=alice.headers).json()
    assert [chat["id"] for chat in listed] == [second["id"], first["id"]], "the newest first"

    renamed = client.patch(f"/api/chats/{first['id']}", json={"title": "Groceries"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Groceries"
    too_long = client.patch(f"/api/chats/{first['id']}", json={"title": "x" * 121}, headers=alice.headers)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["msg"] == "Use 1 to 120 characters."

    hub = app.state.chat
    turn = hub.user_message(conversation(alice.id, first["id"]), "What do we need?", []).id
    hub.apply(conversation(alice.id, first["id"]), ChatEvent(ChatEventType.COMPLETED, turn, text="Milk."))
    detail = client.get(f"/api/chats/{first['id']}", headers=alice.headers).json()
    assert [(m["role"], m["content"]) for m in detail["messages"]] == [
        ("user", "What do we need?"),
        ("assistant", "Milk."),
    ]
    assert client.delete(f"/api/chats/{first['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/chats/{first['id']}", headers=alice.headers).status_code == 404
    with Session(app.state.engine) as session:
        left = session.exec(select(ChatMessage).where(ChatMessage.session_type == "custom")).all()
    assert left == [], "the chat's messages went with it"

    # Another agent of the same name keeps its files apart.
    client.put(f"/api/agents/{agent['id']}", json={"name": "Old helper"}, headers=alice.headers)
    other = custom_agent(client, alice, "Helper")
    assert new_chat(client, alice, other["id"])["directory"].startswith(f"/home/agent/agents/helper-{other['id']}/")
    assert new_chat(client, alice, agent["id"])["directory"].startswith("/home/agent/agents/helper/chats/")


def test_only_custom_agents_have_chats_and_a_message_needs_text_and_a_key(client: TestClient, alice: Account) -> None:
    tutor = create_agent(client, alice, template="learning", name="Tutor")
    refused = client.post(f"/api/agents/{tutor['id']}/chats", json={}, headers=alice.headers)
    assert refused.status_code == 409 and "only custom agents have chats" in refused.json()["detail"]
    assert client.get(f"/api/agents/{tutor['id']}/chats", headers=alice.headers).status_code == 409

    chat_id = new_chat(client, alice, custom_agent(client, alice)["id"])["id"]
    empty = client.post(f"/api/chats/{chat_id}/message", json={"text": "  "}, headers=alice.headers)
    assert empty.status_code == 422 and empty.json()["detail"][0]["msg"] == "Write a message."
    no_key = client.post(f"/api/chats/{chat_id}/message", json={"text": "Hi"}, headers=alice.headers)
    assert no_key.status_code == 409 and "anthropic" in no_key.json()["detail"].lower()
    nothing = client.post(f"/api/chats/{chat_id}/interrupt", headers=alice.headers)
    assert nothing.status_code == 409 and nothing.json()["detail"] == "Nothing is being written right now."


def test_another_users_chats_are_not_found_everywhere(client: TestClient, alice: Account, bob: Account) -> None:
    agent = custom_agent(client, alice)
    chat = new_chat(client, alice, agent["id"])
    for method, path, body in (
        ("GET", f"/api/agents/{agent['id']}/chats", None),
        ("POST", f"/api/agents/{agent['id']}/chats", {}),
        ("GET", f"/api/chats/{chat['id']}", None),
        ("PATCH", f"/api/chats/{chat['id']}", {"title": "Mine"}),
        ("POST", f"/api/chats/{chat['id']}/message", {"text": "Hi"}),
        ("POST", f"/api/chats/{chat['id']}/interrupt", None),
        ("DELETE", f"/api/chats/{chat['id']}", None),
    ):
        response = client.request(method, path, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, path, response.text)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/chat/{chat['id']}?ticket={ticket_for(client, bob)}") as socket,
    ):
        socket.receive_text()
    assert closed.value.code == CLOSE_NOT_FOUND
    assert client.get(f"/api/chats/{chat['id']}", headers=alice.headers).json()["title"] == "New chat"


def test_the_chat_stream_sends_the_backlog_after_n_then_live_frames_with_tool_cards(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    chat = new_chat(client, alice, custom_agent(client, alice)["id"])
    talk = conversation(alice.id, chat["id"])
    hub = app.state.chat
    turn = hub.user_message(talk, "Look it up", []).id
    card = ToolActivity(id="t1", name="mcp_tiny_lookup", summary="apple", status=ToolStatus.DONE, detail="a fruit")
    hub.apply(talk, ChatEvent(ChatEventType.TOOL, turn, tool=card))
    hub.apply(talk, ChatEvent(ChatEventType.DELTA, turn, text="An apple "))
    frames, _ = hub.backlog(talk, 0)
    seen_up_to = frames[1]["seq"]  # the user's message and the tool card

    url = f"/ws/chat/{chat['id']}?after={seen_up_to}&ticket={ticket_for(client, alice)}"
    with client.websocket_connect(url) as socket:
        resumed = socket.receive_json()
        assert (resumed["type"], resumed["text"]) == ("delta", "An apple ")
        hub.apply(talk, ChatEvent(ChatEventType.COMPLETED, turn, text="An apple is a fruit."))
        completed = socket.receive_json()
    assert completed["type"] == "completed" and completed["message"]["content"] == "An apple is a fruit."
    [reply] = [
        m
        for m in client.get(f"/api/chats/{chat['id']}", headers=alice.headers).json()["messages"]
        if m["role"] == "assistant"
    ]
    assert [(tool["name"], tool["status"]) for tool in reply["tools"]] == [("mcp_tiny_lookup", "done")]
