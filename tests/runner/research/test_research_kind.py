"""The research kind end to end in a real sandbox: the real runner, the real Claude Code in print mode, and the
scripted Anthropic server inside the sandbox reached through the key's base URL. Driven through the runner
protocol (instance.start / instance.send / instance.* events), as the control plane drives it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from controlplane.config import Settings
from tests.support.fakes.claude_sandbox import HOME, start_fake_api, wait_until
from tests.support.research_world import LONG_STORY, REPORT, open_researches, research_spec, said_to_the_model

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """Claude Code alone takes about 250 MB; two researches run at once."""
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})


def requests_with(api: Any, text: str) -> list[dict[str, Any]]:
    return [request for request in api.requests() if text in said_to_the_model(request)]


def test_streams_writes_isolates_and_resumes(harness: Any) -> None:
    user = harness.user("researcher")
    harness.run(harness.manager.ensure_ready, user)
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
            ],
            "default": "Noted.",
        },
    )
    researches = open_researches(harness, user)
    events = researches.events
    researches.start(1, research_spec(api, "alpha"))
    researches.start(2, research_spec(api, "beta"))

    # Streaming: deltas before the reply completes, and the whole text with usage and cost.
    researches.say(1, 1, "hello alpha")
    done = events.wait_end(1, 1)
    assert done["type"] == "completed" and done["text"] == "Alpha here, " * 8, done
    kinds = [data["type"] for data in events.chat(1, 1)]
    assert "delta" in kinds and kinds.index("delta") < kinds.index("completed"), kinds
    assert "".join(data["text"] for data in events.chat(1, 1) if data["type"] == "delta") == done["text"]
    assert done["usage"]["input_tokens"] > 0 and done["cost_usd"] > 0, done
    first_session = events.session_ids(1)[-1]

    # A tool call: one card, running then done, and the file is in the workspace.
    researches.say(1, 2, "please write the report")
    assert events.wait_end(1, 2)["text"] == "Wrote report.md."
    cards = [data["tool"] for data in events.chat(1, 2) if data["type"] == "tool"]
    assert [card["status"] for card in cards] == ["running", "done"], cards
    assert {card["id"] for card in cards} == {cards[0]["id"]} and cards[0]["name"] == "Write"
    assert cards[0]["summary"] == "report.md"
    assert harness.call(user, "fs.read", {"path": "research/alpha/report.md"})["content"] == "# Report\n"

    # Isolation: every request holds only its own research's conversation and prompt.
    researches.say(2, 1, "hello beta")
    assert events.wait_end(2, 1)["text"] == "Beta here."
    beta = requests_with(api, "hello beta")
    assert beta and all("alpha" not in said_to_the_model(request) for request in beta)
    alpha = requests_with(api, "hello alpha")
    assert alpha and all("beta" not in said_to_the_model(request) for request in alpha)
    assert events.session_ids(2)[-1] != first_session

    # The process killed: the next message resumes the same session, and the model gets the earlier turns.
    started = [data["message"] for data in events.of(1, "instance.log") if "Started Claude Code" in data["message"]]
    pid = int(re.search(r"pid (\d+)", started[-1]).group(1))  # type: ignore[union-attr]
    assert harness.sh(user, f"kill -9 {pid}")[0] == 0
    researches.say(1, 3, "after the kill")
    assert events.wait_end(1, 3)["type"] == "completed"
    resumed = requests_with(api, "after the kill")[-1]
    assert "hello alpha" in said_to_the_model(resumed) and "write the report" in said_to_the_model(resumed)
    assert events.session_ids(1)[-1] == first_session

    # A new instance (a sandbox or control-plane restart) resumes from the session id the state carried.
    researches.stop(1)
    researches.start(1, research_spec(api, "alpha", session_id=first_session))
    researches.say(1, 4, "after the restart")
    assert events.wait_end(1, 4)["type"] == "completed"
    assert "after the kill" in said_to_the_model(requests_with(api, "after the restart")[-1])

    # The transcript gone: a new session, given the stored conversation, and the chat is told.
    researches.stop(1)
    transcript = f".claude/projects/-home-agent-research-alpha/{first_session}.jsonl"
    harness.call(user, "fs.remove", {"path": transcript})
    history = [{"role": "user", "text": "hello alpha"}, {"role": "assistant", "text": "Alpha here."}]
    researches.start(1, research_spec(api, "alpha", session_id=first_session, history=history))
    researches.say(1, 5, "after the loss")
    assert events.wait_end(1, 5)["type"] == "completed"
    notices = [data["text"] for data in events.chat(1, 5) if data["type"] == "notice"]
    assert notices and "new one" in notices[0], notices
    fresh = requests_with(api, "after the loss")
    assert len({json.dumps(request["body"]["messages"][:1]) for request in fresh}) == 1
    assert "hello alpha" in said_to_the_model(fresh[0]) and "write the report" not in said_to_the_model(fresh[0])
    assert events.session_ids(1)[-1] != first_session
    researches.stop(1)
    researches.stop(2)


def test_errors_interruption_and_idle_exit(harness: Any) -> None:
    user = harness.user("patient")
    harness.run(harness.manager.ensure_ready, user)
    overloaded = {"status": 529, "type": "overloaded_error", "message": "Overloaded"}
    api = start_fake_api(
        harness,
        user,
        {
            "turns": [
                # the first try and Claude Code's two retries (ResearchSpec.max_retries)
                {"match": "busy day", "responses": [{"error": overloaded, "times": 3}]},
                {"match": "busy day", "responses": [{"text": "Made it this time."}]},
                {"match": "long story", "responses": [{"text": LONG_STORY, "chunk_delay": 0.3}]},
                {"match": "and now", "responses": [{"text": "Still here."}]},
                {
                    "match": "outside",
                    "responses": [
                        {"tool_use": {"name": "Write", "input": {"file_path": f"{HOME}/outside.txt", "content": "x"}}},
                        {"text": "I was not allowed to."},
                    ],
                },
            ],
            "default": "Noted.",
        },
    )
    researches = open_researches(harness, user)
    events = researches.events
    researches.start(1, research_spec(api, "gamma"))

    # A 529 ends the turn in a retryable error; sending the message again succeeds.
    researches.say(1, 1, "a busy day")
    failed = events.wait_end(1, 1)
    assert failed["type"] == "error" and failed["retryable"] is True and "529" in failed["text"], failed
    researches.say(1, 2, "a busy day")
    assert events.wait_end(1, 2)["text"] == "Made it this time."

    # Interrupting a long reply keeps what was said, and the chat goes on.
    researches.say(1, 3, "tell a long story")
    wait_until(lambda: sum(data["type"] == "delta" for data in events.chat(1, 3)) >= 2, 30, "the story to start")
    researches.send(1, {"type": "interrupt"})
    stopped = events.wait_end(1, 3)
    said = "".join(data["text"] for data in events.chat(1, 3) if data["type"] == "delta")
    assert stopped["type"] == "completed" and stopped["text"] == said, stopped
    assert said and LONG_STORY.startswith(said) and len(said) < len(LONG_STORY)
    wait_until(lambda: any(data["type"] == "notice" for data in events.chat(1, 3)), 10, "the stopped notice")
    researches.say(1, 4, "and now?")
    assert events.wait_end(1, 4)["text"] == "Still here."

    # Writing outside its workspace is denied without a prompt, and the card says so.
    researches.say(1, 5, "write outside")
    assert events.wait_end(1, 5)["text"] == "I was not allowed to."
    cards = [data["tool"] for data in events.chat(1, 5) if data["type"] == "tool"]
    assert cards[-1]["status"] == "denied" and cards[-1]["summary"] == f"{HOME}/outside.txt", cards
    assert harness.sh(user, f"test -e {HOME}/outside.txt")[0] == 1
    researches.stop(1)

    # No message for idle_seconds: the process says so and exits by itself.
    researches.start(2, research_spec(api, "delta", idle_seconds=2))
    researches.say(2, 1, "hello")
    events.wait_end(2, 1)
    wait_until(lambda: events.of(2, "instance.exited"), 30, "the idle research to exit")
    assert events.of(2, "instance.exited")[0]["requested"] is False
    assert any("No message for 2 s" in data["message"] for data in events.of(2, "instance.log"))
