"""The learning kind in a real sandbox: the real runner, nanobot, and the scripted Anthropic server inside the
sandbox reached through the key's base URL. Driven through the runner protocol (instance.start / instance.send /
instance.* events), as the control plane drives it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from autocode_runner.contract.learning import HISTORY_FILE, NOTES_FILE, NOTES_TEMPLATE
from autocode_runner.contract.wire import InstanceKind

from tests.support.fakes.claude_sandbox import HOME, FakeApi, start_fake_api, wait_until
from tests.support.research_world import EventLog

pytestmark = [pytest.mark.docker, pytest.mark.slow]

KIND = InstanceKind.LEARNING.value
COURSE = "learning/anglictina/konverzace"
NOTES_AFTER_LESSON = "# Student notes\n\nLevel: B1\nStrengths: food words\nWeaknesses: articles\n"


@dataclass
class Courses:
    harness: Any
    user: Any
    events: EventLog

    def start(self, course: int, spec: dict[str, Any]) -> None:
        self.harness.call(self.user, "instance.start", {"kind": KIND, "id": course, "spec": spec})

    def say(self, course: int, turn: int, text: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
        command = {"type": "message", "turn": turn, "text": text, "context": context or {}}
        self.harness.call(self.user, "instance.send", {"kind": KIND, "id": course, "command": command})
        return self.events.wait_end(course, turn)

    def stop(self, course: int) -> None:
        self.harness.call(self.user, "instance.stop", {"kind": KIND, "id": course})

    def reports(self, course: int) -> list[dict[str, Any]]:
        return self.events.of(course, "instance.state")

    def read(self, name: str) -> str:
        return str(self.harness.call(self.user, "fs.read", {"path": f"{COURSE}/{name}"})["content"])


def course_spec(api: FakeApi, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "directory": f"{HOME}/{COURSE}",
        "subject": "Angličtina",
        "course": "Konverzace",
        "instructions": "Conversation practice about travel.",
        "model": "anthropic/claude-sonnet-4-5",
        "system_prompt": "You are a patient tutor.",
        "access": {"api_key": "scripted-token", "base_url": f"http://127.0.0.1:{api.port}"},
        "tools": ["read_file", "write_file"],
        "level_scale": "cefr",
    }
    return {**spec, **overrides}


def system_of(request: dict[str, Any]) -> str:
    return json.dumps(request["body"].get("system"))


def requests_with(api: FakeApi, text: str) -> list[dict[str, Any]]:
    return [request for request in api.requests() if text in json.dumps(request["body"].get("messages"))]


@pytest.fixture
def courses(harness: Any) -> Courses:
    user = harness.user("student")
    harness.app.state.supervisor.kinds.pop(InstanceKind.LEARNING, None)  # the control plane's side has its own tests
    channel = harness.run(harness.manager.ensure_ready, user)
    events = EventLog()
    channel.on_event(events)
    return Courses(harness, user, events)


def tool_use(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_use": {"name": name, "input": arguments}}


def test_notes_cards_grades_levels_and_memory(courses: Courses) -> None:
    api = start_fake_api(
        courses.harness,
        courses.user,
        {
            "turns": [
                {
                    "match": "first lesson",
                    "responses": [
                        {
                            "text": "Let me note that. ",
                            **tool_use("update_student_notes", {"content": NOTES_AFTER_LESSON}),
                        },
                        tool_use("add_review_card", {"kind": "word", "front": "the bill", "back": "účet"}),
                        tool_use("set_level", {"level": "B1"}),
                        {"text": "Welcome! We start with travel.", "chunk_delay": 0.02},
                    ],
                },
                {"match": "second lesson", "responses": [{"text": "Good to see you again."}]},
                {
                    "match": "Review card 7",
                    "responses": [
                        tool_use("grade_answer", {"card_id": 7, "rating": 3, "feedback": "Right."}),
                        {"text": "Correct: the bill is účet."},
                    ],
                },
                {"match": "after my edit", "responses": [{"text": "I see your edit."}]},
            ],
            "default": "Noted.",
        },
    )
    courses.start(1, course_spec(api))

    # A lesson: the reply streams, the tools change the notes, make a card and set the level.
    done = courses.say(1, 1, "hello, first lesson please")
    assert done["type"] == "completed" and done["text"].endswith("Welcome! We start with travel."), done
    kinds = [event["type"] for event in courses.events.chat(1, 1)]
    assert "delta" in kinds and kinds.index("delta") < kinds.index("completed"), kinds
    cards = {event["tool"]["name"]: event["tool"] for event in courses.events.chat(1, 1) if event["type"] == "tool"}
    assert cards["update_student_notes"]["status"] == "done", cards
    assert courses.read(NOTES_FILE) == NOTES_AFTER_LESSON
    reports = courses.reports(1)
    assert any(report.get("notes_changed") for report in reports), reports
    card = next(report["card"] for report in reports if report.get("card"))
    assert (card["kind"], card["front"], card["back"]) == ("word", "the bill", "účet") and card["uid"], card
    assert any(report.get("level") == "B1" for report in reports), reports
    first = requests_with(api, "first lesson")[0]
    assert NOTES_TEMPLATE.splitlines()[0] in system_of(first) and "Conversation practice about travel" in system_of(
        first
    )

    # The next conversation (a new process) starts from the notes the tutor wrote and the earlier turns.
    courses.stop(1)
    courses.start(1, course_spec(api, level="B1"))
    assert courses.say(1, 2, "second lesson")["text"] == "Good to see you again."
    second = requests_with(api, "second lesson")[0]
    assert "Strengths: food words" in system_of(second), system_of(second)
    assert "first lesson please" in json.dumps(second["body"]["messages"])

    # A review answer: the tutor grades the card it was given, and the grade is reported.
    review = {"review": {"card_id": 7, "kind": "word", "front": "the bill", "back": "účet"}}
    assert courses.say(1, 3, "účet", review)["text"] == "Correct: the bill is účet."
    grade = next(report["grade"] for report in courses.reports(1) if report.get("grade"))
    assert grade == {"card_id": 7, "rating": 3, "feedback": "Right."}, grade

    # The student's edit of the notes reaches the next request.
    courses.harness.call(courses.user, "fs.write", {"path": f"{COURSE}/{NOTES_FILE}", "content": "STUDENT EDIT\n"})
    assert courses.say(1, 4, "after my edit")["text"] == "I see your edit."
    assert "STUDENT EDIT" in system_of(requests_with(api, "after my edit")[0])

    # Every message is in chat_history.json.
    history = json.loads(courses.read(HISTORY_FILE))
    assert [item["role"] for item in history] == ["user", "assistant"] * 4
    assert history[4]["review"]["card_id"] == 7 and history[4]["text"] == "účet"


def test_a_long_course_is_summarised_and_a_lost_history_rebuilt(courses: Courses) -> None:
    api = start_fake_api(
        courses.harness,
        courses.user,
        {
            "turns": [
                {"match": "Earlier summary", "repeat": True, "responses": [{"text": "SUMMARY OF THE COURSE"}]},
            ],
            "default": "Reply " + "r" * 300,
        },
    )
    courses.start(2, course_spec(api, fold_above_chars=2000, keep_recent_chars=800))
    sizes = []
    for turn in range(1, 13):
        courses.say(2, turn, f"message {turn} " + "m" * 300)
        sizes.append(len(json.dumps(requests_with(api, f"message {turn} ")[-1]["body"]["messages"])))
    history = json.loads(courses.read(HISTORY_FILE))
    assert len(history) == 24, "chat_history.json keeps every message"
    assert max(sizes[-6:]) < 4000, sizes  # the conversation a request carries stays bounded
    late = requests_with(api, "message 12 ")[-1]
    assert "SUMMARY OF THE COURSE" in system_of(late) and "message 1 " not in json.dumps(late["body"]["messages"])

    # chat_history.json lost: rebuilt from the stored conversation, and the chat says so.
    courses.stop(2)
    courses.harness.call(courses.user, "fs.remove", {"path": f"{COURSE}/{HISTORY_FILE}"})
    stored = [{"role": "user", "text": "what we said before"}, {"role": "assistant", "text": "and the answer"}]
    courses.start(2, course_spec(api, history=stored))
    courses.say(2, 13, "message 13 after the loss")
    notices = [event["text"] for event in courses.events.chat(2, 13) if event["type"] == "notice"]
    assert notices and "rebuilt" in notices[0], notices
    rebuilt = json.loads(courses.read(HISTORY_FILE))
    assert rebuilt[0]["text"] == "what we said before" and len(rebuilt) == 4
    wait_until(lambda: "what we said before" in json.dumps(api.requests()[-1]["body"]), 10, "the stored turns sent")


def test_a_provider_error_is_retryable_and_a_reply_can_be_stopped(courses: Courses) -> None:
    api = start_fake_api(
        courses.harness,
        courses.user,
        {
            "turns": [
                {
                    "match": "overloaded",
                    "responses": [
                        {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}, "times": 20},
                        {"text": "Back again."},
                    ],
                },
                {"match": "long story", "responses": [{"text": "word " * 400, "chunk_delay": 0.05}]},
            ],
            "default": "Noted.",
        },
    )
    courses.start(3, course_spec(api))
    failed = courses.say(3, 1, "are you overloaded?")
    assert failed["type"] == "error" and failed["retryable"] and "Overloaded" in failed["text"], failed

    # Stop: the reply ends with what was said, and the tutor keeps it in the course's history.
    command = {"type": "message", "turn": 2, "text": "tell me a long story"}
    courses.harness.call(courses.user, "instance.send", {"kind": KIND, "id": 3, "command": command})
    wait_until(lambda: any(e["type"] == "delta" for e in courses.events.chat(3, 2)), 30, "the story to begin")
    courses.harness.call(courses.user, "instance.send", {"kind": KIND, "id": 3, "command": {"type": "interrupt"}})
    stopped = courses.events.wait_end(3, 2)
    assert stopped["type"] == "completed" and 0 < len(stopped["text"]) < len("word " * 400), stopped
    # The notice follows the ending on the wire: it may reach the test's reader a moment after it.
    wait_until(lambda: any(e["type"] == "notice" for e in courses.events.chat(3, 2)), 10, "the stopped notice")
    wait_until(lambda: len(json.loads(courses.read(HISTORY_FILE))) == 2, 10, "the stopped turn recorded")
    assert json.loads(courses.read(HISTORY_FILE))[1]["text"] == stopped["text"]
