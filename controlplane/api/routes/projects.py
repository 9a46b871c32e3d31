"""Coding projects: CRUD under their agent, the instance lifecycle, the plan, escalation replies, and the
agent's global rules (RULES.md)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlmodel import Session, col, select

from controlplane.api.deps import CurrentUser, SessionDep, get_owned
from controlplane.models import Agent, AgentInstance, Project, User
from controlplane.models.base import utcnow
from controlplane.projects import store
from controlplane.projects.keys import MissingKey, project_keys
from controlplane.projects.layout import SANDBOX_HOME, claude_session_name, workspace_dir
from controlplane.projects.supervisor import ProjectError, ProjectSupervisor
from controlplane.sandbox.backend import EngineUnavailable, SandboxError, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerError
from controlplane.schemas.projects import (
    InstancePublic,
    PlanUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    ReplyBody,
    RulesBody,
)
from controlplane.services.slugs import unique_slug

router = APIRouter(tags=["projects"])
REFUSED = {
    404: {"description": "No such project of yours"},
    409: {"description": "Not possible in the project's state, or an API key is missing"},
    503: {"description": "The sandbox could not be reached"},
}


def _supervisor(request: Request) -> ProjectSupervisor:
    supervisor: ProjectSupervisor | None = request.app.state.projects
    if supervisor is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Sandboxes are disabled on this server")
    return supervisor


def _me(user: User) -> SandboxUser:
    return SandboxUser(user.id or 0, user.username)


async def _guarded(coroutine: Any) -> Any:
    """Supervisor refusals keep their status; sandbox failures become 503 with the reason."""
    try:
        return await coroutine
    except ProjectError as exc:
        raise HTTPException(exc.status_code, exc.message) from exc
    except (EngineUnavailable, SandboxError, ChannelClosed, RunnerError) as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"The sandbox could not be reached: {exc}") from exc


def _coding_agent(session: Session, agent_id: int, user: User) -> Agent:
    agent = get_owned(session, Agent, agent_id, user, "Agent")
    if agent.type != "coding":
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"'{agent.name}' is a {agent.type} agent; only coding agents have projects"
        )
    return agent


def _require_keys(request: Request, user: User, project_id: int) -> None:
    """Both the manager's and Claude Code's provider keys exist: else 409 naming the missing one."""
    with Session(request.app.state.engine) as session:
        project = get_owned(session, Project, project_id, user, "Project")
        agent = session.get(Agent, project.agent_id)
        model = agent.model if agent else ""
        try:
            project_keys(session, request.app.state.secret_box, user.id or 0, model)
        except MissingKey as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


def project_view(session: Session, project: Project) -> ProjectPublic:
    instance = session.exec(
        select(AgentInstance)
        .where(AgentInstance.project_id == project.id)
        .order_by(col(AgentInstance.started_at).desc(), col(AgentInstance.id).desc())
    ).first()
    plan = project.implementation_plan
    return ProjectPublic(
        **project.model_dump(exclude={"user_id", "loop_state", "claude_session_id"}),
        steps_done=store.steps_done(plan),
        steps_total=len(plan),
        instance=InstancePublic.model_validate(instance) if instance else None,
    )


def _fresh(request: Request, project_id: int, user: User) -> ProjectPublic:
    with Session(request.app.state.engine) as session:
        return project_view(session, get_owned(session, Project, project_id, user, "Project"))


# -- CRUD -------------------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/projects", response_model=list[ProjectPublic])
def list_projects(agent_id: int, session: SessionDep, user: CurrentUser) -> list[ProjectPublic]:
    get_owned(session, Agent, agent_id, user, "Agent")
    projects = session.exec(
        select(Project).where(Project.agent_id == agent_id, Project.user_id == user.id).order_by(col(Project.id))
    ).all()
    return [project_view(session, p) for p in projects]


@router.get("/projects", response_model=list[ProjectPublic])
def list_my_projects(session: SessionDep, user: CurrentUser) -> list[ProjectPublic]:
    """All the user's projects across their agents, newest first (the dashboard's active work)."""
    projects = session.exec(select(Project).where(Project.user_id == user.id).order_by(col(Project.id).desc())).all()
    return [project_view(session, p) for p in projects]


@router.post(
    "/agents/{agent_id}/projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED, responses=REFUSED
)
def create_project(agent_id: int, body: ProjectCreate, session: SessionDep, user: CurrentUser) -> ProjectPublic:
    """A new project from a goal (and optional architecture and details); start it to plan and build."""
    _coding_agent(session, agent_id, user)
    slug = unique_slug(session, Project, body.name, user_id=user.id)
    project = Project(
        user_id=user.id,
        agent_id=agent_id,
        name=body.name,
        slug=slug,
        description=body.description,
        architecture=body.architecture,
        details=body.details,
        workspace_path=f"{SANDBOX_HOME}/{workspace_dir(slug)}",
    )
    session.add(project)
    session.commit()
    session.refresh(project)
    project.tmux_session = claude_session_name(project.id or 0)
    session.add(project)
    session.commit()
    session.refresh(project)
    return project_view(session, project)


@router.get("/projects/{project_id}", response_model=ProjectPublic, responses=REFUSED)
def get_project(project_id: int, session: SessionDep, user: CurrentUser) -> ProjectPublic:
    return project_view(session, get_owned(session, Project, project_id, user, "Project"))


@router.put("/projects/{project_id}", response_model=ProjectPublic, responses=REFUSED)
def update_project(project_id: int, body: ProjectUpdate, session: SessionDep, user: CurrentUser) -> ProjectPublic:
    """Rename it or change its goal, architecture or details; a running manager sees them on its next start."""
    project = get_owned(session, Project, project_id, user, "Project")
    for field, value in body.model_dump(exclude_unset=True).items():
        if value is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"{field}: may be omitted but not null")
        setattr(project, field, value)
    project.updated_at = utcnow()
    session.add(project)
    session.commit()
    session.refresh(project)
    return project_view(session, project)


@router.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_project(project_id: int, request: Request, user: CurrentUser) -> Response:
    """Stop its instance, remove its workspace inside the sandbox, then its rows (logs included)."""
    engine = request.app.state.engine

    def load() -> Project:
        with Session(engine) as session:
            return get_owned(session, Project, project_id, user, "Project")

    project = await asyncio.to_thread(load)
    supervisor: ProjectSupervisor | None = request.app.state.projects
    if supervisor is not None:
        await _guarded(supervisor.remove_workspace(_me(user), project_id, project.slug))

    def delete() -> None:
        with Session(engine) as session:
            row = session.get(Project, project_id)
            if row is not None:
                session.delete(row)
                session.commit()

    await asyncio.to_thread(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- lifecycle ------------------------------------------------------------------------------------------
@router.post("/projects/{project_id}/reply", response_model=ProjectPublic, responses=REFUSED)
async def reply(project_id: int, body: ReplyBody, request: Request, user: CurrentUser) -> ProjectPublic:
    """Answer the project's escalation; the manager takes the answer into account and continues."""
    await asyncio.to_thread(_fresh, request, project_id, user)
    supervisor = _supervisor(request)
    await _guarded(supervisor.send(_me(user), project_id, {"type": "reply", "message": body.message}))
    return await asyncio.to_thread(_fresh, request, project_id, user)


# Declared after the fixed paths above: a path parameter would otherwise swallow /reply.
@router.post("/projects/{project_id}/{action}", response_model=ProjectPublic, responses=REFUSED)
async def control_project(
    project_id: int,
    action: Literal["start", "stop", "restart", "pause", "resume"],
    request: Request,
    user: CurrentUser,
) -> ProjectPublic:
    """start/stop/restart the project's manager instance; pause/resume it at its next safe point."""
    await asyncio.to_thread(_fresh, request, project_id, user)  # 404 for another user's id, before anything else
    if action in ("start", "restart"):
        await asyncio.to_thread(_require_keys, request, user, project_id)
    supervisor = _supervisor(request)
    me = _me(user)
    if action == "start":
        await _guarded(supervisor.start(me, project_id))
    elif action == "stop":
        await _guarded(supervisor.stop(me, project_id))
    elif action == "restart":
        await _guarded(supervisor.restart(me, project_id))
    else:
        await _guarded(supervisor.send(me, project_id, {"type": action}))
    return await asyncio.to_thread(_fresh, request, project_id, user)


@router.put("/projects/{project_id}/plan", response_model=ProjectPublic, responses=REFUSED)
async def update_plan(project_id: int, body: PlanUpdate, request: Request, user: CurrentUser) -> ProjectPublic:
    """Replace the plan's steps. While the manager works on it, pause first; it continues from the first
    step that is not done."""
    engine = request.app.state.engine
    steps = [step.model_dump() for step in body.steps]
    current = next((i for i, step in enumerate(steps) if step["status"] != "done"), len(steps))

    def save() -> tuple[bool, str]:
        with Session(engine) as session:
            project = get_owned(session, Project, project_id, user, "Project")
            live = store.running_instance_id(engine, project_id) is not None
            if live and project.status in ("planning", "running"):
                return live, project.status
            project.implementation_plan = steps
            project.current_step = current
            project.updated_at = utcnow()
            session.add(project)
            session.commit()
            return live, "saved"

    live, outcome = await asyncio.to_thread(save)
    if outcome != "saved":
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"The project is {outcome}: pause it before editing its plan, then resume"
        )
    if live:
        await _guarded(_supervisor(request).send(_me(user), project_id, {"type": "plan", "steps": steps}))
    return await asyncio.to_thread(_fresh, request, project_id, user)


# -- global rules ---------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/rules", response_model=RulesBody)
def get_rules(agent_id: int, session: SessionDep, user: CurrentUser) -> RulesBody:
    return RulesBody(content=get_owned(session, Agent, agent_id, user, "Agent").global_rules)


@router.put("/agents/{agent_id}/rules", response_model=RulesBody, responses=REFUSED)
async def put_rules(agent_id: int, body: RulesBody, request: Request, user: CurrentUser) -> RulesBody:
    """Rules shared by all the agent's projects: stored here and written to RULES.md in the sandbox."""
    engine = request.app.state.engine

    def save() -> None:
        with Session(engine) as session:
            agent = get_owned(session, Agent, agent_id, user, "Agent")
            agent.global_rules = body.content
            session.add(agent)
            session.commit()

    await asyncio.to_thread(save)
    supervisor: ProjectSupervisor | None = request.app.state.projects
    if supervisor is not None:
        await _guarded(supervisor.write_rules(_me(user), agent_id, body.content))
    return body
