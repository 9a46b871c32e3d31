"""Where the manager keeps its files, and the nanobot config it writes for itself.

Layout, all under `<project>/.nanobot/` so a project carries its manager's state with it:

    config.json   nanobot's config: provider, model, the tools it uses; the API key is NOT stored (see below)
    IDENTITY.md   who the manager is for this project (rules, CLAUDE.md, description, architecture, plan)
    MEMORY.md     facts worth keeping across the whole project; part of the system prompt
    HISTORY.md    one line per exchange with the model, for people reading along
    sessions/     nanobot's conversation store (nanobot refuses one inside its workspace, hence not workspace/)
    workspace/    nanobot's own agent workspace (its memory/ and state)

The API key stays in memory: config.json names a placeholder (nanobot_support.provider_entry) and the manager fills
it in after loading, so the key never lands in a project directory Claude Code can read and commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager.tools import tools_config
from autocode_runner.nanobot_support import provider_entry, split_model

CONTEXT_WINDOW_TOKENS = 128_000  # the smaller of GPT-4o's and Claude's windows: nanobot compacts before it
MAX_OUTPUT_TOKENS = 8_192
TEMPERATURE = 0.1  # judgments and JSON should not vary between runs


@dataclass(frozen=True)
class ManagerFiles:
    root: Path

    @classmethod
    def under(cls, project: Path) -> ManagerFiles:
        return cls(Path(project) / ".nanobot")

    @property
    def config(self) -> Path:
        return self.root / "config.json"

    @property
    def identity(self) -> Path:
        return self.root / "IDENTITY.md"

    @property
    def memory(self) -> Path:
        return self.root / "MEMORY.md"

    @property
    def history(self) -> Path:
        return self.root / "HISTORY.md"

    @property
    def sessions(self) -> Path:
        return self.root / "sessions"

    @property
    def agent_workspace(self) -> Path:
        return self.root / "workspace"


def nanobot_config(files: ManagerFiles, model: str, base_url: str | None, tools: Sequence[str] = ()) -> dict[str, Any]:
    """nanobot's config.json for the manager: one provider, only the tools it uses (manager/tools.py), no
    background compaction or dreaming."""
    provider, name = split_model(model)
    return {
        "agents": {
            "defaults": {
                "workspace": str(files.agent_workspace),
                "model": name,
                "provider": provider,
                "maxTokens": MAX_OUTPUT_TOKENS,
                "contextWindowTokens": CONTEXT_WINDOW_TOKENS,
                "temperature": TEMPERATURE,
                # Idle compaction would summarise the conversation with an extra paid call whenever Claude
                # Code works for a while; compaction by size still happens.
                "idleCompactAfterMinutes": 0,
                "dream": {"enabled": False},
            }
        },
        "providers": {provider: provider_entry(provider, base_url)},
        "tools": tools_config(tools),
    }


def write_manager_files(
    files: ManagerFiles, model: str, base_url: str | None, identity: str, tools: Sequence[str] = ()
) -> None:
    """Write config.json and IDENTITY.md; create MEMORY.md and HISTORY.md if missing (they accumulate)."""
    files.root.mkdir(parents=True, exist_ok=True)
    files.agent_workspace.mkdir(exist_ok=True)
    config = nanobot_config(files, model, base_url, tools)
    files.config.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    files.identity.write_text(identity, encoding="utf-8")
    if not files.memory.exists():
        files.memory.write_text("", encoding="utf-8")
    if not files.history.exists():
        files.history.write_text("# History\n\n", encoding="utf-8")
