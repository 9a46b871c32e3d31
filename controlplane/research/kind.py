"""The research kind's handler for the runtime: research sessions are its targets, their chat its output.

A research's process runs from its first message (or a resume) until it has been idle for a while and ends by
itself: that end is expected when no reply is in flight, and a process that dies mid-reply is started again and
given the message again (`after_start`), so a message is never lost. Every method touches only the given
user's rows: a runner can speak only for its own user.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.chat import ChatAttachment, ChatEvent, ChatEventType, ChatMessageCommand
from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.specs import RESEARCH_IDLE_SECONDS
from autocode_runner.contract.wire import Command, InstanceKind
from sqlmodel import Session, select

from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.errors import Conflict, NotFound
from controlplane.models import Agent, ResearchSession
from controlplane.models.base import DesiredState, utcnow
from controlplane.models.chat import ChatMessage
from controlplane.projects.keys import CLAUDE_PROVIDER, ProviderKey, provider_key, provider_of
from controlplane.research.layout import workspace_path
from controlplane.research.spec import research_spec
from controlplane.runtime.kinds import Launch, LiveEvent, OwnerColumns
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned_or_none

log = logging.getLogger(__name__)
SESSION_TYPE = "research"  # chat_messages.session_type of a research's messages
MAX_SESSION_ID = 64
STAMPED = ("kind", "id")  # what the runner adds to every instance event


def conversation(user_id: int, research_id: int) -> Conversation:
    return Conversation(user_id, SESSION_TYPE, research_id)


def research_key(session: Session, box: SecretBox, user_id: int, agent: Agent) -> ProviderKey:
    """The user's Anthropic key for Claude Code; a Conflict when the agent's model is not Claude's, a MissingKey
    when there is no key."""
    if provider_of(agent.model) != CLAUDE_PROVIDER:
        raise Conflict(
            f"'{agent.name}' uses the model {agent.model}, but research runs on Claude Code, which needs an "
            "Anthropic model (anthropic/...): choose one in the agent's settings"
        )
    return provider_key(session, box, user_id, CLAUDE_PROVIDER, "Claude Code, which the research runs on")


def message_command(row: ChatMessage) -> dict[str, Any]:
    """The `message` command for a stored user's message (attachments by path: the files are in the
    workspace)."""
    attachments = [from_dict(ChatAttachment, item) for item in row.attachments if isinstance(item, dict)]
    body = ChatMessageCommand(turn=row.id or 0, text=row.content, attachments=attachments)
    return {"type": Command.MESSAGE.value, **to_dict(body)}


@dataclass
class ResearchKind:
    box: SecretBox
    chat_hub: ChatHub
    idle_seconds: float = RESEARCH_IDLE_SECONDS
    kind: InstanceKind = InstanceKind.RESEARCH
    noun: str = "research"

    def wanted(self, session: Session, user_id: int) -> set[int]:
        query = select(ResearchSession.id).where(
            ResearchSession.user_id == user_id, ResearchSession.desired_state == DesiredState.RUNNING
        )
        return {research_id for research_id in session.exec(query).all() if research_id is not None}

    def exists(self, session: Session, user_id: int, target_id: int) -> bool:
        return owned_or_none(session, ResearchSession, target_id, user_id) is not None

    def owner_columns(self, target_id: int) -> OwnerColumns:
        return {}

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        research = owned_or_none(session, ResearchSession, target_id, user_id)
        agent = session.get(Agent, research.agent_id) if research is not None else None
        if research is None or agent is None:
            raise NotFound("Research")
        key = research_key(session, self.box, user_id, agent)
        chat = conversation(user_id, target_id)
        pending = store.pending_turn(session, chat)
        history = store.history(session, chat, before=pending.id if pending else None)
        spec = research_spec(research, agent, key, history, self.idle_seconds)
        return Launch(agent_id=agent.id or 0, spec=spec)

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        research = owned_or_none(session, ResearchSession, target_id, user_id)
        if research is None:
            raise NotFound("Research")
        research.desired_state = DesiredState.RUNNING
        research.workspace_path = workspace_path(research.slug)
        research.updated_at = utcnow()
        session.add(research)
        return f"{'Resumed' if resumed else 'Started'} the research '{research.name}' (pid {pid})"

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        if not wanted:
            return  # died mid-reply: still wanted, started again, and the message sent again
        research = owned_or_none(session, ResearchSession, target_id, user_id)
        if research is None:
            return
        research.desired_state = DesiredState.STOPPED
        session.add(research)

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        """Its process may end whenever no reply is in flight (it does when idle)."""
        return store.pending_turn(session, conversation(user_id, target_id)) is None

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        """A state report carries the Claude Code session the next message continues (it can change on a
        resume: the latest wins)."""
        research = owned_or_none(session, ResearchSession, target_id, user_id)
        if research is None:
            return []
        session_id = data.get("session_id", data.get("claude_session_id"))
        if isinstance(session_id, str) and session_id:
            research.claude_session_id = session_id[:MAX_SESSION_ID]
        research.last_activity_at = utcnow()
        session.add(research)
        session.commit()
        return []

    def chat(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> None:
        try:
            event = from_dict(ChatEvent, {key: value for key, value in data.items() if key not in STAMPED})
        except ContractError as exc:
            log.warning("research %s sent a chat event that does not fit: %s", target_id, exc)
            return
        applied = self.chat_hub.apply(conversation(user_id, target_id), event)
        if applied and event.type not in (ChatEventType.DELTA, ChatEventType.TOOL):  # not a write per token
            research = owned_or_none(session, ResearchSession, target_id, user_id)
            if research is not None:
                research.last_activity_at = utcnow()
                session.add(research)
                session.commit()

    def after_start(self, session: Session, user_id: int, target_id: int, *, resumed: bool) -> list[dict[str, Any]]:
        """A resumed process (started again after a death mid-reply, or found running by a new channel after a
        control-plane restart) is given the message in flight again, by path: an image's inline copy was never
        stored, and the runner reads it back from the workspace. A process that had answered it meanwhile
        answers with that reply again; a fresh one gets its message from the route that started it."""
        chat = conversation(user_id, target_id)
        pending = store.pending_turn(session, chat)
        if not resumed or pending is None or pending.id is None:
            return []
        self.chat_hub.resent(chat, pending.id)
        return [message_command(pending)]
