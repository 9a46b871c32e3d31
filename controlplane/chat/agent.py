"""What a chat kind takes from its agent: the system prompt (the agent's identity, then its global rules) and the
user's key for the provider of the agent's model."""

from __future__ import annotations

from sqlmodel import Session

from controlplane.models import Agent
from controlplane.projects.keys import ProviderKey, provider_key, provider_of
from controlplane.security.secretbox import SecretBox


def system_prompt(agent: Agent) -> str:
    """The agent's identity, then its global rules."""
    return "\n\n".join(part.strip() for part in (agent.identity, agent.global_rules) if part.strip())


def model_key(session: Session, box: SecretBox, user_id: int, agent: Agent, whose: str = "the agent's") -> ProviderKey:
    """The user's key for the provider of the agent's model; a MissingKey naming it when there is none."""
    return provider_key(session, box, user_id, provider_of(agent.model), f"{whose} model {agent.model}")
