"""Deleting an agent goes through each kind's own deletion (without a sandbox here: the rows; the sandbox side is
tests/controlplane/projects/test_agent_deletion.py): every kind's work of that agent goes, another agent's stays."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from controlplane.models import AgentChat, LearningCourse, LearningSubject, Project, ResearchSession
from tests.support.app import Account, create_agent


def test_every_kinds_work_of_the_agent_goes_and_another_agents_stays(
    client: TestClient, alice: Account, db: Session
) -> None:
    doomed = create_agent(client, alice, template="learning", name="Doomed")
    kept = create_agent(client, alice, template="learning", name="Kept")
    for agent, slug in ((doomed, "english"), (kept, "german")):
        subject = LearningSubject(user_id=alice.id, agent_id=agent["id"], name=slug, slug=slug)
        db.add(subject)
        db.flush()
        db.add(LearningCourse(user_id=alice.id, subject_id=subject.id or 0, name="Talk", slug="talk"))
        db.add(Project(user_id=alice.id, agent_id=agent["id"], name="P", slug=f"p-{slug}"))
        db.add(ResearchSession(user_id=alice.id, agent_id=agent["id"], name="R", slug=f"r-{slug}"))
        db.add(AgentChat(user_id=alice.id, agent_id=agent["id"], title="T", agent_folder=f"agents/{slug}"))
    db.commit()

    assert client.delete(f"/api/agents/{doomed['id']}", headers=alice.headers).status_code == 204

    db.expire_all()
    assert {row.agent_id for row in db.exec(select(LearningSubject)).all()} == {kept["id"]}
    assert {row.agent_id for row in db.exec(select(Project)).all()} == {kept["id"]}
    assert {row.agent_id for row in db.exec(select(ResearchSession)).all()} == {kept["id"]}
    assert {row.agent_id for row in db.exec(select(AgentChat)).all()} == {kept["id"]}
    assert [course.slug for course in db.exec(select(LearningCourse)).all()] == ["talk"]
