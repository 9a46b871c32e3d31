"""Deleting an agent deletes its work: every instance made from it, of any kind, stopped, and its files removed
inside the sandbox by each kind's own deletion, before its rows (kept apart from the agents' CRUD, which the
kinds' schemas import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from controlplane.chat.hub import ChatHub
from controlplane.custom import service as custom
from controlplane.custom.layout import agent_folder
from controlplane.db import in_worker
from controlplane.learning import service as learning
from controlplane.models import Agent, AgentChat, LearningSubject, Project, ResearchSession
from controlplane.projects import service as projects
from controlplane.projects.layout import rules_file
from controlplane.research import service as research
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.safe_files import remove_folder
from controlplane.services.ownership import owned


@dataclass(frozen=True)
class _Work:
    """What an agent's deletion removes, by kind (ids), and its custom agent's folder."""

    projects: list[int]
    researches: list[int]
    subjects: list[int]
    chats: list[int]
    folder: str | None
    rules: bool  # a coding agent's RULES.md folder may exist (written when its projects start)


def _made_from(session: Session, user_id: int, agent_id: int) -> _Work:
    """Everything made from the agent, of every kind, and its custom agent's folder (only one its chats used)."""
    agent = owned(session, Agent, agent_id, user_id, "Agent")

    def ids(model: Any) -> list[int]:
        query = select(model.id).where(model.user_id == user_id, model.agent_id == agent_id)
        return [row for row in session.exec(query).all() if row is not None]

    has_chats = session.exec(select(AgentChat.id).where(AgentChat.agent_id == agent_id)).first() is not None
    return _Work(
        projects=ids(Project),
        researches=ids(ResearchSession),
        subjects=ids(LearningSubject),
        chats=ids(AgentChat),
        folder=agent_folder(session, user_id, agent) if has_chats else None,
        rules=agent.type == "coding",
    )


def _delete_row(session: Session, user_id: int, agent_id: int) -> None:
    session.delete(owned(session, Agent, agent_id, user_id, "Agent"))
    session.commit()


async def delete(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, agent_id: int
) -> None:
    """Delete the agent and its work: every instance made from it, of any kind, is stopped and its folders are
    removed inside the sandbox by that kind's own deletion (coding projects with their Claude Code, research
    sessions, learning subjects, custom chats), then the agent's own files, then its row (the rest by cascade)."""
    work = await in_worker(session, lambda s: _made_from(s, user.id, agent_id))
    for project_id in work.projects:
        await projects.delete(session, supervisor, user, project_id)
    for research_id in work.researches:
        await research.delete(session, supervisor, hub, user, research_id)
    for subject_id in work.subjects:
        await learning.delete_subject(session, supervisor, hub, user, subject_id)
    for chat_id in work.chats:
        await custom.delete_chat(session, supervisor, hub, user, chat_id)
    if supervisor is not None:  # only an agent with files of its own starts the sandbox to remove them
        if work.rules:
            await remove_folder(supervisor.manager, user, rules_file(agent_id).rsplit("/", 1)[0], "the agent's rules")
        if work.folder is not None:
            await remove_folder(supervisor.manager, user, work.folder, "the agent's files")
    await in_worker(session, lambda s: _delete_row(s, user.id, agent_id))
    if supervisor is not None:
        await supervisor.resync(user)
