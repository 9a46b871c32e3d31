"""Agents: created from a template or from scratch, and edited (deleting one, with its work: agent_work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from controlplane.errors import Conflict, InvalidField
from controlplane.models import Agent
from controlplane.schemas.agents import AgentCreate, AgentUpdate
from controlplane.security import mcp_secrets
from controlplane.security.secretbox import SecretBox
from controlplane.services.agent_catalogue import TEMPLATES, tools_problem
from controlplane.services.ownership import owned

NOT_NULL = "May be omitted but not null"


def _dump_mcp(box: SecretBox, servers: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The servers as stored: their secrets sealed (a mask sent back keeps the stored secret)."""
    given = {name: server.model_dump(mode="json") for name, server in servers.items()}
    return mcp_secrets.seal(box, given, stored)


def _fields_from_template(body: AgentCreate) -> dict[str, Any]:
    if body.template is None:
        if body.model is None:
            raise InvalidField("model", "Field required when no template is given")
        return {"type": body.type or "custom", "identity": "", "tools": [], "mcp_servers": {}, "global_rules": ""}
    template = TEMPLATES[body.template]
    if body.type is not None and body.type != template.type:
        raise InvalidField("type", f"The '{template.key}' template makes agents of type '{template.type}'", body.type)
    return {
        "type": template.type,
        "model": template.model,
        "identity": template.identity,
        "tools": list(template.tools),
        "mcp_servers": dict(template.mcp_servers),
        "global_rules": template.global_rules,
    }


def _check_tools(agent_type: str, tools: list[str]) -> None:
    problem = tools_problem(agent_type, tools)
    if problem is not None:
        raise InvalidField("tools", problem)


def _name_taken(session: Session, user_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(Agent.id).where(Agent.user_id == user_id, Agent.name == name)
    if except_id is not None:
        query = query.where(Agent.id != except_id)
    return session.exec(query).first() is not None


def _taken(name: str) -> Conflict:
    return Conflict(f"You already have an agent named '{name}'")


def _commit_or_conflict(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:  # a racing request took the name between the check and the commit
        session.rollback()
        raise _taken(name) from exc


def list_of_user(session: Session, user_id: int) -> list[Agent]:
    return list(session.exec(select(Agent).where(Agent.user_id == user_id).order_by(col(Agent.id))).all())


def create(session: Session, box: SecretBox, user_id: int, body: AgentCreate) -> Agent:
    fields = _fields_from_template(body)
    overrides = body.model_dump(exclude_unset=True, exclude={"template", "name", "type", "mcp_servers"})
    fields.update({key: value for key, value in overrides.items() if value is not None})
    if body.mcp_servers is not None:
        fields["mcp_servers"] = _dump_mcp(box, body.mcp_servers, {})
    _check_tools(str(fields["type"]), fields.get("tools", []))
    if _name_taken(session, user_id, body.name):
        raise _taken(body.name)
    agent = Agent(user_id=user_id, name=body.name, **fields)
    session.add(agent)
    _commit_or_conflict(session, body.name)
    session.refresh(agent)
    return agent


def update(session: Session, box: SecretBox, user_id: int, agent_id: int, body: AgentUpdate) -> Agent:
    """Change any of the given fields; omitted fields keep their values."""
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if body.tools is not None:
        _check_tools(agent.type, body.tools)
    # Checked before any attribute changes: the query would autoflush a clashing name into the UNIQUE index.
    if body.name is not None and _name_taken(session, user_id, body.name, except_id=agent.id):
        raise _taken(body.name)
    for field, value in body.model_dump(exclude_unset=True, exclude={"mcp_servers"}).items():
        if value is None:
            raise InvalidField(field, NOT_NULL)
        setattr(agent, field, value)
    if "mcp_servers" in body.model_fields_set:
        if body.mcp_servers is None:
            raise InvalidField("mcp_servers", NOT_NULL)
        agent.mcp_servers = _dump_mcp(box, body.mcp_servers, agent.mcp_servers)
    session.add(agent)
    _commit_or_conflict(session, agent.name)
    session.refresh(agent)
    return agent
