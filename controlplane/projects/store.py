"""Database side of project instances: what the runner reports lands here (blocking calls; run in threads).

Every function takes the sandbox's user id and touches only that user's rows: a runner can speak only for
its own user, whatever project ids it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from controlplane.models import AgentInstance, Project
from controlplane.models.base import utcnow

ACTIVE_STATUSES = ("planning", "running", "paused")
FINAL_STATUSES = ("completed", "failed")
REPORTED_STATUSES = ("planning", "running", "paused", "completed", "failed")


@dataclass(frozen=True)
class StateChange:
    """What a state report changed, for the events the dashboard and the project page follow."""

    project_id: int
    agent_id: int
    status: str
    current_step: int
    steps_done: int
    steps_total: int
    new_escalation: str | None


def steps_done(plan: list[dict[str, Any]]) -> int:
    return sum(1 for step in plan if step.get("status") == "done")


def _owned(session: Session, user_id: int, project_id: int) -> Project | None:
    project = session.get(Project, project_id)
    return project if project is not None and project.user_id == user_id else None


def apply_state(engine: Engine, user_id: int, data: dict[str, Any]) -> StateChange | None:
    """Persist a `project.state` report; None when it names no project of this user or is malformed."""
    try:
        project_id = int(data["project_id"])
    except (KeyError, TypeError, ValueError):
        return None
    with Session(engine) as session:
        project = _owned(session, user_id, project_id)
        if project is None:
            return None
        previous_escalation = project.escalation
        status = data.get("status")
        if status in REPORTED_STATUSES:
            project.status = status
        if isinstance(data.get("plan"), list):
            project.implementation_plan = [step for step in data["plan"] if isinstance(step, dict)]
        if isinstance(data.get("current_step"), int):
            project.current_step = data["current_step"]
        if isinstance(data.get("loop_state"), dict):
            project.loop_state = data["loop_state"]
        if isinstance(data.get("claude_session_id"), str):
            project.claude_session_id = data["claude_session_id"][:64]
        if isinstance(data.get("escalation"), str):
            project.escalation = data["escalation"]
        if project.status in FINAL_STATUSES:
            project.desired_state = "stopped"
        project.updated_at = utcnow()
        session.add(project)
        session.commit()
        plan = project.implementation_plan
        return StateChange(
            project_id=project_id,
            agent_id=project.agent_id,
            status=project.status,
            current_step=project.current_step,
            steps_done=steps_done(plan),
            steps_total=len(plan),
            new_escalation=project.escalation
            if project.escalation and project.escalation != previous_escalation
            else None,
        )


def record_start(engine: Engine, user_id: int, project_id: int, pid: int | None, **project_fields: Any) -> int:
    """Mark the project wanted-running and open an instance row; returns the instance id."""
    with Session(engine) as session:
        project = _owned(session, user_id, project_id)
        if project is None:
            raise LookupError(project_id)
        _close_instances(session, project_id, "stopped")
        for key, value in project_fields.items():
            setattr(project, key, value)
        project.desired_state = "running"
        project.updated_at = utcnow()
        instance = AgentInstance(user_id=user_id, agent_id=project.agent_id, project_id=project_id, pid=pid)
        session.add_all([project, instance])
        session.commit()
        return instance.id or 0


def record_stop(engine: Engine, user_id: int, project_id: int, *, wanted: bool) -> None:
    """The instance ended. wanted=False: the user stopped it (status "stopped" unless already final)."""
    with Session(engine) as session:
        project = _owned(session, user_id, project_id)
        if project is None:
            return
        _close_instances(session, project_id, "stopped" if wanted else "crashed")
        if wanted:
            project.desired_state = "stopped"
            if project.status not in FINAL_STATUSES:
                project.status = "stopped"
            project.updated_at = utcnow()
            session.add(project)
        session.commit()


def _close_instances(session: Session, project_id: int, status: str) -> None:
    running = session.exec(
        select(AgentInstance).where(AgentInstance.project_id == project_id, AgentInstance.status == "running")
    ).all()
    for instance in running:
        instance.status = status
        instance.stopped_at = utcnow()
        session.add(instance)


def running_instance_id(engine: Engine, project_id: int) -> int | None:
    with Session(engine) as session:
        return session.exec(
            select(AgentInstance.id).where(AgentInstance.project_id == project_id, AgentInstance.status == "running")
        ).first()


def wanted_running(engine: Engine, user_id: int) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(select(Project.id).where(Project.user_id == user_id, Project.desired_state == "running")).all()
        )  # type: ignore[arg-type]


def users_with_wanted_projects(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return sorted(set(session.exec(select(Project.user_id).where(Project.desired_state == "running")).all()))


def instance_rows_running(engine: Engine, user_id: int) -> list[int]:
    """Project ids whose instance row says running (what the runner must confirm)."""
    with Session(engine) as session:
        rows = session.exec(
            select(AgentInstance.project_id).where(
                AgentInstance.user_id == user_id,
                AgentInstance.status == "running",
                col(AgentInstance.project_id).is_not(None),
            )
        ).all()
        return [row for row in rows if row is not None]
