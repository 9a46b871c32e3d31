"""Where a custom agent's files and chats live inside the user's sandbox (paths relative to /home/agent)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from controlplane.models import Agent, AgentChat
from controlplane.projects.layout import SANDBOX_HOME
from controlplane.services.slugs import make_slug

AGENTS_DIR = "agents"
CHATS_DIR = "chats"  # autocode_runner.custom.backend.CHATS_DIR: the agent's file tools never write in it


def agent_folder(session: Session, user_id: int, agent: Agent) -> str:
    """The agent's folder: the one its chats already use, else one named after it (with its id when another agent
    of the user has that name's folder), so a rename never splits its files."""
    used = session.exec(
        select(AgentChat.agent_folder).where(AgentChat.user_id == user_id, AgentChat.agent_id == agent.id)
    ).first()
    if used:
        return used
    folder = f"{AGENTS_DIR}/{make_slug(agent.name)}"
    taken = session.exec(
        select(AgentChat.id).where(
            AgentChat.user_id == user_id, AgentChat.agent_folder == folder, col(AgentChat.agent_id) != agent.id
        )
    ).first()
    return f"{folder}-{agent.id}" if taken is not None else folder


def chat_dir(chat: AgentChat) -> str:
    return f"{chat.agent_folder}/{CHATS_DIR}/{chat.id}"


def in_home(relative: str) -> str:
    return f"{SANDBOX_HOME}/{relative}"
