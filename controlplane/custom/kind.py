"""The custom kind's handler for the runtime: a custom agent's chats are its targets, their chat its output.

A chat's instance runs from its first message until it has been idle for a while and ends by itself; one that
dies mid-reply is started again and given the message again, so a message is never lost (as research and
learning). Its state reports carry nothing yet: tool calls travel as chat events (tool cards)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autocode_runner.contract.specs import CUSTOM_IDLE_SECONDS
from autocode_runner.contract.wire import InstanceKey, InstanceKind
from sqlmodel import Session

from controlplane.chat.agent import model_key
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.chat.kind import ChatKind
from controlplane.chat.service import ChatTarget
from controlplane.custom.spec import custom_spec
from controlplane.errors import NotFound
from controlplane.models import Agent, AgentChat
from controlplane.runtime.kinds import Launch
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned_or_none

SESSION_TYPE = "custom"  # chat_messages.session_type of a custom agent chat's messages
NOUN = "chat"


def conversation(user_id: int, chat_id: int) -> Conversation:
    return CustomKind.conversation(user_id, chat_id)


def chat_key(chat_id: int) -> InstanceKey:
    return (InstanceKind.CUSTOM, chat_id)


def chat_target(user_id: int, chat_id: int) -> ChatTarget:
    return ChatTarget(key=chat_key(chat_id), conversation=conversation(user_id, chat_id), noun=NOUN)


@dataclass
class CustomKind(ChatKind[AgentChat]):
    table: ClassVar[type[AgentChat]] = AgentChat
    session_type: ClassVar[str] = SESSION_TYPE
    box: SecretBox
    chat_hub: ChatHub
    idle_seconds: float = CUSTOM_IDLE_SECONDS
    kind: InstanceKind = InstanceKind.CUSTOM
    noun: str = NOUN

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        chat = self.row(session, user_id, target_id)
        agent = owned_or_none(session, Agent, chat.agent_id, user_id) if chat else None
        if chat is None or agent is None:
            raise NotFound("Chat")
        key = model_key(session, self.box, user_id, agent)
        history = self.history_before_pending(session, user_id, target_id)
        spec = custom_spec(self.box, chat, agent, key, history, self.idle_seconds)
        return Launch(agent_id=agent.id or 0, spec=spec)

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        chat = self.row(session, user_id, target_id)
        if chat is None:
            raise NotFound("Chat")
        self.mark_running(chat)
        session.add(chat)
        return f"{'Resumed' if resumed else 'Started'} the chat '{chat.title}' (pid {pid})"
