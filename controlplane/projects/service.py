"""Coding projects for the routes: CRUD, views, and the instance lifecycle through the runtime's supervisor.

Blocking functions take the request's database session; the async ones run their database work in worker
threads with that same session (one session per request), and reach the sandbox through the supervisor.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal, TypeVar

from autocode_runner.coding.context import CLAUDE_MD, CONTEXT_FILE, ProjectContext, project_block, with_block
from autocode_runner.contract.plan import PlanStep, first_open_step, steps_done
from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.vocab import LogLevel, ProjectStatus
from autocode_runner.contract.wire import Command, ErrorCode, InstanceKey, InstanceKind, Method
from sqlmodel import Session, col, select

from controlplane.db import in_worker
from controlplane.errors import Conflict, Unavailable
from controlplane.models import Agent, Project
from controlplane.models.base import utcnow
from controlplane.projects.keys import project_keys
from controlplane.projects.kind import status_event
from controlplane.projects.layout import SANDBOX_HOME, claude_session_name, rules_file, workspace_dir
from controlplane.projects.plans import read_plan
from controlplane.runtime import instance_rows
from controlplane.runtime.supervisor import InstanceSupervisor, require_supervisor
from controlplane.sandbox.backend import SandboxError, SandboxState, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerError
from controlplane.sandbox.safe_files import remove_folder
from controlplane.schemas.projects import InstancePublic, ProjectCreate, ProjectPublic, ProjectUpdate
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned
from controlplane.services.slugs import unique_slug

T = TypeVar("T")
REPLY_ACKNOWLEDGED = "Your answer was sent to the manager"
Action = Literal["start", "stop", "restart", "pause", "resume"]
EDITING_STATUSES = frozenset({ProjectStatus.PLANNING, ProjectStatus.RUNNING})


def _key(project_id: int) -> InstanceKey:
    return (InstanceKind.CODING, project_id)


# -- views --------------------------------------------------------------------------------------------
def view(session: Session, project: Project) -> ProjectPublic:
    instance = instance_rows.latest(session, project.user_id, _key(project.id or 0))
    plan = read_plan(project)
    hidden = {"user_id", "loop_state", "claude_session_id", "implementation_plan", "provider_problem"}
    return ProjectPublic(
        **project.model_dump(exclude=hidden),
        implementation_plan=plan,
        provider_problem=ProviderProblem.from_stored(project.provider_problem) if project.provider_problem else None,
        steps_done=steps_done(plan),
        steps_total=len(plan),
        instance=InstancePublic.model_validate(instance) if instance else None,
    )


def fresh_view(session: Session, user_id: int, project_id: int) -> ProjectPublic:
    """The project as it is now in the database (the supervisor writes through its own sessions)."""
    session.expire_all()
    return view(session, owned(session, Project, project_id, user_id, "Project"))


# -- CRUD ---------------------------------------------------------------------------------------------
def coding_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != "coding":
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only coding agents have projects")
    return agent


def list_of_agent(session: Session, user_id: int, agent_id: int) -> list[ProjectPublic]:
    owned(session, Agent, agent_id, user_id, "Agent")
    query = select(Project).where(Project.agent_id == agent_id, Project.user_id == user_id).order_by(col(Project.id))
    return [view(session, project) for project in session.exec(query).all()]


def list_of_user(session: Session, user_id: int) -> list[ProjectPublic]:
    """All the user's projects across their agents, newest first (the dashboard's active work)."""
    query = select(Project).where(Project.user_id == user_id).order_by(col(Project.id).desc())
    return [view(session, project) for project in session.exec(query).all()]


def create(session: Session, user_id: int, agent_id: int, body: ProjectCreate) -> ProjectPublic:
    coding_agent(session, user_id, agent_id)
    slug = unique_slug(session, Project, body.name, user_id=user_id)
    project = Project(
        user_id=user_id,
        agent_id=agent_id,
        name=body.name,
        slug=slug,
        description=body.description,
        architecture=body.architecture,
        details=body.details,
        workspace_path=f"{SANDBOX_HOME}/{workspace_dir(slug)}",
    )
    session.add(project)
    session.flush()  # the id names the tmux session
    project.tmux_session = claude_session_name(project.id or 0)
    session.commit()
    session.refresh(project)
    return view(session, project)


def context_of(project: Project) -> ProjectContext:
    return ProjectContext(goal=project.description, architecture=project.architecture, details=project.details)


def _update(session: Session, user_id: int, project_id: int, body: ProjectUpdate) -> tuple[ProjectContext | None, str]:
    """Save the fields; the new context when it changed and a manager runs (it must hear of it), and the slug."""
    project = owned(session, Project, project_id, user_id, "Project")
    before = context_of(project)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(project, field, value)
    project.updated_at = utcnow()
    session.add(project)
    session.commit()
    after = context_of(project)
    live = instance_rows.running_id(session, user_id, _key(project_id)) is not None
    return (after if live and after != before else None), project.slug


async def update(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int, body: ProjectUpdate
) -> ProjectPublic:
    """Save the fields. A running manager gets a new goal, architecture or details in its workspace, and takes
    them into CLAUDE.md and its identity before its next step (a stopped one gets them with its next start)."""
    context, slug = await in_worker(session, lambda s: _update(s, user.id, project_id, body))
    if context is not None and supervisor is not None:
        params = {"path": f"{workspace_dir(slug)}/{CONTEXT_FILE}", "content": context.to_json(), "parents": True}
        try:
            await supervisor.manager.call(user, Method.FS_WRITE, params)
        except (RunnerError, ChannelClosed, SandboxError) as exc:
            raise Unavailable(
                f"The change is saved, but the running project did not get it ({exc}): restart the project to use it"
            ) from exc
    return await in_worker(session, lambda s: fresh_view(s, user.id, project_id))


def require_keys(session: Session, box: SecretBox, user_id: int, project_id: int) -> None:
    """Both the manager's and Claude Code's provider keys exist: else MissingKey naming the first absent."""
    project = owned(session, Project, project_id, user_id, "Project")
    agent = session.get(Agent, project.agent_id)
    project_keys(session, box, user_id, agent.model if agent else "")


def _delete_row(session: Session, user_id: int, project_id: int) -> None:
    session.delete(owned(session, Project, project_id, user_id, "Project"))
    session.commit()


async def delete(session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int) -> None:
    """Stop its instance, remove its workspace inside the sandbox, then its rows (logs included)."""
    project = await in_worker(session, lambda s: owned(s, Project, project_id, user.id, "Project"))
    if supervisor is not None:
        await _remove_workspace(supervisor, user, project_id, project.slug)
    await in_worker(session, lambda s: _delete_row(s, user.id, project_id))


async def _remove_workspace(supervisor: InstanceSupervisor, user: SandboxUser, project_id: int, slug: str) -> None:
    """Inside the sandbox, where a symlink the user made cannot lead the deletion elsewhere."""
    await supervisor.discard(user, _key(project_id))
    manager = supervisor.manager
    listed = await manager.call(user, Method.TMUX_LIST)
    if any(item.get("name") == claude_session_name(project_id) for item in listed.get("sessions", [])):
        await manager.call(user, Method.TMUX_KILL, {"name": claude_session_name(project_id)})
    await remove_folder(manager, user, workspace_dir(slug), "the workspace")


# -- CLAUDE.md ----------------------------------------------------------------------------------------
def _claude_md_of(session: Session, user_id: int, project_id: int) -> tuple[str, str]:
    """The file's place in the sandbox, and what it will say when the project has not made it yet."""
    project = owned(session, Project, project_id, user_id, "Project")
    agent = session.get(Agent, project.agent_id)
    rules = agent.global_rules if agent is not None else ""
    return f"{workspace_dir(project.slug)}/{CLAUDE_MD}", with_block("", project_block(context_of(project), rules))


async def read_claude_md(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int
) -> str:
    """The project's CLAUDE.md, read through the runner (never through a link)."""
    path, default = await in_worker(session, lambda s: _claude_md_of(s, user.id, project_id))
    try:
        found = await require_supervisor(supervisor).manager.call(user, Method.FS_READ, {"path": path})
    except RunnerError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            return default
        raise Conflict(f"CLAUDE.md could not be read: {exc.message}") from exc
    if found.get("encoding") != "utf-8":
        raise Conflict("CLAUDE.md is not a text file")
    return str(found.get("content", ""))


async def save_claude_md(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int, content: str
) -> None:
    """Write the project's CLAUDE.md through the runner (never through a link); the manager reads it before its
    next step, and Claude Code is asked to read it again."""
    path, _ = await in_worker(session, lambda s: _claude_md_of(s, user.id, project_id))
    try:
        await require_supervisor(supervisor).manager.call(
            user, Method.FS_WRITE, {"path": path, "content": content, "parents": True}
        )
    except RunnerError as exc:
        raise Conflict(f"CLAUDE.md could not be saved: {exc.message}") from exc


# -- lifecycle ----------------------------------------------------------------------------------------


async def control(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    user: SandboxUser,
    project_id: int,
    action: Action,
) -> ProjectPublic:
    """start/stop/restart the project's manager instance; pause/resume it at its next safe point."""
    await in_worker(session, lambda s: owned(s, Project, project_id, user.id, "Project"))  # 404 before anything
    if action in ("start", "restart"):
        await in_worker(session, lambda s: require_keys(s, box, user.id, project_id))
    running = require_supervisor(supervisor)
    if action == "start":
        await running.start(user, _key(project_id))
    elif action == "stop":
        await running.stop(user, _key(project_id))
    elif action == "restart":
        await running.restart(user, _key(project_id))
    else:
        command = Command.PAUSE if action == "pause" else Command.RESUME
        await running.send(user, _key(project_id), {"type": command.value})
    return await in_worker(session, lambda s: fresh_view(s, user.id, project_id))


async def reply(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int, message: str
) -> ProjectPublic:
    """Answer the project's escalation; the manager takes the answer into account and continues.

    The question is closed at once (the card goes without waiting for the manager's next report) and the
    answer is acknowledged in the project's log."""
    await in_worker(session, lambda s: owned(s, Project, project_id, user.id, "Project"))
    running = require_supervisor(supervisor)
    command = {"type": Command.REPLY.value, "message": message}
    await running.send(user, _key(project_id), command)
    event = await in_worker(session, lambda s: _close_question(s, user.id, project_id))
    running.events.publish(user.id, event)
    instance_id = await in_worker(session, lambda s: instance_rows.running_id(s, user.id, _key(project_id)))
    await asyncio.wrap_future(
        running.logs.submit(
            user_id=user.id,
            project_id=project_id,
            level=LogLevel.INFO.value,
            message=REPLY_ACKNOWLEDGED,
            agent_instance_id=instance_id,
        )
    )
    return await in_worker(session, lambda s: fresh_view(s, user.id, project_id))


def _close_question(session: Session, user_id: int, project_id: int) -> dict[str, Any]:
    """The escalation is answered: clear it now, and say so to the live pages."""
    project = owned(session, Project, project_id, user_id, "Project")
    project.escalation = ""
    project.updated_at = utcnow()
    session.add(project)
    session.commit()
    return status_event(project)


def _save_plan(session: Session, user_id: int, project_id: int, steps: list[PlanStep]) -> bool:
    """Store the plan unless the manager is working on it; returns whether an instance runs."""
    project = owned(session, Project, project_id, user_id, "Project")
    live = instance_rows.running_id(session, user_id, _key(project_id)) is not None
    if live and project.status in EDITING_STATUSES:
        raise Conflict(f"The project is {project.status}: pause it before editing its plan, then resume")
    project.implementation_plan = [step.to_dict() for step in steps]
    project.current_step = first_open_step(steps)
    project.updated_at = utcnow()
    session.add(project)
    session.commit()
    return live


async def replace_plan(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, project_id: int, steps: list[PlanStep]
) -> ProjectPublic:
    """Replace the plan's steps. While the manager works on it, pause first; it continues from the first
    step that is not done."""
    live = await in_worker(session, lambda s: _save_plan(s, user.id, project_id, steps))
    if live:
        command: dict[str, Any] = {"type": Command.PLAN.value, "steps": [step.to_dict() for step in steps]}
        await require_supervisor(supervisor).send(user, _key(project_id), command)
    return await in_worker(session, lambda s: fresh_view(s, user.id, project_id))


# -- the agent's global rules ---------------------------------------------------------------------------
def rules_of(session: Session, user_id: int, agent_id: int) -> str:
    return owned(session, Agent, agent_id, user_id, "Agent").global_rules


def _save_rules(session: Session, user_id: int, agent_id: int, content: str) -> None:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    agent.global_rules = content
    session.add(agent)
    session.commit()


async def save_rules(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, agent_id: int, content: str
) -> None:
    """Rules shared by all the agent's projects: stored, and written to RULES.md now when the sandbox runs
    (every start writes it anyway)."""
    await in_worker(session, lambda s: _save_rules(s, user.id, agent_id, content))
    if supervisor is None:
        return
    manager = supervisor.manager
    if (await manager.status(user)).state is SandboxState.RUNNING:
        params = {"path": rules_file(agent_id), "content": content, "parents": True}
        await manager.call(user, Method.FS_WRITE, params)
