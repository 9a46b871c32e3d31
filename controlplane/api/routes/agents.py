"""Agents: created from a template or from scratch, then edited and deleted by their owner (the work is in
controlplane.services.agents)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SecretBoxDep, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.api.routes.research import chat_hub
from controlplane.models import Agent
from controlplane.schemas.agents import (
    AgentCreate,
    AgentPublic,
    AgentTemplatePublic,
    AgentUpdate,
    ModelCataloguePublic,
    ToolPublic,
    template_views,
)
from controlplane.services import agent_work, agents, model_catalogue
from controlplane.services.agent_catalogue import TOOL_CATALOGUE
from controlplane.services.ownership import owned

router = APIRouter(tags=["agents"])
CONFLICT: Responses = {409: {"description": "An agent with this name exists"}}


@router.get("/agent-templates", response_model=list[AgentTemplatePublic])
def list_templates(_user: CurrentUser) -> list[AgentTemplatePublic]:
    """The pre-built agents: one click, then customise."""
    return template_views()


@router.get("/agent-tools", response_model=list[ToolPublic])
def list_tools(_user: CurrentUser) -> list[ToolPublic]:
    """The catalogue of tools an agent may enable."""
    return [
        ToolPublic(name=name, label=tool.label, description=tool.description, agent_types=list(tool.agent_types))
        for name, tool in TOOL_CATALOGUE.items()
    ]


@router.get("/models", response_model=ModelCataloguePublic)
def list_models(session: SessionDep, user: CurrentUser) -> ModelCataloguePublic:
    """The models to choose from per provider, which providers the signed-in user has a key for, and the model
    each template should start with for those keys."""
    return model_catalogue.catalogue_for(session, user.id or 0)


@router.get("/agents", response_model=list[AgentPublic])
def list_agents(session: SessionDep, user: CurrentUser) -> list[Agent]:
    return agents.list_of_user(session, user.id or 0)


@router.post("/agents", response_model=AgentPublic, status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create_agent(body: AgentCreate, session: SessionDep, box: SecretBoxDep, user: CurrentUser) -> Agent:
    """A new agent; its MCP servers' secrets (env and headers values) are stored encrypted and never shown again."""
    return agents.create(session, box, user.id or 0, body)


@router.get("/agents/{agent_id}", response_model=AgentPublic)
def get_agent(agent_id: Id, session: SessionDep, user: CurrentUser) -> Agent:
    return owned(session, Agent, agent_id, user.id, "Agent")


@router.put("/agents/{agent_id}", response_model=AgentPublic, responses=CONFLICT)
def update_agent(agent_id: Id, body: AgentUpdate, session: SessionDep, box: SecretBoxDep, user: CurrentUser) -> Agent:
    """Change any of the given fields; omitted fields keep their values, and an MCP secret sent back as the mask
    keeps its stored value."""
    return agents.update(session, box, user.id or 0, agent_id, body)


@router.delete("/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agent(
    agent_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Delete the agent and all its work: every instance made from it (projects with their Claude Code, research
    sessions, courses, chats) is stopped, its workspaces and folders are removed in the sandbox, then its rows."""
    await agent_work.delete(session, supervisor, chat_hub(request), me, agent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
