"""The coding kind's handler for the runtime: projects are its targets, their rows its state.

What a coding instance reports lands in its project's row; the supervisor (controlplane.runtime) does the
rest. Every method touches only the given user's rows: a runner can speak only for its own user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.plan import PlanStep, steps_done
from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.vocab import (
    ACTIVE_PROJECT_STATUSES,
    FINAL_PROJECT_STATUSES,
    REPORTED_PROJECT_STATUSES,
    ProjectStatus,
)
from autocode_runner.contract.wire import InstanceKind
from sqlmodel import Session, select

from controlplane.config import Settings
from controlplane.errors import NotFound
from controlplane.models import Agent, Project
from controlplane.models.base import DesiredState, utcnow
from controlplane.projects.keys import project_keys
from controlplane.projects.layout import SANDBOX_HOME, claude_session_name, rules_file, workspace_dir
from controlplane.projects.plans import read_plan
from controlplane.projects.spec import coding_spec
from controlplane.runtime.kinds import Launch, LiveEvent, OwnerColumns
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned_or_none

MAX_SESSION_ID = 64


def status_event(project: Project) -> LiveEvent:
    """What the dashboard and the project page hear when a project changes: its status, progress, whether a
    question waits, and a provider's trouble (retrying, or waiting for Retry)."""
    plan = read_plan(project)
    return {
        "type": "project.status",
        "project_id": project.id,
        "agent_id": project.agent_id,
        "status": project.status,
        "current_step": project.current_step,
        "steps_done": steps_done(plan),
        "steps_total": len(plan),
        "escalation": project.escalation,
        "provider_problem": project.provider_problem,
    }


def clear_questions(project: Project) -> None:
    """A (re)started or stopped project has no open question and no provider trouble to show."""
    project.escalation = ""
    project.provider_problem = None


@dataclass
class CodingKind:
    box: SecretBox
    settings: Settings
    kind: InstanceKind = InstanceKind.CODING
    noun: str = "project"

    def wanted(self, session: Session, user_id: int) -> set[int]:
        query = select(Project.id).where(Project.user_id == user_id, Project.desired_state == DesiredState.RUNNING)
        return {project_id for project_id in session.exec(query).all() if project_id is not None}

    def exists(self, session: Session, user_id: int, target_id: int) -> bool:
        return owned_or_none(session, Project, target_id, user_id) is not None

    def owner_columns(self, target_id: int) -> OwnerColumns:
        return {"project_id": target_id}

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        project = owned_or_none(session, Project, target_id, user_id)
        agent = session.get(Agent, project.agent_id) if project is not None else None
        if project is None or agent is None:
            raise NotFound("Project")
        keys = project_keys(session, self.box, user_id, agent.model)
        return Launch(
            agent_id=agent.id or 0,
            spec=coding_spec(project, agent, keys, self.settings),
            files={rules_file(agent.id or 0): agent.global_rules},
        )

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        project = owned_or_none(session, Project, target_id, user_id)
        if project is None:
            raise NotFound("Project")
        if not project.implementation_plan:
            project.status = ProjectStatus.PLANNING
        elif project.status not in ACTIVE_PROJECT_STATUSES:
            project.status = ProjectStatus.RUNNING
        clear_questions(project)
        project.desired_state = DesiredState.RUNNING
        project.tmux_session = claude_session_name(target_id)
        project.workspace_path = f"{SANDBOX_HOME}/{workspace_dir(project.slug)}"
        project.updated_at = utcnow()
        session.add(project)
        word = "Resumed" if resumed else "Started"
        return f"{word} the project's manager (pid {pid}) at step {project.current_step + 1}"

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        if not wanted:
            return  # a crash: it is still wanted, and the supervisor starts it again
        project = owned_or_none(session, Project, target_id, user_id)
        if project is None:
            return
        project.desired_state = DesiredState.STOPPED
        if project.status not in FINAL_PROJECT_STATUSES:
            project.status = ProjectStatus.STOPPED
        clear_questions(project)
        project.updated_at = utcnow()
        session.add(project)

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        project = owned_or_none(session, Project, target_id, user_id)
        return project is not None and project.status in FINAL_PROJECT_STATUSES

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        """Persist a state report: status, plan, step, the loop's own state, Claude's session, escalation, and
        the provider's trouble (read forgivingly: an unreadable one counts as none)."""
        project = owned_or_none(session, Project, target_id, user_id)
        if project is None:
            return []
        previous_escalation = project.escalation
        # The user's Stop has the last word: the stopping instance's final report (where it was, for the next
        # start) may arrive after the stop was recorded, and must not make the project look active again or
        # reopen its question. A final status (completed, failed) still counts.
        stopped = project.status == ProjectStatus.STOPPED
        reported = data.get("status")
        reopens = stopped and reported in ACTIVE_PROJECT_STATUSES
        if isinstance(reported, str) and reported in REPORTED_PROJECT_STATUSES and not reopens:
            project.status = ProjectStatus(reported)
        if stopped and project.status == ProjectStatus.STOPPED:
            data = {key: value for key, value in data.items() if key not in ("escalation", "provider_problem")}
        if isinstance(data.get("plan"), list):
            plan = [PlanStep.from_stored(step) for step in data["plan"] if isinstance(step, dict)]
            project.implementation_plan = [step.to_dict() for step in plan]
        if isinstance(data.get("current_step"), int):
            project.current_step = data["current_step"]
        if isinstance(data.get("loop_state"), dict):
            project.loop_state = data["loop_state"]
        if isinstance(data.get("claude_session_id"), str):
            project.claude_session_id = data["claude_session_id"][:MAX_SESSION_ID]
        if isinstance(data.get("escalation"), str):
            project.escalation = data["escalation"]
        if "provider_problem" in data:
            problem = ProviderProblem.from_stored(data["provider_problem"])
            project.provider_problem = problem.to_dict() if problem else None
        if project.status in FINAL_PROJECT_STATUSES:
            project.desired_state = DesiredState.STOPPED
        project.updated_at = utcnow()
        session.add(project)
        session.commit()
        events = [status_event(project)]
        if project.escalation and project.escalation != previous_escalation:
            events.append({"type": "escalation", "project_id": project.id, "message": project.escalation})
        return events
