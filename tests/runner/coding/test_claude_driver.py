"""The Claude Code driver in a real sandbox: real container, real tmux, the real `claude` binary.

The only stand-in is the scripted Anthropic server (tests/support/fakes/anthropic_server.py), started inside the
sandbox because test sandboxes have no route to the host. The driver runs where the loop will run, inside
the sandbox (snippets executed with the image's venv through tests/support/fakes/claude_sandbox.run_python); the
test checks the outcome from outside: files in the workspace, requests the server recorded, hook events.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from controlplane.config import Settings
from tests.support.fakes.claude_sandbox import HOME, FakeApi, run_python, seed, start_fake_api, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """Claude Code alone takes about 250 MB; the suite's 256 MB default would kill it."""
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})


@pytest.fixture
def sandbox(harness: Any) -> Any:
    user = harness.user("coder")
    harness.run(harness.manager.ensure_ready, user)
    seed(harness, user)
    return user


def session(api: FakeApi, name: str, session_id: str, **options: Any) -> str:
    """Python source that builds the ClaudeSession `session` inside the sandbox."""
    arguments = {"env": api.env, "hooks_file": f"{HOME}/.autocode/hooks-{name}.jsonl", **options}
    return (
        f"session = ClaudeSession(Tmux(), {name!r}, Path({HOME!r}) / 'work', {session_id!r}, "
        + ", ".join(f"{key}={value!r}" for key, value in arguments.items() if key != "hooks_file")
        + f", hooks_file=Path({arguments['hooks_file']!r}))\n"
    )


def hook_names(harness: Any, user: Any, name: str) -> list[str]:
    content = harness.call(user, "fs.read", {"path": f".autocode/hooks-{name}.jsonl"})["content"]
    return [json.loads(line)["event"]["hook_event_name"] for line in content.splitlines()]


def test_start_write_file_multiline_prompt_and_hooks(harness: Any, sandbox: Any) -> None:
    api = start_fake_api(
        harness,
        sandbox,
        {
            "turns": [
                {
                    "match": "create hello",
                    "responses": [
                        {
                            "tool_use": {
                                "name": "Write",
                                "input": {"file_path": f"{HOME}/work/hello.txt", "content": "hi\n"},
                            }
                        },
                        {"text": "Created hello.txt for you."},
                    ],
                },
                {"match": "second line", "responses": [{"text": "Read all three lines."}]},
            ]
        },
    )
    result = run_python(
        harness,
        sandbox,
        session(api, "cc", str(uuid.uuid4()))
        + """
started = await session.start()
await session.submit("please create hello")
done = await session.wait_for(lambda r: r.state is ClaudeState.IDLE and r.last_reply, 30, "the reply")
await session.submit("first line\\nsecond line\\nthird line")
multi = await session.wait_for(lambda r: r.last_reply == "Read all three lines.", 30, "the multi-line reply")
events = [event.name for event in session.hook_events()]
return {"started": started.state, "reply": done.last_reply, "multi": multi.last_reply, "events": events,
        "again": [event.name for event in session.hook_events()], "alive": await session.alive()}
""",
    )
    assert result["started"] == "idle"
    assert result["reply"] == "Created hello.txt for you."
    assert harness.call(sandbox, "fs.read", {"path": "work/hello.txt"})["content"] == "hi\n"
    assert result["multi"] == "Read all three lines."
    assert result["alive"] is True
    # The three lines arrived as one prompt, not three.
    prompts = api.prompts()
    assert prompts == ["please create hello", "first line\nsecond line\nthird line"]
    # Hook events: what the driver returned once, and nothing twice.
    assert result["events"].count("UserPromptSubmit") == 2
    assert result["events"].count("Stop") == 2
    assert "PreToolUse" in result["events"] and "SessionStart" in result["events"]
    assert result["again"] == []
    assert hook_names(harness, sandbox, "cc") == result["events"]


def test_permission_prompt_and_multiple_choice_question(harness: Any, sandbox: Any) -> None:
    question = {
        "question": "Which colour should the button be?",
        "header": "Colour",
        "multiSelect": False,
        "options": [{"label": "Red", "description": "warm"}, {"label": "Blue", "description": "cool"}],
    }
    api = start_fake_api(
        harness,
        sandbox,
        {
            "turns": [
                {
                    "match": "create notes",
                    "responses": [
                        {
                            "tool_use": {
                                "name": "Write",
                                "input": {"file_path": f"{HOME}/work/notes.txt", "content": "n\n"},
                            }
                        },
                        {"text": "Wrote notes.txt."},
                    ],
                },
                {
                    "match": "ask colour",
                    "responses": [
                        {"tool_use": {"name": "AskUserQuestion", "input": {"questions": [question]}}},
                        {"text": "Blue it is."},
                    ],
                },
            ]
        },
    )
    result = run_python(
        harness,
        sandbox,
        session(api, "cc", str(uuid.uuid4()), permission_mode="default")
        + """
await session.start()
await session.submit("please create notes")
asked = await session.wait_for(lambda r: r.state is ClaudeState.PERMISSION, 30, "the permission prompt")
yes = asked.option("Yes")
await session.choose(yes.number)
wrote = await session.wait_for(lambda r: r.last_reply == "Wrote notes.txt.", 30, "the reply")
await session.submit("please ask colour")
chosen = await session.wait_for(lambda r: r.state is ClaudeState.QUESTION, 30, "the question")
blue = chosen.option("Blue")
await session.choose(blue.number)
answered = await session.wait_for(lambda r: r.last_reply == "Blue it is.", 30, "the answer's reply")
return {"question": asked.question, "yes": yes.number, "ask": chosen.question, "blue": blue.number,
        "reply": answered.last_reply}
""",
    )
    assert result["question"] == "Do you want to create notes.txt?"
    assert result["yes"] == 1
    assert harness.call(sandbox, "fs.read", {"path": "work/notes.txt"})["content"] == "n\n"
    assert result["ask"] == "Which colour should the button be?"
    assert result["blue"] == 2
    tool_results = [
        block["content"]
        for entry in api.requests()
        for message in entry["body"]["messages"][-2:]
        if isinstance(message.get("content"), list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]
    assert any('"Blue"' in str(content) for content in tool_results)


def test_killed_session_resumes_with_its_conversation(harness: Any, sandbox: Any) -> None:
    api = start_fake_api(
        harness,
        sandbox,
        {
            "turns": [
                {"match": "remember", "responses": [{"text": "I will remember the word kumquat."}]},
                {"match": "recall", "responses": [{"text": "The word was kumquat."}]},
            ]
        },
    )
    session_id = str(uuid.uuid4())
    first = run_python(
        harness,
        sandbox,
        session(api, "cc", session_id)
        + """
await session.start()
await session.submit("remember kumquat")
await session.wait_for(lambda r: r.last_reply, 30, "the reply")
await session.kill()
return {"alive": await session.alive()}
""",
    )
    assert first["alive"] is False
    second = run_python(
        harness,
        sandbox,
        session(api, "cc", session_id, resume=True)
        + """
await session.start()
await session.submit("now recall it")
reading = await session.wait_for(lambda r: r.last_reply == "The word was kumquat.", 30, "the resumed reply")
return {"alive": await session.alive(), "reply": reading.last_reply,
        "transcript": session.transcript(Path.home()).exists()}
""",
    )
    assert second["alive"] is True
    assert second["transcript"] is True
    last = api.requests()[-1]
    assert last["headers"]["X-Claude-Code-Session-Id"] == session_id
    earlier = json.dumps(last["body"]["messages"])
    assert "remember kumquat" in earlier and "I will remember the word kumquat." in earlier


def test_rate_limit_and_silent_hang_classify(harness: Any, sandbox: Any) -> None:
    limit = {
        "status": 429,
        "type": "rate_limit_error",
        "message": "Number of request tokens has exceeded your rate limit",
    }
    api = start_fake_api(
        harness,
        sandbox,
        {
            "turns": [
                {"match": "limit", "responses": [{"error": limit, "times": 50}]},
                {"match": "hang", "responses": [{"hang": 120}]},
            ]
        },
    )
    result = run_python(
        harness,
        sandbox,
        session(api, "cc", str(uuid.uuid4()))
        + """
await session.start()
await session.submit("hit the limit")
limited = await session.wait_for(lambda r: r.state is ClaudeState.RATE_LIMITED, 60, "a rate-limited screen")
await session.interrupt()
await session.wait_for(lambda r: r.state is ClaudeState.IDLE, 20, "idle after the interrupt")
await session.press("C-u")
await session.submit("now hang")
busy = await session.wait_for(lambda r: r.state is ClaudeState.BUSY, 20, "the spinner")
first = activity_fingerprint(await session.capture())
screens = {await session.capture()}
while len(screens) < 3:  # wait for the spinner to tick (a different capture) twice
    await asyncio.sleep(0.5)
    screens.add(await session.capture())
still = classify(await session.capture())
return {"attempt": limited.retry.attempt, "error": limited.error, "busy": busy.state, "still": still.state,
        "same": all(activity_fingerprint(screen) == first for screen in screens)}
""",
        timeout=180,
    )
    assert result["attempt"] >= 3
    assert "429" in result["error"]
    assert result["busy"] == "busy" and result["still"] == "busy"
    assert result["same"] is True
    wait_until(lambda: "now hang" in api.prompts(), 10, "the hanging request to be recorded")
