"""nanobot's config.json for a chat: one provider, the built-in tool groups the agent may use, its MCP servers
(secrets as placeholders), every background job off (idle compaction, dreaming): the kind decides what the model
remembers, not nanobot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autocode_runner.contract.specs import McpServer
from autocode_runner.nanobot_support import provider_entry, split_model
from autocode_runner.nanochat import mcp

CONTEXT_WINDOW_TOKENS = 128_000
MAX_OUTPUT_TOKENS = 8_192
WEB_TOOLS = frozenset({"web_search", "web_fetch"})
FILE_TOOLS = frozenset({"read_file", "write_file"})


@dataclass(frozen=True)
class ChatConfig:
    """Where nanobot keeps its files for one chat, and the folder the agent's file tools are confined to.

    nanobot's own workspace and its sessions are two sibling folders under `root` (it refuses sessions inside its
    workspace); neither holds the key, and each run is ephemeral, so they stay nearly empty."""

    root: Path  # config.json and nanobot's own data
    workspace: Path  # the agent's folder: its file tools cannot leave it

    @property
    def path(self) -> Path:
        return self.root / "config.json"

    @property
    def sessions(self) -> Path:
        return self.root / "sessions"

    @property
    def nanobot_workspace(self) -> Path:
        return self.root / "workspace"


def chat_config(
    files: ChatConfig,
    model: str,
    base_url: str | None,
    tools: frozenset[str],
    mcp_servers: Sequence[McpServer] = (),
) -> dict[str, Any]:
    provider, name = split_model(model)
    config: dict[str, Any] = {
        "agents": {
            "defaults": {
                "workspace": str(files.nanobot_workspace),
                "model": name,
                "provider": provider,
                "maxTokens": MAX_OUTPUT_TOKENS,
                "contextWindowTokens": CONTEXT_WINDOW_TOKENS,
                "idleCompactAfterMinutes": 0,
                "dream": {"enabled": False},
            }
        },
        "providers": {provider: provider_entry(provider, base_url)},
        "tools": {
            "restrictToWorkspace": True,
            "exec": {"enable": False},
            "file": {"enable": bool(tools & FILE_TOOLS)},
            "web": {"enable": bool(tools & WEB_TOOLS)},
            "my": {"enable": False},
            "cliApps": {"enable": False},
        },
    }
    if mcp_servers:
        config["tools"]["mcpServers"] = mcp.config_entries(mcp_servers, files.workspace)
        exempt = mcp.exempt_addresses(mcp_servers)
        if exempt:
            config["tools"]["ssrfWhitelist"] = exempt
    return config


def write_chat_config(
    files: ChatConfig,
    model: str,
    base_url: str | None,
    tools: frozenset[str],
    mcp_servers: Sequence[McpServer] = (),
) -> None:
    for folder in (files.root, files.nanobot_workspace, files.sessions, files.workspace):
        folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(chat_config(files, model, base_url, tools, mcp_servers), indent=2) + "\n"
    files.path.write_text(text, encoding="utf-8")
