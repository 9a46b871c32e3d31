"""A course's tutor telling a long story in a real sandbox (the runner, nanobot and the scripted Anthropic server
inside the sandbox): its reply streams for seconds, long enough for a fault to land in the middle of it. Shared by
the learning restart test and the fault suite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controlplane.chat.conversation import Conversation
from controlplane.learning.kind import conversation
from tests.support.coding_world import CodingWorld
from tests.support.engine import Harness
from tests.support.fakes.claude_sandbox import start_fake_api, wait_until

ASK = "tell me a long story"


def story_script(words: int) -> dict[str, Any]:
    """The first answer streams `words` words slowly; the same question later gets a short answer."""
    return {
        "turns": [
            {"match": "a long story", "responses": [{"text": "word " * words, "chunk_delay": 0.05}]},
            {"match": "a long story", "responses": [{"text": "The story, at last."}]},
        ],
        "default": "Noted.",
    }


@dataclass
class StoryCourse:
    harness: Harness
    world: CodingWorld
    user: Any
    course: int
    chat: Conversation
    script: dict[str, Any]
    port: int

    @classmethod
    def create(cls, harness: Harness, username: str, *, port: int, words: int, key: str) -> StoryCourse:
        world = CodingWorld.create(harness, username)
        user = world.sandbox_user  # type: ignore[attr-defined]
        script = story_script(words)
        start_fake_api(harness, user, script, port=port)
        body = {"provider": "anthropic", "key": key, "base_url": f"http://127.0.0.1:{port}"}
        world.api("post", "/api/settings/api-keys", body, 201)
        agent = world.api("post", "/api/agents", {"template": "learning", "name": "Tutor"}, 201)["id"]
        subject = world.api("post", f"/api/agents/{agent}/subjects", {"name": "Stories"}, 201)["id"]
        course = world.api("post", f"/api/subjects/{subject}/courses", {"name": "Tales"}, 201)["id"]
        return cls(harness, world, user, course, conversation(user.id, course), script, port)

    def frames(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.harness.app.state.chat.backlog(self.chat, 0)[0]
        return found

    def ask(self) -> int:
        """Send the question and wait until the reply streams; the message's id."""
        sent = self.world.api("post", f"/api/courses/{self.course}/message", {"text": ASK})
        turn: int = sent["messages"][-1]["id"]
        wait_until(lambda: any(f["type"] == "delta" and f["turn"] == turn for f in self.frames()), 60, "the reply")
        return turn

    def ended(self, turn: int, *kinds: str) -> dict[str, Any] | None:
        return next((f for f in self.frames() if f["turn"] == turn and f["type"] in kinds), None)

    def messages(self) -> list[dict[str, Any]]:
        stored: list[dict[str, Any]] = self.world.api("get", f"/api/courses/{self.course}")["messages"]
        return stored

    def retry(self, turn: int) -> dict[str, Any]:
        """The scripted provider died with the sandbox: start it again, send the failed message again, wait for it."""
        start_fake_api(self.harness, self.user, self.script, port=self.port)
        self.world.api("post", f"/api/courses/{self.course}/message", {"text": "", "retry_of": turn})
        answered: dict[str, Any] = wait_until(lambda: self.ended(turn, "completed"), 120, "the retry to be answered")
        return answered
