"""The tutor's reports through the real LearningKind on a real SQLite database: a card becomes a review card once
(by its uid) and is due at once; a grade reschedules a card of this course with FSRS on the injected clock and
touches nobody else's; a level is taken when it fits the course's scale; a review answer is a chat turn whose
`message` command carries the card as context, again when it is resent after a restart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from controlplane.chat.service import message_command, store_message
from controlplane.learning import review
from controlplane.learning.kind import COURSE_CHANGED, LearningKind, chat_target
from controlplane.models import LearningCourse, ReviewCard
from controlplane.models.chat import ChatMessage
from controlplane.runtime.kinds import LiveEvent
from tests.support.app import Account
from tests.support.learning_world import FakeClock, card_report, grade_report, new_course, new_subject, tutor_agent


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def kind(app: FastAPI, client: TestClient, clock: FakeClock) -> LearningKind:
    return LearningKind(app.state.secret_box, app.state.chat, clock=clock)


def cards(app: FastAPI, course_id: int) -> list[ReviewCard]:
    with Session(app.state.engine) as session:
        return list(session.exec(select(ReviewCard).where(ReviewCard.course_id == course_id)).all())


def report(app: FastAPI, kind: LearningKind, user_id: int, course_id: int, data: dict[str, Any]) -> list[LiveEvent]:
    with Session(app.state.engine) as session:
        return kind.apply_state(session, user_id, course_id, dict(data))


def test_cards_grades_and_levels_from_the_tutors_reports(
    client: TestClient, app: FastAPI, alice: Account, bob: Account, kind: LearningKind, clock: FakeClock
) -> None:
    subject = new_subject(client, alice, tutor_agent(client, alice), "Angličtina")
    course = new_course(client, alice, subject["id"], "Slovíčka", level_scale="cefr")["id"]
    other = new_course(client, alice, subject["id"], "Gramatika")["id"]

    events = report(app, kind, alice.id, course, card_report("c-1", "a dog", "pes"))
    assert events == [{"type": COURSE_CHANGED, "course_id": course, "subject_id": subject["id"], "changed": ["card"]}]
    assert report(app, kind, alice.id, course, card_report("c-1", "a dog", "pes")) == [], "the same uid: one card"
    [dog] = cards(app, course)
    assert (dog.kind, dog.front, dog.back, dog.due, dog.reviews) == ("word", "a dog", "pes", clock.now, 0)
    report(app, kind, alice.id, course, card_report("c-2", "I has", "I have", kind="mistake"))
    assert report(app, kind, alice.id, course, card_report("c-3", "x", "y", kind="poem")) == [], "not a card kind"
    assert report(app, kind, bob.id, course, card_report("c-9", "theirs", "x")) == [], "another user's runner"
    assert len(cards(app, course)) == 2

    clock.advance(hours=1)
    graded = report(app, kind, alice.id, course, grade_report(dog.id or 0, 3))
    assert graded[0]["changed"] == ["grade"]
    [dog] = [card for card in cards(app, course) if card.uid == "c-1"]
    assert (dog.last_rating, dog.reviews) == (3, 1)
    assert dog.due == clock.now + timedelta(minutes=10), "FSRS: Good on a new card, the next learning step"
    assert report(app, kind, alice.id, other, grade_report(dog.id or 0, 1)) == [], "a card of another course"
    assert report(app, kind, bob.id, course, grade_report(dog.id or 0, 1)) == []
    assert [card.reviews for card in cards(app, course) if card.uid == "c-1"] == [1]

    assert report(app, kind, alice.id, course, {"level": "B2"})[0]["changed"] == ["level"]
    assert report(app, kind, alice.id, course, {"level": "quite good"}) == [], "not on the CEFR scale"
    assert report(app, kind, alice.id, other, {"level": "chapter 3"})[0]["changed"] == ["level"], "a free scale"
    assert report(app, kind, alice.id, course, {"notes_changed": True})[0]["changed"] == ["notes"]
    assert report(app, kind, alice.id, course, {"card": "not a card"}) == [], "a report that does not fit"
    with Session(app.state.engine) as session:
        levels = {row.id: row.level for row in session.exec(select(LearningCourse)).all()}
    assert levels == {course: "B2", other: "chapter 3"}


def test_a_review_answer_carries_its_card_to_the_tutor_also_when_resent(
    client: TestClient, app: FastAPI, alice: Account, kind: LearningKind
) -> None:
    course = new_course(client, alice, new_subject(client, alice, tutor_agent(client, alice), "En")["id"], "Words")
    report(app, kind, alice.id, course["id"], card_report("c-1", "a dog", "pes"))
    [card] = cards(app, course["id"])
    outgoing = review.prompt_message(card, "pes")
    target = chat_target(alice.id, course["id"])
    with Session(app.state.engine) as session:
        row = store_message(session, app.state.chat, target.conversation, outgoing)
        command = message_command(row)
        resent = kind.after_start(session, alice.id, course["id"], resumed=True)
        fresh = kind.after_start(session, alice.id, course["id"], resumed=False)
        stored = session.get(ChatMessage, row.id)
    expected = {"review": {"card_id": card.id, "kind": "word", "front": "a dog", "back": "pes"}}
    assert command["type"] == "message" and command["text"] == "pes" and command["context"] == expected
    assert stored is not None and stored.context == expected
    assert resent == [command], "a tutor started again gets the message in flight, with its card"
    assert fresh == [], "a fresh start gets its message from the route that started it"
