"""Agents: created from a template or from scratch, then edited and deleted by their owner."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SessionDep
from controlplane.api.errors import Responses, field_error
from controlplane.errors import Conflict
from controlplane.models import Agent, User
from controlplane.schemas.agents import (
    AgentCreate,
    AgentPublic,
    AgentTemplatePublic,
    AgentUpdate,
    ToolPublic,
    template_views,
)
from controlplane.services.agent_catalogue import TEMPLATES, TOOL_CATALOGUE
from controlplane.services.ownership import owned

router = APIRouter(tags=["agents"])
CONFLICT: Responses = {409: {"description": "An agent with this name exists"}}


def _dump_mcp(servers: dict[str, Any]) -> dict[str, Any]:
    return {name: server.model_dump(mode="json") for name, server in servers.items()}


def _fields_from_template(body: AgentCreate) -> dict[str, Any]:
    if body.template is None:
        if body.model is None:
            raise field_error("model", "Field required when no template is given")
        return {
            "type": body.type or "custom",
            "identity": "",
            "tools": [],
            "mcp_servers": {},
            "global_rules": "",
        }
    template = TEMPLATES[body.template]
    if body.type is not None and body.type != template.type:
        raise field_error("type", f"The '{template.key}' template makes agents of type '{template.type}'", body.type)
    return {
        "type": template.type,
        "model": template.model,
        "identity": template.identity,
        "tools": list(template.tools),
        "mcp_servers": dict(template.mcp_servers),
        "global_rules": template.global_rules,
    }


def _name_taken(session: Session, user: User, name: str, except_id: int | None = None) -> bool:
    query = select(Agent.id).where(Agent.user_id == user.id, Agent.name == name)
    if except_id is not None:
        query = query.where(Agent.id != except_id)
    return session.exec(query).first() is not None


def _commit_or_conflict(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"You already have an agent named '{name}'") from exc


@router.get("/agent-templates", response_model=list[AgentTemplatePublic])
def list_templates(_user: CurrentUser) -> list[AgentTemplatePublic]:
    """The pre-built agents: one click, then customise."""
    return template_views()


@router.get("/agent-tools", response_model=list[ToolPublic])
def list_tools(_user: CurrentUser) -> list[ToolPublic]:
    """The catalogue of tools an agent may enable."""
    return [ToolPublic(name=name, description=text) for name, text in TOOL_CATALOGUE.items()]


@router.get("/agents", response_model=list[AgentPublic])
def list_agents(session: SessionDep, user: CurrentUser) -> list[Agent]:
    return list(session.exec(select(Agent).where(Agent.user_id == user.id).order_by(col(Agent.id))).all())


@router.post("/agents", response_model=AgentPublic, status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create_agent(body: AgentCreate, session: SessionDep, user: CurrentUser) -> Agent:
    fields = _fields_from_template(body)
    overrides = body.model_dump(exclude_unset=True, exclude={"template", "name", "type", "mcp_servers"})
    fields.update({key: value for key, value in overrides.items() if value is not None})
    if body.mcp_servers is not None:
        fields["mcp_servers"] = _dump_mcp(body.mcp_servers)
    if _name_taken(session, user, body.name):
        raise Conflict(f"You already have an agent named '{body.name}'")
    agent = Agent(user_id=user.id or 0, name=body.name, **fields)
    session.add(agent)
    _commit_or_conflict(session, body.name)
    session.refresh(agent)
    return agent


@router.get("/agents/{agent_id}", response_model=AgentPublic)
def get_agent(agent_id: int, session: SessionDep, user: CurrentUser) -> Agent:
    return owned(session, Agent, agent_id, user.id, "Agent")


@router.put("/agents/{agent_id}", response_model=AgentPublic, responses=CONFLICT)
def update_agent(agent_id: int, body: AgentUpdate, session: SessionDep, user: CurrentUser) -> Agent:
    """Change any of the given fields; omitted fields keep their values."""
    agent = owned(session, Agent, agent_id, user.id, "Agent")
    # Checked before any attribute changes: the query would autoflush a clashing name into the UNIQUE index.
    if body.name is not None and _name_taken(session, user, body.name, except_id=agent.id):
        raise Conflict(f"You already have an agent named '{body.name}'")
    changes = body.model_dump(exclude_unset=True, exclude={"mcp_servers"})
    for field, value in changes.items():
        if value is None:
            raise field_error(field, "May be omitted but not null")
        setattr(agent, field, value)
    if "mcp_servers" in body.model_fields_set:
        if body.mcp_servers is None:
            raise field_error("mcp_servers", "May be omitted but not null")
        agent.mcp_servers = _dump_mcp(body.mcp_servers)
    session.add(agent)
    _commit_or_conflict(session, agent.name)
    session.refresh(agent)
    return agent


def _delete(session: Session, user_id: int, agent_id: int) -> None:
    session.delete(owned(session, Agent, agent_id, user_id, "Agent"))
    session.commit()


@router.delete("/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agent(
    agent_id: int, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Delete the agent and everything made from it (projects, sessions, instances, logs); instances that
    ran from it are stopped, since nothing wants them any more."""
    await asyncio.to_thread(_delete, session, me.id, agent_id)
    if supervisor is not None:
        await supervisor.resync(me)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
