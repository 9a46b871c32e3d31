"""A model provider's trouble in a project, without a sandbox: the coding kind stores what the instance reports
(forgivingly), the API and the live event show it, start and stop clear it with the escalation, and the database
refuses a state outside the vocabulary."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from controlplane.models import Project
from controlplane.projects.kind import CodingKind
from tests.controlplane.projects.test_projects_api import coding_agent, new_project
from tests.support.app import Account

RETRYING = {
    "state": "retrying",
    "provider": "OpenAI",
    "message": "could not be reached (Connection error)",
    "retry_at": "2026-11-28T19:42:10Z",
    "attempt": 2,
    "attempts": 6,
}


def kind(client: TestClient) -> CodingKind:
    state = client.app.state  # type: ignore[attr-defined]
    return CodingKind(box=state.secret_box, settings=state.settings)


def report(client: TestClient, account: Account, project_id: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return kind(client).apply_state(session, account.id, project_id, data)


def project_row(client: TestClient, project_id: int) -> Project:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        project = session.get(Project, project_id)
        assert project is not None
        return project


def test_a_reported_problem_is_stored_shown_and_heard_live(client: TestClient, alice: Account) -> None:
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    [event] = report(client, alice, pid, {"status": "running", "provider_problem": RETRYING})

    assert event["type"] == "project.status" and event["provider_problem"] == RETRYING
    assert event["escalation"] == ""
    shown = client.get(f"/api/projects/{pid}", headers=alice.headers).json()
    assert shown["provider_problem"] == RETRYING and shown["status"] == "running"

    [event] = report(client, alice, pid, {"status": "running", "provider_problem": None})
    assert event["provider_problem"] is None
    assert client.get(f"/api/projects/{pid}", headers=alice.headers).json()["provider_problem"] is None


def test_an_unreadable_problem_counts_as_none_and_an_absent_one_is_kept(client: TestClient, alice: Account) -> None:
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    report(client, alice, pid, {"provider_problem": RETRYING})
    report(client, alice, pid, {"status": "running"})  # an older runner says nothing of it: unchanged
    assert project_row(client, pid).provider_problem == RETRYING
    report(client, alice, pid, {"provider_problem": {**RETRYING, "state": "exploded"}})
    assert project_row(client, pid).provider_problem is None
    report(client, alice, pid, {"provider_problem": "down"})
    assert client.get(f"/api/projects/{pid}", headers=alice.headers).json()["provider_problem"] is None


def test_start_and_stop_clear_the_problem_and_the_escalation(client: TestClient, alice: Account) -> None:
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    failed = {**RETRYING, "state": "failed", "retry_at": "", "attempt": 0}
    for clear in ("started", "ended"):
        report(client, alice, pid, {"status": "paused", "escalation": "Which port?", "provider_problem": failed})
        assert project_row(client, pid).escalation == "Which port?"
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            if clear == "started":
                kind(client).started(session, alice.id, pid, resumed=True, pid=7)
            else:
                kind(client).ended(session, alice.id, pid, wanted=True)
            session.commit()
        shown = client.get(f"/api/projects/{pid}", headers=alice.headers).json()
        assert (shown["escalation"], shown["provider_problem"]) == ("", None), clear
    assert shown["status"] == "stopped"


def test_another_users_reports_do_not_touch_a_project(client: TestClient, alice: Account, bob: Account) -> None:
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    assert report(client, bob, pid, {"provider_problem": RETRYING}) == []
    assert project_row(client, pid).provider_problem is None
    assert client.get(f"/api/projects/{pid}", headers=bob.headers).status_code == 404


def test_the_database_refuses_a_state_outside_the_vocabulary(client: TestClient, alice: Account) -> None:
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        project = session.get(Project, pid)
        assert project is not None
        project.provider_problem = {**RETRYING, "state": "sulking"}
        session.add(project)
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_stopped_projects_late_report_keeps_its_place_but_not_its_question(
    client: TestClient, alice: Account
) -> None:
    """The instance's last report can arrive after Stop was recorded: its step is kept for the next start,
    but the project stays stopped, with no question and no provider trouble."""
    pid = new_project(client, alice, coding_agent(client, alice)["id"])["id"]
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        kind(client).started(session, alice.id, pid, resumed=False, pid=7)
        kind(client).ended(session, alice.id, pid, wanted=True)
        session.commit()
    [event] = report(
        client,
        alice,
        pid,
        {"status": "paused", "current_step": 1, "escalation": "Which port?", "provider_problem": RETRYING},
    )
    shown = client.get(f"/api/projects/{pid}", headers=alice.headers).json()
    assert (shown["status"], shown["current_step"]) == ("stopped", 1)
    assert (shown["escalation"], shown["provider_problem"]) == ("", None)
    assert (event["status"], event["escalation"]) == ("stopped", "")
    report(client, alice, pid, {"status": "completed"})  # a final word still counts
    assert project_row(client, pid).status == "completed"
