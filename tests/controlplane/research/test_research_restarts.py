"""A research across restarts, with real parts (the API, a real sandbox and runner, the real Claude Code in print
mode, the scripted Anthropic server inside the sandbox through the key's base URL): a control-plane restart
while a slow reply is being written, the next message after it, a picture sent again after the process died
mid-reply, and a transcript deleted behind the research's back."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.research.layout import transcripts_dir
from tests.controlplane.research.test_research_end_to_end import frames, send, wait_for_turn
from tests.support.coding_world import CodingWorld
from tests.support.engine import Harness
from tests.support.fakes.claude_sandbox import start_fake_api, wait_until
from tests.support.research_world import said_to_the_model

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8766
CLAUDE_PROCESS = "'--output-forma[t] stream-json'"  # a research's Claude Code (the brackets: not pgrep's own shell)
SLOW_STORY = "Once upon a time a reply was written slowly, " * 3 + "and it reached its very last words."
PICTURE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PICTURE_BLOCK = "[Image: source:"
SCRIPT = {
    "turns": [
        {"match": "hello alpha", "responses": [{"text": "Alpha here."}]},
        {"match": "slow story", "responses": [{"text": SLOW_STORY, "chunk_delay": 0.3}]},
        {"match": "after the restart", "responses": [{"text": "Still with you."}]},
        # The first answer to the picture is killed halfway; the message sent again gets the second. (Claude Code
        # puts a text block naming its copy of a picture last, and that block is what `match` is looked for in.)
        {"match": PICTURE_BLOCK, "responses": [{"text": SLOW_STORY, "chunk_delay": 0.5}, {"text": "A dot."}]},
        {"match": PICTURE_BLOCK, "responses": [{"text": "A dot."}]},
        {"match": "after the transcript", "responses": [{"text": "Fresh, but I remember."}]},
    ],
    "default": "Noted.",
}


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """Claude Code alone takes about 250 MB."""
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})


@contextmanager
def control_plane(settings: Settings) -> Iterator[Harness]:
    """One control plane on the data directory and engine; leaving it is its shutdown (the sandbox runs on)."""
    app = create_app(settings)
    with TestClient(app) as client:
        yield Harness(client, app, settings)


def requests_with(api: Any, text: str) -> list[dict[str, Any]]:
    return [request for request in api.requests() if text in said_to_the_model(request)]


def images_sent_with(request: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The image blocks of the request's last message that says `text` (the message sent again, not an earlier
    copy of it that a resumed session may hold)."""
    said = [m for m in request["body"]["messages"] if text in json.dumps(m.get("content"))]
    blocks = said[-1].get("content") if said else []
    return [block for block in blocks or [] if isinstance(block, dict) and block.get("type") == "image"]


def research_pid(world: CodingWorld, research_id: int) -> int | None:
    listed = world.harness.call(world.sandbox_user, "instance.list")["instances"]  # type: ignore[attr-defined]
    return next((item["pid"] for item in listed if (item["kind"], item["id"]) == ("research", research_id)), None)


def transcripts(settings: Settings, slug: str) -> Path:
    """The research's Claude Code transcripts, seen from the host (the sandbox's home is a host folder)."""
    return settings.users_dir / "reader" / transcripts_dir(slug)


def test_a_research_carries_on_across_restarts_a_resent_picture_and_a_lost_transcript(
    sandbox_settings: Settings,
) -> None:
    with control_plane(sandbox_settings) as first:
        world = CodingWorld.create(first, "reader")
        user = world.sandbox_user  # type: ignore[attr-defined]
        api = start_fake_api(first, user, SCRIPT, port=PORT)
        world.api(
            "post",
            "/api/settings/api-keys",
            {"provider": "anthropic", "key": "sk-ant-test-research-0002", "base_url": f"http://127.0.0.1:{PORT}"},
            201,
        )
        agent = world.api("post", "/api/agents", {"template": "research", "name": "Researcher"}, 201)["id"]
        alpha = world.api("post", f"/api/agents/{agent}/research", {"name": "Alpha"}, 201)["id"]
        hello = send(world, alpha, "hello alpha")
        assert wait_for_turn(world, alpha, hello)["message"]["content"] == "Alpha here."

        # A slow reply is being written when the control plane goes down.
        story = send(world, alpha, "tell a slow story")
        wait_until(
            lambda: any(f["type"] == "delta" and f["turn"] == story for f in frames(world, alpha)),
            60,
            "the story to start streaming",
        )
    # The reply ends while nobody listens: Claude Code writes it into its transcript.
    wait_until(
        lambda: any(
            "its very last words" in path.read_text() for path in transcripts(sandbox_settings, "alpha").glob("*.jsonl")
        ),
        60,
        "the story to end in the sandbox",
    )

    with control_plane(sandbox_settings) as second:
        world.harness = api.harness = second
        # The new control plane adopts the running research and sends it the message in flight again: the
        # research answers with the reply it had finished, which is stored; the model was not asked twice.
        stored = wait_for_turn(world, alpha, story)
        assert stored["type"] == "completed" and stored["message"]["content"] == SLOW_STORY, stored
        assert stored["message"]["usage"]["output_tokens"] > 0
        assert len(requests_with(api, "slow story")) == 1
        messages = world.api("get", f"/api/research/{alpha}")["messages"]
        assert [(m["role"], m["status"]) for m in messages if story in (m["id"], m["reply_to"])] == [
            ("user", "done"),
            ("assistant", "done"),
        ]

        # The next message continues the same session: the model is given the earlier turns.
        after = send(world, alpha, "after the restart")
        assert wait_for_turn(world, alpha, after)["message"]["content"] == "Still with you."
        continued = requests_with(api, "after the restart")[-1]
        said = said_to_the_model(continued)
        assert "hello alpha" in said and "slow story" in said and "its very last words" in said, said

        # A picture: its process dies mid-reply, and the message sent again to the new process carries the
        # picture itself (its inline copy was never stored: the runner reads it back from the workspace).
        upload = {"name": "dot.png", "media_type": "image/png", "content_base64": base64.b64encode(PICTURE).decode()}
        detail = world.api(
            "post", f"/api/research/{alpha}/message", {"text": "what is this picture", "attachments": [upload]}
        )
        picture = [m["id"] for m in detail["messages"] if m["role"] == "user"][-1]
        wait_until(
            lambda: any(f["type"] == "delta" and f["turn"] == picture for f in frames(world, alpha)),
            60,
            "the first answer to the picture to start",
            detail=lambda: f"{frames(world, alpha)[-6:]}\n{[r.get('prompt') for r in api.requests()]}",
        )
        killed = research_pid(world, alpha)
        assert killed is not None and second.sh(user, f"kill -9 {killed}")[0] == 0
        answered = wait_for_turn(world, alpha, picture, timeout=120)
        assert answered["type"] == "completed" and answered["message"]["content"] == "A dot.", answered
        asked = requests_with(api, "this picture")
        assert len(asked) >= 2, "the message was sent again to the new process"
        picture_data = base64.b64encode(PICTURE).decode()
        resent = [i for i in images_sent_with(asked[-1], "what is this picture") if i["source"]["data"] == picture_data]
        assert resent and resent[0]["source"]["media_type"] == "image/png", json.dumps(asked[-1])[:2000]

        # The transcript goes missing while the process is down: the next message starts a new session given
        # the stored conversation, and the chat says so.
        pid = research_pid(world, alpha)
        assert pid is not None and second.sh(user, f"kill -9 {pid}")[0] == 0
        wait_until(lambda: not world.api("get", f"/api/research/{alpha}")["running"], 30, "the process to be gone")
        wait_until(lambda: second.sh(user, f"pgrep -f -- {CLAUDE_PROCESS}")[0] == 1, 30, "its Claude Code to end")
        assert second.sh(user, f"rm -r /home/agent/{transcripts_dir('alpha')}")[0] == 0
        lost = send(world, alpha, "after the transcript went")
        assert wait_for_turn(world, alpha, lost)["message"]["content"] == "Fresh, but I remember."
        notices = [f for f in frames(world, alpha) if f["type"] == "notice" and f["turn"] == lost]
        assert notices and "could not be found" in notices[0]["message"]["content"], notices
        fresh = said_to_the_model(requests_with(api, "after the transcript went")[-1])
        assert "hello alpha" in fresh and "Still with you." in fresh and "its very last words" in fresh, fresh
