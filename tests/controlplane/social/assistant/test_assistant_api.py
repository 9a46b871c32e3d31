"""The social media manager's AI assistant through the API, without a sandbox: one chat per social agent, made on
first use and kept; only a social media manager has one (a clear 409), and it gets no general "chats" routes;
another user's agent is 404 on every route and closes the stream with 4404, making nothing; a message needs words
and a key; the message is stored before it is sent (a sandbox that cannot be reached leaves it failed, with a
retry); the stream relays the chat after N, then live; the spec the custom kind starts it with carries the post
rules and no tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from autocode_runner.contract.chat import ChatEvent, ChatEventType
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from controlplane.config import Settings
from controlplane.custom.kind import CustomKind, conversation
from controlplane.main import create_app
from controlplane.models import AgentChat, ChatMessage
from controlplane.realtime.protocol import CLOSE_NOT_FOUND
from controlplane.services.users import create_user
from controlplane.social.assistant import POST_RULES
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import USER_PASSWORD, Account, create_agent, login

CHAT = "/api/social/ai/chat"


def social_agent(client: TestClient, account: Account, name: str = "Bakery posts", **body: Any) -> dict[str, Any]:
    return create_agent(client, account, template="social_media", name=name, **body)


def assistant(client: TestClient, account: Account, agent_id: int) -> dict[str, Any]:
    response = client.get(CHAT, params={"agent_id": agent_id}, headers=account.headers)
    assert response.status_code == 200, response.text
    chat: dict[str, Any] = response.json()
    return chat


def closed_with(client: TestClient, account: Account, query: str) -> int:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/social/ai/chat?{query}&ticket={ticket_for(client, account)}") as socket,
    ):
        socket.receive_text()
    return closed.value.code


def chat_rows(app: FastAPI) -> list[AgentChat]:
    with Session(app.state.engine) as session:
        return list(session.exec(select(AgentChat)).all())


def test_a_social_agent_has_one_assistant_chat_made_on_first_use(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    agent = social_agent(client, alice)
    assert chat_rows(app) == [], "nothing is made before it is used"
    first = assistant(client, alice, agent["id"])
    again = assistant(client, alice, agent["id"])
    assert (first["id"], first["agent_id"], first["agent"], first["title"]) == (
        again["id"],
        agent["id"],
        "Bakery posts",
        "AI Assistant",
    )
    assert (first["answering"], first["running"], first["messages"]) == (False, False, [])
    assert len(chat_rows(app)) == 1, "one continuous chat per agent"

    other = social_agent(client, alice, "Garden posts")
    assert assistant(client, alice, other["id"])["id"] != first["id"], "each social agent has its own"

    # It is not a custom agent: the general chats routes still refuse it.
    listed = client.get(f"/api/agents/{agent['id']}/chats", headers=alice.headers)
    assert listed.status_code == 409 and "only custom agents have chats" in listed.json()["detail"]
    made = client.post(f"/api/agents/{agent['id']}/chats", json={}, headers=alice.headers)
    assert made.status_code == 409 and len(chat_rows(app)) == 2


def test_only_a_social_media_manager_has_the_assistant(client: TestClient, app: FastAPI, alice: Account) -> None:
    helper = create_agent(client, alice, name="Helper", model="anthropic/claude-sonnet-4-5")
    tutor = create_agent(client, alice, template="learning", name="Tutor")
    for agent, kind in ((helper, "custom"), (tutor, "learning")):
        for method, params, body in (
            ("GET", {"agent_id": agent["id"]}, None),
            ("POST", None, {"agent_id": agent["id"], "text": "Write a post"}),
        ):
            response = client.request(method, CHAT, params=params, json=body, headers=alice.headers)
            assert response.status_code == 409, (method, response.text)
            assert response.json()["detail"] == (
                f"'{agent['name']}' is a {kind} agent; only a social media manager has the AI assistant"
            )
        stop = client.post(f"{CHAT}/interrupt", params={"agent_id": agent["id"]}, headers=alice.headers)
        assert stop.status_code == 409
        assert closed_with(client, alice, f"agent_id={agent['id']}") == CLOSE_NOT_FOUND
    assert chat_rows(app) == []


def test_another_users_agent_is_not_found_everywhere(
    client: TestClient, app: FastAPI, alice: Account, bob: Account
) -> None:
    agent = social_agent(client, alice)
    for method, path, params, body in (
        ("GET", CHAT, {"agent_id": agent["id"]}, None),
        ("POST", CHAT, None, {"agent_id": agent["id"], "text": "Write a post about bread"}),
        ("POST", CHAT, None, {"agent_id": agent["id"], "text": "", "retry_of": 1}),
        ("POST", "/api/social/ai/chat/interrupt", {"agent_id": agent["id"]}, None),
        ("GET", CHAT, {"agent_id": 9999}, None),
    ):
        response = client.request(method, path, params=params, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["detail"] == "Agent not found"
    for query in (f"agent_id={agent['id']}", "agent_id=9999", "agent_id=x", "nothing=1"):
        assert closed_with(client, bob, query) == CLOSE_NOT_FOUND, query
    assert chat_rows(app) == [], "bob's tries made nothing"
    assert assistant(client, alice, agent["id"])["messages"] == []


def test_a_message_needs_words_and_a_key(client: TestClient, alice: Account) -> None:
    agent = social_agent(client, alice)
    empty = client.post(CHAT, json={"agent_id": agent["id"], "text": "  "}, headers=alice.headers)
    assert empty.status_code == 422 and empty.json()["detail"][0]["msg"] == "Write a message."
    unknown = client.post(CHAT, json={"agent_id": agent["id"], "text": "Hi", "to": "x"}, headers=alice.headers)
    assert unknown.status_code == 422
    no_key = client.post(CHAT, json={"agent_id": agent["id"], "text": "Write a post"}, headers=alice.headers)
    assert no_key.status_code == 409 and "anthropic" in no_key.json()["detail"].lower()
    nothing = client.post(f"{CHAT}/interrupt", params={"agent_id": agent["id"]}, headers=alice.headers)
    assert nothing.status_code == 409 and nothing.json()["detail"] == "Nothing is being written right now."
    assert assistant(client, alice, agent["id"])["messages"] == [], "a refused message is not stored"


@pytest.fixture
def unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Account]]:
    """An application with sandboxes on and no container engine where it looks for one, and a signed-in account
    with a key: a message gets as far as delivery, which fails."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=tmp_path / "no-frontend",
        sandboxes_enabled=True,
        reconcile_interval_seconds=3600,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            user_id = create_user(session, settings, "carol", USER_PASSWORD).id or 0
        account = Account(user_id, "carol", USER_PASSWORD, login(client, "carol", USER_PASSWORD))
        key = {"provider": "anthropic", "key": "sk-ant-test-social-0001"}
        assert client.post("/api/settings/api-keys", json=key, headers=account.headers).status_code == 201
        yield client, account


def test_the_message_is_stored_first_and_kept_failed_with_a_retry(unreachable: tuple[TestClient, Account]) -> None:
    client, carol = unreachable
    agent = social_agent(client, carol)
    sent = client.post(
        CHAT, json={"agent_id": agent["id"], "text": "Write a post about rye bread"}, headers=carol.headers
    )
    assert sent.status_code == 202, sent.text
    [message] = sent.json()["messages"]
    assert (message["role"], message["content"], message["status"]) == (
        "user",
        "Write a post about rye bread",
        "failed",
    )
    assert message["retryable"] and message["error"].startswith("The message could not reach the chat:")
    assert sent.json()["answering"] is False, "a failed message leaves the chat free"

    again = client.post(CHAT, json={"agent_id": agent["id"], "retry_of": message["id"]}, headers=carol.headers)
    assert again.status_code == 202
    [retried] = again.json()["messages"]
    assert (retried["id"], retried["status"]) == (message["id"], "failed"), "the same message, failed again"
    bad_retry = client.post(CHAT, json={"agent_id": agent["id"], "retry_of": 9999}, headers=carol.headers)
    assert bad_retry.status_code == 422


def test_the_stream_relays_the_assistant_chat_after_n_then_live(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    agent = social_agent(client, alice)
    chat_id = assistant(client, alice, agent["id"])["id"]
    talk = conversation(alice.id, chat_id)
    hub = app.state.chat
    turn = hub.user_message(talk, "Write a post about bread", []).id
    hub.apply(talk, ChatEvent(ChatEventType.DELTA, turn, text="Here is one:\n\n```post\nFresh rye"))
    frames, _ = hub.backlog(talk, 0)

    url = f"/ws/social/ai/chat?agent_id={agent['id']}&after={frames[0]['seq']}&ticket={ticket_for(client, alice)}"
    with client.websocket_connect(url) as socket:
        resumed = socket.receive_json()
        assert (resumed["type"], resumed["turn"]) == ("delta", turn), "only what came after N"
        reply = "Here is one:\n\n```post\nFresh rye bread today!\n\n#bread #rye #bakery\n```"
        hub.apply(talk, ChatEvent(ChatEventType.COMPLETED, turn, text=reply))
        completed = socket.receive_json()
    assert completed["type"] == "completed" and completed["message"]["content"] == reply
    stored = assistant(client, alice, agent["id"])["messages"]
    assert [(m["role"], m["status"]) for m in stored] == [("user", "done"), ("assistant", "done")]
    with Session(app.state.engine) as session:
        rows = session.exec(select(ChatMessage).where(ChatMessage.session_id == chat_id)).all()
    assert {row.session_type for row in rows} == {"custom"}, "the custom kind's chat"


def test_the_assistant_starts_with_the_agents_identity_and_the_post_rules_and_no_tools(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    key = {"provider": "anthropic", "key": "sk-ant-test-social-0002"}
    assert client.post("/api/settings/api-keys", json=key, headers=alice.headers).status_code == 201
    mcp = {"notes": {"command": "npx", "args": ["notes-server"]}}
    social = social_agent(
        client,
        alice,
        identity="You write for Anna's bakery.",
        global_rules="Never promise discounts.",
        tools=["instagram_graph", "facebook_graph", "web_search"],
        mcp_servers=mcp,
    )
    helper = create_agent(
        client, alice, name="Helper", model="anthropic/claude-sonnet-4-5", tools=["web_search"], mcp_servers=mcp
    )
    helper_chat = client.post(f"/api/agents/{helper['id']}/chats", json={}, headers=alice.headers).json()
    kind = CustomKind(app.state.secret_box, app.state.chat)
    with Session(app.state.engine) as session:
        spec = kind.launch(session, alice.id, assistant(client, alice, social["id"])["id"]).spec
        custom = kind.launch(session, alice.id, helper_chat["id"]).spec
    assert spec.system_prompt == f"You write for Anna's bakery.\n\nNever promise discounts.\n\n{POST_RULES}"
    assert "```post\n" in spec.system_prompt and "5 to 10" in spec.system_prompt and "2,200" in spec.system_prompt
    assert (spec.tools, spec.mcp_servers, spec.model) == ([], [], "anthropic/claude-sonnet-4-5")
    assert spec.workspace == "/home/agent/agents/bakery-posts"
    # A custom agent's chat is as it was: its tools and servers, no post rules.
    assert (custom.tools, [server.name for server in custom.mcp_servers]) == (["web_search"], ["notes"])
    assert custom.system_prompt == "" and POST_RULES not in custom.system_prompt
