"""A custom agent chat's spec: the chat's folder and the agent's, the agent's model, prompt, catalogue tools and
MCP servers (secrets opened, for the instance's memory only), the user's key for the model's provider, and the
stored conversation (should history.json be gone).

A social media manager's chat (its AI assistant) runs on this kind too: no tools (its catalogue tools are the
platform's, not the model's) and the assistant's writing rules after its prompt."""

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
    from controlplane.social import assistant  # it imports this kind's modules: imported when first needed

    social = assistant.is_assistant(agent)
    return CustomSpec(
        directory=in_home(chat_dir(chat)),
        workspace=in_home(chat.agent_folder),
        agent=agent.name,
        model=agent.model,
        system_prompt=assistant.system_prompt(agent) if social else system_prompt(agent),
        access=ModelAccess(key.api_key, key.base_url),
        tools=[] if social else list(agent.tools),
        mcp_servers=[] if social else mcp_secrets.opened(box, agent.mcp_servers),
        history=history,
        idle_seconds=idle_seconds,
    )
