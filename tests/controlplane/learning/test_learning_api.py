"""The learning API without sandboxes: subjects and courses (CRUD, slugs in any script, levels that fit their
scale), the course detail with its chat, the notes' and the review's validation, review rated by the student on
an injected clock, the dashboard's due counts, and another user's subject, course or card as 404 over REST and
over the course chat WebSocket, whose frames resume with after=N."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from autocode_runner.contract.chat import ChatEvent, ChatEventType
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from controlplane.learning import scheduling
from controlplane.learning.kind import conversation
from controlplane.models import ReviewCard
from controlplane.realtime.protocol import CLOSE_NOT_FOUND
from tests.controlplane.realtime.test_tickets import ticket_for
from tests.support.app import Account, create_agent
from tests.support.learning_world import FakeClock, new_course, new_subject, tutor_agent


@pytest.fixture
def clock(app: FastAPI) -> FakeClock:
    app.state.clock = clock = FakeClock()
    return clock


def add_card(app: FastAPI, account: Account, course_id: int, uid: str, clock: FakeClock) -> int:
    """A card as the tutor's report would make it (the kind's own path is tested in test_learning_kind)."""
    state, due = scheduling.new_schedule(clock())
    with Session(app.state.engine) as session:
        card = ReviewCard(
            user_id=account.id,
            course_id=course_id,
            uid=uid,
            kind="word",
            front=f"{uid}?",
            back=uid,
            fsrs=state,
            due=due,
        )
        session.add(card)
        session.commit()
        return card.id or 0


def test_subjects_and_courses_are_created_listed_changed_and_deleted(
    client: TestClient, app: FastAPI, alice: Account, clock: FakeClock
) -> None:
    agent = tutor_agent(client, alice)
    english = new_subject(client, alice, agent, "Angličtina")
    assert english["slug"] == "anglictina" and english["courses"] == [] and english["due"] == 0
    talk = new_course(client, alice, english["id"], "Konverzace", instructions="Talk with me, B1", level_scale="cefr")
    assert talk["slug"] == "konverzace" and talk["level_scale"] == "cefr" and talk["level"] == ""
    assert talk["directory"] == "/home/agent/learning/anglictina/konverzace"
    assert (talk["subject"], talk["agent_id"]) == ("Angličtina", agent)
    assert talk["answering"] is False and talk["running"] is False and talk["due"] == 0
    again = new_course(client, alice, english["id"], "Konverzace")
    assert again["slug"] == "konverzace-2", "unique within the subject"
    japanese = new_subject(client, alice, agent, "日本語")
    assert japanese["slug"] == "ri-ben-yu"

    listed = client.get(f"/api/agents/{agent}/subjects", headers=alice.headers).json()
    assert [(s["name"], [c["name"] for c in s["courses"]]) for s in listed] == [
        ("Angličtina", ["Konverzace", "Konverzace"]),
        ("日本語", []),
    ]
    courses = client.get(f"/api/subjects/{english['id']}/courses", headers=alice.headers).json()
    assert [c["slug"] for c in courses] == ["konverzace", "konverzace-2"]

    renamed = client.patch(f"/api/subjects/{english['id']}", json={"name": "English"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "English"
    assert renamed.json()["slug"] == "anglictina", "its folder keeps its name"
    changed = client.patch(f"/api/courses/{talk['id']}", json={"level": "B1", "name": "Talk"}, headers=alice.headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["level"], changed.json()["name"]) == ("B1", "Talk")
    wrong = client.patch(f"/api/courses/{talk['id']}", json={"level": "intermediate"}, headers=alice.headers)
    assert wrong.status_code == 422
    assert (
        wrong.json()["detail"][0]["loc"][-1] == "level" and "A1, A2, B1, B2, C1, C2" in wrong.json()["detail"][0]["msg"]
    )
    free = client.patch(f"/api/courses/{talk['id']}", json={"level_scale": "free"}, headers=alice.headers).json()
    assert (free["level_scale"], free["level"]) == ("free", "B1"), "B1 is a fine free-text level too"
    to_cefr = client.patch(
        f"/api/courses/{talk['id']}", json={"level_scale": "cefr", "level": "chapter 3"}, headers=alice.headers
    )
    assert to_cefr.status_code == 422
    nulls = client.patch(f"/api/courses/{talk['id']}", json={"name": None}, headers=alice.headers)
    assert nulls.status_code == 422

    hub, chat = app.state.chat, conversation(alice.id, talk["id"])
    turn = hub.user_message(chat, "Hi, how are you?", []).id
    hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Fine, thanks! And you?"))
    detail = client.get(f"/api/courses/{talk['id']}", headers=alice.headers).json()
    assert [(m["role"], m["content"]) for m in detail["messages"]] == [
        ("user", "Hi, how are you?"),
        ("assistant", "Fine, thanks! And you?"),
    ]
    add_card(app, alice, talk["id"], "w1", clock)

    assert client.delete(f"/api/courses/{again['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/courses/{again['id']}", headers=alice.headers).status_code == 404
    assert client.delete(f"/api/subjects/{english['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/courses/{talk['id']}", headers=alice.headers).status_code == 404
    with app.state.engine.connect() as connection:
        left = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608 (names above)
            for table in ("learning_courses", "review_cards", "chat_messages")
        }
    assert left == {"learning_courses": 0, "review_cards": 0, "chat_messages": 0}, "its courses, cards and chat went"


def test_only_learning_agents_have_subjects_and_a_message_needs_a_key(client: TestClient, alice: Account) -> None:
    coder = create_agent(client, alice, template="coding", name="Coder")
    refused = client.post(f"/api/agents/{coder['id']}/subjects", json={"name": "X"}, headers=alice.headers)
    assert refused.status_code == 409 and "only learning agents" in refused.json()["detail"]
    course = new_course(client, alice, new_subject(client, alice, tutor_agent(client, alice), "Math")["id"], "Algebra")
    no_key = client.post(f"/api/courses/{course['id']}/message", json={"text": "hi"}, headers=alice.headers)
    assert no_key.status_code == 409 and "No API key for 'anthropic'" in no_key.json()["detail"]
    empty = client.post(f"/api/courses/{course['id']}/message", json={"text": "  "}, headers=alice.headers)
    assert empty.status_code == 422 and empty.json()["detail"][0]["msg"] == "Write a message."
    both = client.post(f"/api/courses/{course['id']}/message", json={"text": "x", "retry_of": 1}, headers=alice.headers)
    assert both.status_code == 422


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Send an answer for the tutor to grade, or a rating of your own, not both."),
        ({"answer": "dog", "rating": 3}, "Send an answer for the tutor to grade, or a rating of your own, not both."),
        ({"answer": "   "}, "Write an answer."),
        ({"rating": 5}, None),
    ],
)
def test_a_review_answer_is_an_answer_or_a_rating(
    client: TestClient, app: FastAPI, alice: Account, clock: FakeClock, body: dict[str, Any], message: str | None
) -> None:
    course = new_course(client, alice, new_subject(client, alice, tutor_agent(client, alice), "En")["id"], "Words")
    card = add_card(app, alice, course["id"], "w1", clock)
    response = client.post(f"/api/courses/{course['id']}/review/{card}", json=body, headers=alice.headers)
    assert response.status_code == 422, response.text
    if message is not None:
        assert message in response.json()["detail"][0]["msg"]


def test_notes_refuse_more_than_their_limit(client: TestClient, alice: Account) -> None:
    course = new_course(client, alice, new_subject(client, alice, tutor_agent(client, alice), "En")["id"], "Words")
    response = client.put(f"/api/courses/{course['id']}/notes", json={"content": "x" * 20_001}, headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Keep the notes under 20000 characters."
    without_sandbox = client.get(f"/api/courses/{course['id']}/notes", headers=alice.headers)
    assert without_sandbox.status_code == 503, "read through the runner, never from the disk"


def test_rated_cards_come_due_when_fsrs_says_on_the_injected_clock(
    client: TestClient, app: FastAPI, alice: Account, bob: Account, clock: FakeClock
) -> None:
    agent = tutor_agent(client, alice)
    course = new_course(client, alice, new_subject(client, alice, agent, "En")["id"], "Words")
    cid = course["id"]
    dog, cat = add_card(app, alice, cid, "dog", clock), add_card(app, alice, cid, "cat", clock)
    queue = client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()
    assert [c["id"] for c in queue["cards"]] == [dog, cat] and (queue["due"], queue["total"]) == (2, 2)
    assert client.get("/api/learning/due", headers=alice.headers).json() == {
        "total": 2,
        "courses": [
            {
                "course_id": cid,
                "course": "Words",
                "subject_id": course["subject_id"],
                "subject": "En",
                "agent_id": agent,
                "due": 2,
            }
        ],
    }

    rated = client.post(f"/api/courses/{cid}/review/{dog}", json={"rating": 3}, headers=alice.headers)
    assert rated.status_code == 200, rated.text
    outcome = rated.json()
    assert outcome["turn"] is None and outcome["card"]["reviews"] == 1 and outcome["card"]["last_rating"] == 3
    # FSRS's first learning step after Good on a new card: ten minutes.
    after_rating = client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()
    assert after_rating["due"] == 1
    assert datetime.fromisoformat(after_rating["next_due"]) == datetime.fromisoformat(outcome["card"]["due"])
    assert datetime.fromisoformat(after_rating["next_due"]).tzinfo is not None, after_rating
    clock.advance(minutes=9)
    assert [c["id"] for c in client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()["cards"]] == [cat]
    clock.advance(minutes=1)
    assert client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()["due"] == 2
    easy = client.post(f"/api/courses/{cid}/review/{dog}", json={"rating": 4}, headers=alice.headers).json()["card"]
    clock.advance(days=1)
    assert dog not in [c["id"] for c in client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()["cards"]]
    assert datetime.fromisoformat(easy["due"]) > clock.now and easy["reviews"] == 2
    assert client.get(f"/api/courses/{cid}/review/{dog}", headers=alice.headers).json()["last_rating"] == 4
    listed = client.get(f"/api/agents/{agent}/subjects", headers=alice.headers).json()
    assert listed[0]["due"] == 1 and listed[0]["courses"][0]["due"] == 1
    assert client.get("/api/learning/due", headers=bob.headers).json() == {"total": 0, "courses": []}


def test_another_users_subjects_courses_and_cards_are_not_found_everywhere(
    client: TestClient, app: FastAPI, alice: Account, bob: Account, clock: FakeClock
) -> None:
    agent = tutor_agent(client, alice)
    subject = new_subject(client, alice, agent, "Mine")
    course = new_course(client, alice, subject["id"], "Mine too")
    sid, cid = subject["id"], course["id"]
    card = add_card(app, alice, cid, "w1", clock)
    calls = [
        ("GET", f"/api/agents/{agent}/subjects", None, "Agent"),
        ("POST", f"/api/agents/{agent}/subjects", {"name": "X"}, "Agent"),
        ("PATCH", f"/api/subjects/{sid}", {"name": "Theirs"}, "Subject"),
        ("GET", f"/api/subjects/{sid}/courses", None, "Subject"),
        ("POST", f"/api/subjects/{sid}/courses", {"name": "X"}, "Subject"),
        ("GET", f"/api/courses/{cid}", None, "Course"),
        ("PATCH", f"/api/courses/{cid}", {"name": "Theirs"}, "Course"),
        ("POST", f"/api/courses/{cid}/message", {"text": "hello"}, "Course"),
        ("POST", f"/api/courses/{cid}/interrupt", None, "Course"),
        ("GET", f"/api/courses/{cid}/notes", None, "Course"),
        ("PUT", f"/api/courses/{cid}/notes", {"content": "mine now"}, "Course"),
        ("GET", f"/api/courses/{cid}/review", None, "Course"),
        ("GET", f"/api/courses/{cid}/review/{card}", None, "Course"),
        ("POST", f"/api/courses/{cid}/review/{card}", {"rating": 1}, "Course"),
        ("POST", f"/api/courses/{cid}/review/{card}", {"answer": "x"}, "Course"),
        ("DELETE", f"/api/courses/{cid}", None, "Course"),
        ("DELETE", f"/api/subjects/{sid}", None, "Subject"),
    ]
    for method, url, body, label in calls:
        response = client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["detail"] == f"{label} not found"
    bobs = new_course(client, bob, new_subject(client, bob, tutor_agent(client, bob), "His")["id"], "His")
    foreign = client.post(f"/api/courses/{bobs['id']}/review/{card}", json={"rating": 1}, headers=bob.headers)
    assert foreign.status_code == 404 and foreign.json()["detail"] == "Card not found", "not a card of his course"
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/course/{cid}/chat?ticket={ticket_for(client, bob)}") as socket,
    ):
        socket.receive_text()
    assert closed.value.code == CLOSE_NOT_FOUND
    assert client.get(f"/api/courses/{cid}", headers=alice.headers).json()["name"] == "Mine too"
    assert client.get(f"/api/courses/{cid}/review", headers=alice.headers).json()["cards"][0]["reviews"] == 0


def test_the_course_chat_stream_sends_the_backlog_after_n_then_live_frames(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    course = new_course(client, alice, new_subject(client, alice, tutor_agent(client, alice), "En")["id"], "Talk")
    hub, chat = app.state.chat, conversation(alice.id, course["id"])
    turn = hub.user_message(chat, "First", []).id
    hub.apply(chat, ChatEvent(type=ChatEventType.DELTA, turn=turn, text="Hel"))
    hub.apply(chat, ChatEvent(type=ChatEventType.DELTA, turn=turn, text="lo"))
    frames, _ = hub.backlog(chat, 0)
    seen_up_to = frames[1]["seq"]

    url = f"/ws/course/{course['id']}/chat?after={seen_up_to}&ticket={ticket_for(client, alice)}"
    with client.websocket_connect(url) as socket:
        resumed = socket.receive_json()
        assert (resumed["type"], resumed["text"]) == ("delta", "lo")
        hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Hello"))
        completed = socket.receive_json()
    assert completed["type"] == "completed" and completed["message"]["content"] == "Hello"
