"""A custom agent's chats for the routes: list, create, rename, delete (instance stopped, folder removed through
the runner, then rows), and the chat itself (a message stored first, then delivered; interrupt).

Blocking functions take the request's database session; the async ones run their database work in worker threads
with it, and reach the sandbox through the supervisor (the instance) and its manager (files)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.agent import model_key
from controlplane.chat.hub import ChatHub
from controlplane.custom.kind import chat_key, chat_target, conversation
from controlplane.custom.layout import agent_folder, chat_dir, in_home
from controlplane.db import in_worker
from controlplane.errors import Conflict
from controlplane.models import Agent, AgentChat
from controlplane.models.base import utcnow
from controlplane.models.custom import DEFAULT_TITLE, TITLE_MAX
from controlplane.runtime import instance_rows
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.safe_files import remove_folder
from controlplane.schemas.custom import (
    AgentChatCreate,
    AgentChatDetail,
    AgentChatMessageBody,
    AgentChatPublic,
    AgentChatUpdate,
)
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned

CHAT = "Chat"
CUSTOM = "custom"


def custom_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != CUSTOM:
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only custom agents have chats")
    return agent


def chat_and_agent(session: Session, user_id: int, chat_id: int) -> tuple[AgentChat, Agent]:
    chat = owned(session, AgentChat, chat_id, user_id, CHAT)
    return chat, owned(session, Agent, chat.agent_id, user_id, CHAT)


# -- views ------------------------------------------------------------------------------------------------
def chat_view(session: Session, chat: AgentChat, agent: Agent) -> AgentChatPublic:
    chat_id = chat.id or 0
    pending = store.pending_turn(session, conversation(chat.user_id, chat_id))
    running = instance_rows.running_id(session, chat.user_id, chat_key(chat_id)) is not None
    return AgentChatPublic(
        id=chat_id,
        agent_id=chat.agent_id,
        agent=agent.name,
        title=chat.title,
        answering=pending is not None,
        running=running,
        directory=in_home(chat_dir(chat)),
        last_activity_at=chat.last_activity_at,
        created_at=chat.created_at,
        updated_at=chat.updated_at,
    )


def chats_of_agent(session: Session, user_id: int, agent_id: int) -> list[AgentChatPublic]:
    """The agent's chats, the most recently used first."""
    agent = custom_agent(session, user_id, agent_id)
    query = select(AgentChat).where(AgentChat.user_id == user_id, AgentChat.agent_id == agent_id)
    chats = session.exec(query.order_by(col(AgentChat.id).desc())).all()
    views = [chat_view(session, chat, agent) for chat in chats]
    return sorted(views, key=lambda view: view.last_activity_at or view.created_at, reverse=True)


def public(session: Session, user_id: int, chat_id: int) -> AgentChatPublic:
    chat, agent = chat_and_agent(session, user_id, chat_id)
    return chat_view(session, chat, agent)


def detail(session: Session, user_id: int, chat_id: int) -> AgentChatDetail:
    session.expire_all()  # the supervisor and the hub write through their own sessions
    view = public(session, user_id, chat_id)
    rows = store.messages(session, conversation(user_id, chat_id))
    return AgentChatDetail(**view.model_dump(), messages=[store.public(row) for row in rows])


# -- CRUD -------------------------------------------------------------------------------------------------
def create_chat(session: Session, user_id: int, agent_id: int, body: AgentChatCreate) -> AgentChatPublic:
    agent = custom_agent(session, user_id, agent_id)
    chat = AgentChat(
        user_id=user_id,
        agent_id=agent_id,
        title=body.title or DEFAULT_TITLE,
        agent_folder=agent_folder(session, user_id, agent),
    )
    session.add(chat)
    session.commit()
    session.refresh(chat)
    return chat_view(session, chat, agent)


def rename_chat(session: Session, user_id: int, chat_id: int, body: AgentChatUpdate) -> AgentChatPublic:
    chat, agent = chat_and_agent(session, user_id, chat_id)
    chat.title = body.title
    chat.updated_at = utcnow()
    session.add(chat)
    session.commit()
    session.refresh(chat)
    return chat_view(session, chat, agent)


async def delete_chat(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, chat_id: int
) -> None:
    """Stop its instance, remove its folder inside the sandbox (through the runner, which never follows a link),
    then its row (its messages go with it, by trigger)."""
    chat, _ = await in_worker(session, lambda s: chat_and_agent(s, user.id, chat_id))
    if supervisor is not None:
        await supervisor.discard(user, chat_key(chat_id))
        await remove_folder(supervisor.manager, user, chat_dir(chat), "the chat's files")
    await in_worker(session, lambda s: _delete_row(s, user.id, chat_id))
    hub.forget(conversation(user.id, chat_id))


def _delete_row(session: Session, user_id: int, chat_id: int) -> None:
    session.delete(owned(session, AgentChat, chat_id, user_id, CHAT))
    session.commit()


# -- the chat ---------------------------------------------------------------------------------------------
def ready_to_talk(session: Session, box: SecretBox, user_id: int, chat_id: int) -> AgentChat:
    """The chat may take a message: its agent has a key for its model's provider."""
    chat, agent = chat_and_agent(session, user_id, chat_id)
    model_key(session, box, user_id, agent)
    return chat


def _named_after(session: Session, user_id: int, chat_id: int, text: str) -> None:
    """A chat still called "New chat" takes its first message's first words as its title."""
    chat = owned(session, AgentChat, chat_id, user_id, CHAT)
    if chat.title == DEFAULT_TITLE:
        words = " ".join(text.split())
        chat.title = words if len(words) <= 60 else words[:59].rstrip() + "…"
        chat.title = chat.title[:TITLE_MAX] or DEFAULT_TITLE
    chat.last_activity_at = utcnow()
    session.add(chat)
    session.commit()


async def send_message(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    chat_id: int,
    body: AgentChatMessageBody,
) -> AgentChatDetail:
    """Store the message (pending), then deliver it; the reply streams on /ws/chat/{id}."""
    chat_service.check_words_only(body.text, body.retry_of)
    await chat_service.send_message(
        session,
        supervisor,
        hub,
        user,
        chat_target(user.id, chat_id),
        ready=lambda s: ready_to_talk(s, box, user.id, chat_id),
        retry_of=body.retry_of,
        compose=None if body.retry_of is not None else chat_service.fixed(chat_service.Outgoing(text=body.text)),
    )
    await in_worker(session, lambda s: _named_after(s, user.id, chat_id, body.text))
    return await in_worker(session, lambda s: detail(s, user.id, chat_id))


async def interrupt(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, chat_id: int
) -> AgentChatDetail:
    """Stop the reply being written; what it said so far is kept."""
    await in_worker(session, lambda s: chat_and_agent(s, user.id, chat_id))
    await chat_service.interrupt(session, supervisor, hub, user, chat_target(user.id, chat_id))
    return await in_worker(session, lambda s: detail(s, user.id, chat_id))
