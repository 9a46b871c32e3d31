"""The custom kind's handler for the runtime: a custom agent's chats are its targets, their chat its output.

A chat's instance runs from its first message until it has been idle for a while and ends by itself; one that
dies mid-reply is started again and given the message again, so a message is never lost (as research and
learning). Its state reports carry nothing yet: tool calls travel as chat events (tool cards)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.specs import CUSTOM_IDLE_SECONDS
from autocode_runner.contract.wire import InstanceKey, InstanceKind
from sqlmodel import Session, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.chat.service import ChatTarget
from controlplane.custom.spec import custom_spec, model_key
from controlplane.errors import NotFound
from controlplane.models import Agent, AgentChat
from controlplane.models.base import DesiredState, utcnow
from controlplane.runtime.kinds import Launch, LiveEvent, OwnerColumns
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned_or_none

SESSION_TYPE = "custom"  # chat_messages.session_type of a custom agent chat's messages
NOUN = "chat"


def conversation(user_id: int, chat_id: int) -> Conversation:
    return Conversation(user_id, SESSION_TYPE, chat_id)


def chat_key(chat_id: int) -> InstanceKey:
    return (InstanceKind.CUSTOM, chat_id)


def chat_target(user_id: int, chat_id: int) -> ChatTarget:
    return ChatTarget(key=chat_key(chat_id), conversation=conversation(user_id, chat_id), noun=NOUN)


@dataclass
class CustomKind:
    box: SecretBox
    chat_hub: ChatHub
    idle_seconds: float = CUSTOM_IDLE_SECONDS
    kind: InstanceKind = InstanceKind.CUSTOM
    noun: str = NOUN

    def wanted(self, session: Session, user_id: int) -> set[int]:
        query = select(AgentChat.id).where(
            AgentChat.user_id == user_id, AgentChat.desired_state == DesiredState.RUNNING
        )
        return {chat_id for chat_id in session.exec(query).all() if chat_id is not None}

    def exists(self, session: Session, user_id: int, target_id: int) -> bool:
        return owned_or_none(session, AgentChat, target_id, user_id) is not None

    def owner_columns(self, target_id: int) -> OwnerColumns:
        return {}

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        chat = owned_or_none(session, AgentChat, target_id, user_id)
        agent = owned_or_none(session, Agent, chat.agent_id, user_id) if chat else None
        if chat is None or agent is None:
            raise NotFound("Chat")
        key = model_key(session, self.box, user_id, agent)
        talk = conversation(user_id, target_id)
        pending = store.pending_turn(session, talk)
        history = store.history(session, talk, before=pending.id if pending else None)
        spec = custom_spec(self.box, chat, agent, key, history, self.idle_seconds)
        return Launch(agent_id=agent.id or 0, spec=spec)

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        chat = owned_or_none(session, AgentChat, target_id, user_id)
        if chat is None:
            raise NotFound("Chat")
        chat.desired_state = DesiredState.RUNNING
        session.add(chat)
        return f"{'Resumed' if resumed else 'Started'} the chat '{chat.title}' (pid {pid})"

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        if not wanted:
            return  # died mid-reply: still wanted, started again, and the message sent again
        chat = owned_or_none(session, AgentChat, target_id, user_id)
        if chat is None:
            return
        chat.desired_state = DesiredState.STOPPED
        session.add(chat)

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        """Its process may end whenever no reply is in flight (it does when idle)."""
        return store.pending_turn(session, conversation(user_id, target_id)) is None

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        return []  # a custom chat reports nothing but its chat

    def chat(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> None:
        event = chat_service.relay_event(self.chat_hub, conversation(user_id, target_id), data)
        if event is not None and chat_service.counts_as_activity(event):
            chat = owned_or_none(session, AgentChat, target_id, user_id)
            if chat is not None:
                chat.last_activity_at = utcnow()
                session.add(chat)
                session.commit()

    def after_start(self, session: Session, user_id: int, target_id: int, *, resumed: bool) -> list[dict[str, Any]]:
        """A resumed chat is given the message in flight again."""
        return chat_service.resend_pending(session, self.chat_hub, chat_target(user_id, target_id), resumed=resumed)
