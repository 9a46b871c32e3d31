"""The research kind's handler for the runtime: research sessions are its targets, their chat its output.

A research's process runs from its first message (or a resume) until it has been idle for a while and ends by
itself, like every chat kind's (controlplane.chat.kind); what is its own: its spec (the Claude Code session to
resume, the user's Anthropic key) and its reports (the session id, which a resume can change).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from autocode_runner.contract.specs import RESEARCH_IDLE_SECONDS
from autocode_runner.contract.wire import InstanceKind
from sqlmodel import Session

from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.chat.kind import ChatKind
from controlplane.errors import Conflict, NotFound
from controlplane.models import Agent, ResearchSession
from controlplane.models.base import utcnow
from controlplane.projects.keys import CLAUDE_PROVIDER, ProviderKey, provider_key, provider_of
from controlplane.research.layout import workspace_path
from controlplane.research.spec import research_spec
from controlplane.runtime.kinds import Launch, LiveEvent
from controlplane.security.secretbox import SecretBox

SESSION_TYPE = "research"  # chat_messages.session_type of a research's messages
MAX_SESSION_ID = 64


def conversation(user_id: int, research_id: int) -> Conversation:
    return ResearchKind.conversation(user_id, research_id)


def research_key(session: Session, box: SecretBox, user_id: int, agent: Agent) -> ProviderKey:
    """The user's Anthropic key for Claude Code; a Conflict when the agent's model is not Claude's, a MissingKey
    when there is no key."""
    if provider_of(agent.model) != CLAUDE_PROVIDER:
        raise Conflict(
            f"'{agent.name}' uses the model {agent.model}, but research runs on Claude Code, which needs an "
            "Anthropic model (anthropic/...): choose one in the agent's settings"
        )
    return provider_key(session, box, user_id, CLAUDE_PROVIDER, "Claude Code, which the research runs on")


@dataclass
class ResearchKind(ChatKind[ResearchSession]):
    table: ClassVar[type[ResearchSession]] = ResearchSession
    session_type: ClassVar[str] = SESSION_TYPE
    box: SecretBox
    chat_hub: ChatHub
    idle_seconds: float = RESEARCH_IDLE_SECONDS
    kind: InstanceKind = InstanceKind.RESEARCH
    noun: str = "research"

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        research = self.row(session, user_id, target_id)
        agent = session.get(Agent, research.agent_id) if research is not None else None
        if research is None or agent is None:
            raise NotFound("Research")
        key = research_key(session, self.box, user_id, agent)
        history = self.history_before_pending(session, user_id, target_id)
        spec = research_spec(research, agent, key, history, self.idle_seconds)
        return Launch(agent_id=agent.id or 0, spec=spec)

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        research = self.row(session, user_id, target_id)
        if research is None:
            raise NotFound("Research")
        self.mark_running(research)
        research.workspace_path = workspace_path(research.slug)
        research.updated_at = utcnow()
        session.add(research)
        return f"{'Resumed' if resumed else 'Started'} the research '{research.name}' (pid {pid})"

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        """A state report carries the Claude Code session the next message continues (it can change on a
        resume: the latest wins)."""
        research = self.row(session, user_id, target_id)
        if research is None:
            return []
        session_id = data.get("session_id", data.get("claude_session_id"))
        if isinstance(session_id, str) and session_id:
            research.claude_session_id = session_id[:MAX_SESSION_ID]
        research.last_activity_at = utcnow()
        session.add(research)
        session.commit()
        return []
