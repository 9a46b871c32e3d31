"""The AI assistant through the control plane with real parts: the API, the real sandbox and runner, the custom
kind's nanobot for a social media manager, against the scripted Anthropic server in the sandbox.

"Write a post about..." is stored and sent; the model is asked with the agent's identity and the post rules as its
system prompt and no tools (the agent's Instagram and Facebook tools are the platform's); the reply with a
```post block streams back on /ws/social/ai/chat and is stored; the next message carries the conversation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controlplane.custom.kind import conversation
from controlplane.social.assistant import POST_RULES
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account
from tests.support.coding_world import CodingWorld
from tests.support.fakes.claude_sandbox import HOME, start_fake_api, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8768
IDENTITY = "You write for Anna's bakery in Brno, warmly and briefly."
POST = "Our rye sourdough is back: dark crust, soft crumb, baked at dawn.\n\n#bread #sourdough #rye #bakery #brno"
REPLY = f"Here is a post for Instagram:\n\n```post\n{POST}\n```\n\nPost it in the morning."


def test_the_assistant_writes_a_post_with_the_agents_identity_and_the_rules(harness: Any) -> None:
    world = CodingWorld.create(harness, "bakery")
    user = world.sandbox_user  # type: ignore[attr-defined]
    account = Account(user.id, "bakery", "", world.headers["Authorization"].split(" ", 1)[1])
    api = start_fake_api(
        harness,
        user,
        {
            "turns": [
                {"match": "rye bread", "responses": [{"text": REPLY, "chunk_delay": 0.02}]},
                {"match": "shorter", "responses": [{"text": "Shorter:\n\n```post\nRye is back!\n\n#rye\n```"}]},
            ],
            "default": "Noted.",
        },
        port=PORT,
    )
    key = {"provider": "anthropic", "key": "sk-ant-test-social-0001", "base_url": f"http://127.0.0.1:{PORT}"}
    world.api("post", "/api/settings/api-keys", key, 201)
    agent = world.api(
        "post", "/api/agents", {"template": "social_media", "name": "Bakery posts", "identity": IDENTITY}, 201
    )
    assert agent["tools"] == ["instagram_graph", "facebook_graph"]
    chat = world.api("get", f"/api/social/ai/chat?agent_id={agent['id']}")

    url = f"/ws/social/ai/chat?agent_id={agent['id']}&ticket={ticket_for(harness.client, account)}"
    with harness.client.websocket_connect(url) as socket:
        sent = world.api(
            "post", "/api/social/ai/chat", {"agent_id": agent["id"], "text": "A post about rye bread"}, 202
        )
        turn = sent["messages"][-1]["id"]
        received = [socket.receive_json()]
        while received[-1]["type"] not in ("completed", "error"):
            received.append(socket.receive_json())
    first, last = received[0], received[-1]
    assert first["type"] == "message" and first["message"]["content"] == "A post about rye bread", "stored first"
    assert last["type"] == "completed", last
    assert [frame["type"] for frame in received].count("delta") >= 2, "it streamed"
    assert "".join(frame["text"] for frame in received if frame["type"] == "delta") == REPLY
    assert (last["message"]["content"], last["message"]["reply_to"], last["message"]["tools"]) == (REPLY, turn, [])

    stored = world.api("get", f"/api/social/ai/chat?agent_id={agent['id']}")
    assert stored["id"] == chat["id"] and stored["answering"] is False
    assert [(m["role"], m["content"]) for m in stored["messages"]] == [
        ("user", "A post about rye bread"),
        ("assistant", REPLY),
    ]

    [request] = api.requests()
    system = json.dumps(request["body"]["system"])
    assert IDENTITY in system and json.dumps(POST_RULES)[1:-1] in system, system
    assert not request["body"].get("tools"), "the model gets no tools"

    # The next message carries the conversation; the chat is the one continuous assistant chat.
    sent = world.api("post", "/api/social/ai/chat", {"agent_id": agent["id"], "text": "Make it shorter"}, 202)
    talk = conversation(user.id, chat["id"])

    def ended() -> dict[str, Any] | None:
        frames = harness.app.state.chat.backlog(talk, 0)[0]
        turn = sent["messages"][-1]["id"]
        return next((f for f in frames if f["turn"] == turn and f["type"] in ("completed", "error")), None)

    done: dict[str, Any] = wait_until(ended, 120, "the second reply")
    assert done["type"] == "completed" and "Rye is back!" in done["message"]["content"], done
    said = json.dumps(api.requests()[-1]["body"]["messages"])
    assert "A post about rye bread" in said and "#sourdough" in said
    history = harness.sh(user, f"cat {HOME}/agents/bakery-posts/chats/{chat['id']}/history.json")[1]
    assert [item["role"] for item in json.loads(history)] == ["user", "assistant"] * 2
