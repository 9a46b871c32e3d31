"""The tools the manager may use, of those its agent enables: web search and fetch (current best practices) and
reading the project's files. Each use is recorded while nanobot runs (a hook) and travels back to the loop,
which writes it to the decision log.

nanobot's own tools are built as the chat kinds build theirs (autocode_runner.nanochat.backend): file reading
confined to the project's workspace, the web tools as configured. Web search asks SearXNG when
SEARXNG_BASE_URL is set in the sandbox's environment (nanobot reads it; a self-hosted search, or a test's
scripted one), and DuckDuckGo otherwise (nanobot's fallback, no key needed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANAGER_TOOLS = frozenset({"web_search", "web_fetch", "read_file"})
WEB_TOOLS = frozenset({"web_search", "web_fetch"})
SEARCH_PROVIDER = "searxng"  # with SEARXNG_BASE_URL unset nanobot falls back to DuckDuckGo
RESULT_CHARS = 300  # of a tool's answer kept for the log


def manager_tools(enabled: Iterable[str]) -> list[str]:
    """The agent's enabled tools that the manager uses (in a stable order)."""
    return sorted(set(enabled) & MANAGER_TOOLS)


@dataclass(frozen=True)
class ToolUse:
    name: str
    arguments: dict[str, Any]
    result: str  # the start of what the tool answered

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> ToolUse | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            return None
        arguments = raw.get("arguments")
        return cls(raw["name"], arguments if isinstance(arguments, dict) else {}, str(raw.get("result", "")))


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(use: ToolUse) -> str:
    """The decision log's line for a use: what the manager did, and the start of what it found."""
    args = use.arguments
    if use.name == "web_search":
        what = f"The manager searched the web for “{_one_line(str(args.get('query', '')), 120)}”"
    elif use.name == "web_fetch":
        what = f"The manager read the web page {_one_line(str(args.get('url', '')), 200)}"
    elif use.name == "read_file":
        what = f"The manager read the file {_one_line(str(args.get('path', '')), 200)}"
    else:
        what = f"The manager used {use.name} ({_one_line(json.dumps(args, ensure_ascii=False), 120)})"
    found = _one_line(use.result, RESULT_CHARS)
    return f"{what}: {found}" if found else what


def tools_config(tools: Iterable[str]) -> dict[str, Any]:
    """The `tools` part of the manager's nanobot config: only what it uses is enabled."""
    chosen = set(tools)
    return {
        "restrictToWorkspace": True,
        "exec": {"enable": False},
        "file": {"enable": "read_file" in chosen},
        "web": {"enable": bool(chosen & WEB_TOOLS), "search": {"provider": SEARCH_PROVIDER}},
        "my": {"enable": False},
        "cliApps": {"enable": False},
    }


def nanobot_tools(config: Any, tools: Iterable[str], workspace: Path) -> list[Any]:
    """nanobot's own tools for the names, file reading confined to the project's workspace."""
    from autocode_runner.nanochat.backend import _built_in
    from autocode_runner.nanochat.config import ChatConfig

    files = ChatConfig(root=workspace / ".nanobot", workspace=workspace)
    return [_built_in(config, name, files, ()) for name in manager_tools(tools)]


def recorder() -> Any:
    """A nanobot hook that records every tool the manager runs, with the start of its answer."""
    from nanobot.agent.hook import AgentHook  # type: ignore[import-not-found]  # only in the sandbox's venv

    class ToolUseRecorder(AgentHook):  # type: ignore[misc]  # nanobot is untyped here: Any
        def __init__(self) -> None:
            super().__init__()
            self.uses: list[ToolUse] = []

        async def after_execute_tool(self, context: Any, tool_call: Any, tool: Any, params: Any, result: Any) -> None:
            arguments = params if isinstance(params, dict) else getattr(tool_call, "arguments", {})
            text = result if isinstance(result, str) else str(getattr(result, "content", result))
            self.uses.append(ToolUse(str(tool_call.name), dict(arguments or {}), text[:2000]))

    return ToolUseRecorder()
