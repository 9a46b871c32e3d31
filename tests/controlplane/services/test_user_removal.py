"""A user being deleted: nothing of theirs is wanted to run any more, so no restart or reconciler pass brings
their sandbox or their work back between the container's removal and the rows' deletion."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session, select

from controlplane.models import Agent, AgentChat, LearningCourse, LearningSubject, Project, SandboxRecord, User
from controlplane.models.base import DesiredState
from controlplane.services.users import unwant_everything

RUNNING = DesiredState.RUNNING.value


def _everything_running(session: Session, username: str) -> int:
    user = User(username=username, password_hash="x")
    session.add(user)
    session.flush()
    uid = user.id or 0
    agent = Agent(user_id=uid, name="A", type="coding", model="openai/gpt-test")
    session.add(agent)
    session.flush()
    aid = agent.id or 0
    subject = LearningSubject(user_id=uid, agent_id=aid, name="S", slug="s")
    session.add(subject)
    session.flush()
    session.add_all(
        [
            Project(user_id=uid, agent_id=aid, name="P", slug="p", desired_state=RUNNING),
            LearningCourse(user_id=uid, subject_id=subject.id or 0, name="C", slug="c", desired_state=RUNNING),
            AgentChat(user_id=uid, agent_id=aid, title="T", agent_folder="agents/a", desired_state=RUNNING),
            SandboxRecord(user_id=uid, desired_state=RUNNING),
        ]
    )
    session.commit()
    return uid


def _desired(session: Session, user_id: int) -> set[str]:
    session.expire_all()
    states: set[str] = set()
    models: tuple[type[Project] | type[LearningCourse] | type[AgentChat] | type[SandboxRecord], ...] = (
        Project,
        LearningCourse,
        AgentChat,
        SandboxRecord,
    )
    for model in models:
        states |= set(session.exec(select(model.desired_state).where(model.user_id == user_id)).all())
    return states


def test_only_the_leaving_users_work_is_unwanted(app: FastAPI, client: object) -> None:
    with Session(app.state.engine) as session:
        leaving = _everything_running(session, "leaving")
        staying = _everything_running(session, "staying")
        unwant_everything(app.state.engine, leaving)
        assert _desired(session, leaving) == {DesiredState.STOPPED.value}
        assert _desired(session, staying) == {RUNNING}
