"""What the learning tests share: a clock the test moves, a learning agent, subjects and courses made through
the API, and CourseReport state lines as a tutor writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.support.app import Account, create_agent

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """app.state.clock for a test: it says `now` until the test moves it."""

    now: datetime = field(default=START)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def tutor_agent(client: TestClient, account: Account, **body: Any) -> int:
    return int(create_agent(client, account, template="learning", name=body.pop("name", "Tutor"), **body)["id"])


def new_subject(client: TestClient, account: Account, agent_id: int, name: str) -> dict[str, Any]:
    response = client.post(f"/api/agents/{agent_id}/subjects", json={"name": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def new_course(client: TestClient, account: Account, subject_id: int, name: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/subjects/{subject_id}/courses", json={"name": name, **body}, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def card_report(uid: str, front: str, back: str, kind: str = "word", turn: int = 0) -> dict[str, Any]:
    """A `state` line of add_review_card, stamped as the runner stamps instance events."""
    return {"kind": "learning", "id": 0, "turn": turn, "card": {"uid": uid, "kind": kind, "front": front, "back": back}}


def grade_report(card_id: int, rating: int, turn: int = 0) -> dict[str, Any]:
    return {"turn": turn, "grade": {"card_id": card_id, "rating": rating, "feedback": ""}}
