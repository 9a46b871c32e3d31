"""A custom agent chat's spec: the chat's folder and the agent's, the agent's model, prompt, catalogue tools and
MCP servers (secrets opened, for the instance's memory only), the user's key for the model's provider, and the
stored conversation (should history.json be gone)."""

from __future__ import annotations

from autocode_runner.contract.chat import ChatTurn
from autocode_runner.contract.specs import CUSTOM_IDLE_SECONDS, CustomSpec, ModelAccess

from controlplane.chat.agent import system_prompt
from controlplane.custom.layout import chat_dir, in_home
from controlplane.models import Agent, AgentChat
from controlplane.projects.keys import ProviderKey
from controlplane.security import mcp_secrets
from controlplane.security.secretbox import SecretBox


def custom_spec(
    box: SecretBox,
    chat: AgentChat,
    agent: Agent,
    key: ProviderKey,
    history: list[ChatTurn],
    idle_seconds: float = CUSTOM_IDLE_SECONDS,
) -> CustomSpec:
    return CustomSpec(
        directory=in_home(chat_dir(chat)),
        workspace=in_home(chat.agent_folder),
        agent=agent.name,
        model=agent.model,
        system_prompt=system_prompt(agent),
        access=ModelAccess(key.api_key, key.base_url),
        tools=list(agent.tools),
        mcp_servers=mcp_secrets.opened(box, agent.mcp_servers),
        history=history,
        idle_seconds=idle_seconds,
    )
