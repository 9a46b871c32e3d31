"""A course through the control plane with real parts: the API, the real sandbox and runner, the real tutor
(nanobot) against the scripted Anthropic server inside the sandbox. One lesson makes a card (a review_cards row,
due at once on the app's clock), rewrites the notes (read back through the runner) and sets the level; a review
answer goes to the tutor with its card, and its grade reschedules the card; a link planted at student_notes.md
is never followed by GET or PUT notes; deleting the course removes its directory."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from controlplane.learning.kind import conversation
from tests.support.coding_world import CodingWorld
from tests.support.fakes.claude_sandbox import HOME, start_fake_api, wait_until
from tests.support.learning_world import FakeClock

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8766
COURSE_DIR = f"{HOME}/learning/anglictina/konverzace"
NOTES = "# Student notes\n\nLevel: B1\nWeaknesses: articles\n"
SECRET = f"{HOME}/.secret-notes.md"


def tool_use(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_use": {"name": name, "input": arguments}}


def ended(world: CodingWorld, course: int, turn: int) -> dict[str, Any]:
    chat = conversation(world.sandbox_user.id, course)  # type: ignore[attr-defined]

    def end() -> dict[str, Any] | None:
        frames = world.harness.app.state.chat.backlog(chat, 0)[0]
        return next((f for f in frames if f["turn"] == turn and f["type"] in ("completed", "error")), None)

    frame: dict[str, Any] = wait_until(end, 90, f"turn {turn} to end")
    return frame


def test_a_course_makes_cards_grades_them_keeps_notes_refuses_links_and_deletes_its_folder(harness: Any) -> None:
    world = CodingWorld.create(harness, "student")
    user = world.sandbox_user  # type: ignore[attr-defined]
    harness.app.state.clock = clock = FakeClock()
    api = start_fake_api(
        harness,
        user,
        {
            "turns": [
                {
                    "match": "first lesson",
                    "responses": [
                        tool_use("update_student_notes", {"content": NOTES}),
                        tool_use("add_review_card", {"kind": "word", "front": "the bill", "back": "účet"}),
                        tool_use("set_level", {"level": "B1"}),
                        {"text": "Welcome! We start with travel."},
                    ],
                },
                {  # the course's first card is card 1 (a new database per test)
                    "match": "my answer is",
                    "responses": [
                        tool_use("grade_answer", {"card_id": 1, "rating": 3, "feedback": "Right."}),
                        {"text": "Correct: the bill is účet."},
                    ],
                },
            ],
            "default": "Noted.",
        },
        port=PORT,
    )
    world.api(
        "post",
        "/api/settings/api-keys",
        {"provider": "anthropic", "key": "sk-ant-test-learning-0001", "base_url": f"http://127.0.0.1:{PORT}"},
        201,
    )
    agent = world.api("post", "/api/agents", {"template": "learning", "name": "Tutor"}, 201)["id"]
    subject = world.api("post", f"/api/agents/{agent}/subjects", {"name": "Angličtina"}, 201)["id"]
    course = world.api("post", f"/api/subjects/{subject}/courses", {"name": "Konverzace", "level_scale": "cefr"}, 201)[
        "id"
    ]
    assert world.api("get", f"/api/courses/{course}/notes")["saved"] is False

    detail = world.api("post", f"/api/courses/{course}/message", {"text": "hello, first lesson please"})
    turn = detail["messages"][-1]["id"]
    done = ended(world, course, turn)
    assert done["type"] == "completed", done
    assert done["message"]["content"].endswith("Welcome! We start with travel.")

    def one_card() -> list[dict[str, Any]] | None:
        cards: list[dict[str, Any]] = world.api("get", f"/api/courses/{course}/review")["cards"]
        return cards or None

    [card] = wait_until(one_card, 30, "the tutor's card to be stored")
    assert (card["id"], card["front"], card["back"]) == (1, "the bill", "účet")
    assert datetime.fromisoformat(card["due"]) == clock.now, "a new card is due at once"
    assert world.api("get", f"/api/courses/{course}")["level"] == "B1"
    assert world.api("get", f"/api/courses/{course}/notes") == {"content": NOTES, "saved": True}
    edited = world.api("put", f"/api/courses/{course}/notes", {"content": NOTES + "Likes trains.\n"})
    assert edited["saved"] is True
    assert harness.sh(user, f"grep -q 'Likes trains' {COURSE_DIR}/student_notes.md")[0] == 0
    # The student's edit reaches the tutor's next request.
    edited_turn = world.api("post", f"/api/courses/{course}/message", {"text": "what do you know of me"})["messages"]
    assert ended(world, course, edited_turn[-1]["id"])["type"] == "completed"
    asked = [r for r in api.requests() if "what do you know of me" in json.dumps(r["body"].get("messages"))]
    assert asked and "Likes trains." in json.dumps(asked[0]["body"].get("system")), "the edited notes were sent"

    # A review answer: the tutor sees the card with the answer and grades it; the grade reschedules the card.
    answered = world.api("post", f"/api/courses/{course}/review/{card['id']}", {"answer": "my answer is účet"})
    assert answered["turn"] is not None
    assert ended(world, course, answered["turn"])["type"] == "completed"

    def graded() -> dict[str, Any] | None:
        now: dict[str, Any] = world.api("get", f"/api/courses/{course}/review/{card['id']}")
        return now if now["reviews"] == 1 else None

    rescheduled = wait_until(graded, 30, "the tutor's grade to reschedule the card")
    assert datetime.fromisoformat(rescheduled["due"]) == clock.now + timedelta(minutes=10), "Good: FSRS's next step"

    # A link planted at student_notes.md is never followed: not read, not written through.
    planted = (
        f"echo private > {SECRET} && rm {COURSE_DIR}/student_notes.md && ln -s {SECRET} {COURSE_DIR}/student_notes.md"
    )
    assert harness.sh(user, planted)[0] == 0
    for method, body in (("get", None), ("put", {"content": "overwritten"})):
        refused = harness.client.request(
            method.upper(), f"/api/courses/{course}/notes", json=body, headers=world.headers
        )
        assert refused.status_code == 409 and "never followed" in refused.json()["detail"], refused.text
    assert harness.sh(user, f"cat {SECRET}")[1].strip() == "private"

    world.api("delete", f"/api/courses/{course}", expect=204)
    assert harness.sh(user, f"test -e {COURSE_DIR}")[0] == 1
    assert harness.sh(user, f"test -e {SECRET}")[0] == 0, "the link was removed, not its target"
