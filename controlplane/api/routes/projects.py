"""Coding projects: CRUD under their agent, the instance lifecycle, the plan, escalation replies, and the
agent's global rules (RULES.md). The work is in controlplane.projects.service; errors become answers in
controlplane.api.errors."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SecretBoxDep, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.models import Project
from controlplane.projects import service
from controlplane.schemas.projects import (
    ClaudeMdBody,
    PlanUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    ReplyBody,
    RulesBody,
)
from controlplane.services.ownership import owned

router = APIRouter(tags=["projects"])
# What the route cannot say by itself; its other errors follow from its dependencies (api/documented_errors.py).
REFUSED: Responses = {
    409: {"description": "Not possible in the project's state, or an API key is missing"},
}


# -- CRUD -------------------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/projects", response_model=list[ProjectPublic])
def list_projects(agent_id: Id, session: SessionDep, user: CurrentUser) -> list[ProjectPublic]:
    return service.list_of_agent(session, user.id or 0, agent_id)


@router.get("/projects", response_model=list[ProjectPublic])
def list_my_projects(session: SessionDep, user: CurrentUser) -> list[ProjectPublic]:
    """All the user's projects across their agents, newest first (the dashboard's active work)."""
    return service.list_of_user(session, user.id or 0)


@router.post(
    "/agents/{agent_id}/projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED, responses=REFUSED
)
def create_project(agent_id: Id, body: ProjectCreate, session: SessionDep, user: CurrentUser) -> ProjectPublic:
    """A new project from a goal (and optional architecture and details); start it to plan and build."""
    return service.create(session, user.id or 0, agent_id, body)


@router.get("/projects/{project_id}", response_model=ProjectPublic)
def get_project(project_id: Id, session: SessionDep, user: CurrentUser) -> ProjectPublic:
    return service.view(session, owned(session, Project, project_id, user.id, "Project"))


@router.put("/projects/{project_id}", response_model=ProjectPublic, responses=REFUSED)
async def update_project(
    project_id: Id, body: ProjectUpdate, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ProjectPublic:
    """Rename it or change its goal, architecture or details; a running manager takes them into CLAUDE.md and
    its instructions before its next step."""
    return await service.update(session, supervisor, me, project_id, body)


@router.get("/projects/{project_id}/claude-md", response_model=ClaudeMdBody, responses=REFUSED)
async def get_claude_md(
    project_id: Id, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ClaudeMdBody:
    """The project's .claude/CLAUDE.md (what it will be, before the project first starts)."""
    return ClaudeMdBody(content=await service.read_claude_md(session, supervisor, me, project_id))


@router.put("/projects/{project_id}/claude-md", response_model=ClaudeMdBody, responses=REFUSED)
async def put_claude_md(
    project_id: Id, body: ClaudeMdBody, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ClaudeMdBody:
    """Replace the project's .claude/CLAUDE.md; AutoCode's marked part is rewritten from the project's fields
    and the agent's rules before the next step, the rest is kept as written."""
    await service.save_claude_md(session, supervisor, me, project_id, body.content)
    return body


@router.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_project(
    project_id: Id, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Stop its instance, remove its workspace inside the sandbox, then its rows (logs included)."""
    await service.delete(session, supervisor, me, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- lifecycle ------------------------------------------------------------------------------------------
@router.post("/projects/{project_id}/reply", response_model=ProjectPublic, responses=REFUSED)
async def reply(
    project_id: Id, body: ReplyBody, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ProjectPublic:
    """Answer the project's escalation; the manager takes the answer into account and continues."""
    return await service.reply(session, supervisor, me, project_id, body.message)


# Declared after the fixed paths above: a path parameter would otherwise swallow /reply.
@router.post("/projects/{project_id}/{action}", response_model=ProjectPublic, responses=REFUSED)
async def control_project(
    project_id: Id,
    action: Literal["start", "stop", "restart", "pause", "resume"],
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
) -> ProjectPublic:
    """start/stop/restart the project's manager instance; pause/resume it at its next safe point."""
    return await service.control(session, box, supervisor, me, project_id, action)


@router.put("/projects/{project_id}/plan", response_model=ProjectPublic, responses=REFUSED)
async def update_plan(
    project_id: Id, body: PlanUpdate, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ProjectPublic:
    """Replace the plan's steps. While the manager works on it, pause first; it continues from the first
    step that is not done."""
    return await service.replace_plan(session, supervisor, me, project_id, body.steps)


# -- global rules ---------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/rules", response_model=RulesBody)
def get_rules(agent_id: Id, session: SessionDep, user: CurrentUser) -> RulesBody:
    return RulesBody(content=service.rules_of(session, user.id or 0, agent_id))


@router.put("/agents/{agent_id}/rules", response_model=RulesBody, responses=REFUSED)
async def put_rules(
    agent_id: Id, body: RulesBody, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> RulesBody:
    """Rules shared by all the agent's projects: stored here and written to RULES.md in the sandbox."""
    await service.save_rules(session, supervisor, me, agent_id, body.content)
    return body
