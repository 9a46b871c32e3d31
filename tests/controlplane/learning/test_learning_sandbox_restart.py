"""A message sent to a course's tutor while the sandbox restarts is not lost (real parts: the API, the sandbox,
the runner, nanobot and the scripted Anthropic server inside the sandbox). The sandbox restarts while the reply is
being written; the scripted server restarts with it only when the test starts it again, so the message either
gets its reply or stays with an error and a retry that then succeeds."""

from __future__ import annotations

from typing import Any

import pytest

from controlplane.learning.kind import conversation
from tests.support.coding_world import CodingWorld
from tests.support.fakes.claude_sandbox import start_fake_api, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8767
SCRIPT = {
    "turns": [
        {"match": "a long story", "responses": [{"text": "word " * 300, "chunk_delay": 0.05}]},
        {"match": "a long story", "responses": [{"text": "The story, at last."}]},
    ],
    "default": "Noted.",
}


def test_a_message_sent_while_the_sandbox_restarts_is_answered_or_kept_for_a_retry(harness: Any) -> None:
    world = CodingWorld.create(harness, "pupil")
    user = world.sandbox_user  # type: ignore[attr-defined]
    start_fake_api(harness, user, SCRIPT, port=PORT)
    key = {"provider": "anthropic", "key": "sk-ant-test-learning-0002", "base_url": f"http://127.0.0.1:{PORT}"}
    world.api("post", "/api/settings/api-keys", key, 201)
    agent = world.api("post", "/api/agents", {"template": "learning", "name": "Tutor"}, 201)["id"]
    subject = world.api("post", f"/api/agents/{agent}/subjects", {"name": "Stories"}, 201)["id"]
    course = world.api("post", f"/api/subjects/{subject}/courses", {"name": "Tales"}, 201)["id"]
    chat = conversation(user.id, course)

    def frames() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = harness.app.state.chat.backlog(chat, 0)[0]
        return found

    turn = world.api("post", f"/api/courses/{course}/message", {"text": "tell me a long story"})["messages"][-1]["id"]
    wait_until(lambda: any(f["type"] == "delta" and f["turn"] == turn for f in frames()), 60, "the reply to begin")
    harness.run(harness.app.state.sandboxes.restart, user)

    def outcome() -> dict[str, Any] | None:
        return next((f for f in frames() if f["turn"] == turn and f["type"] in ("completed", "error")), None)

    ended = wait_until(outcome, 120, "the message to be answered, or kept with an error")
    stored = world.api("get", f"/api/courses/{course}")["messages"]
    mine = next(message for message in stored if message["id"] == turn)
    assert mine["content"] == "tell me a long story", "the message is kept"
    if ended["type"] == "error":
        assert mine["status"] == "failed" and mine["retryable"], mine
        start_fake_api(harness, user, SCRIPT, port=PORT)  # the scripted server went down with the sandbox
        world.api("post", f"/api/courses/{course}/message", {"text": "", "retry_of": turn})

        def answered() -> dict[str, Any] | None:
            return next((f for f in frames() if f["turn"] == turn and f["type"] == "completed"), None)

        ended = wait_until(answered, 120, "the retry to be answered")
    assert ended["type"] == "completed" and ended["message"]["content"], ended
