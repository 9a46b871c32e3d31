"""The research instance's spec: its workspace, the agent's prompt and model, the user's Anthropic key, the
Claude Code session to resume, and the stored conversation in case that session is gone."""

from __future__ import annotations

from autocode_runner.contract.chat import ChatTurn
from autocode_runner.contract.specs import RESEARCH_IDLE_SECONDS, ModelAccess, ResearchSpec

from controlplane.chat.agent import system_prompt
from controlplane.models import Agent, ResearchSession
from controlplane.projects.keys import ProviderKey
from controlplane.research.layout import workspace_path


def research_spec(
    research: ResearchSession,
    agent: Agent,
    key: ProviderKey,
    history: list[ChatTurn],
    idle_seconds: float = RESEARCH_IDLE_SECONDS,
) -> ResearchSpec:
    return ResearchSpec(
        workspace=workspace_path(research.slug),
        model=agent.model,
        system_prompt=system_prompt(agent),
        access=ModelAccess(key.api_key, key.base_url),
        session_id=research.claude_session_id,
        history=history,
        idle_seconds=idle_seconds,
    )
