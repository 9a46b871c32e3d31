"""nanobot, set up as the manager: one conversation, the tools its agent enables (manager/tools.py, each use
recorded), and our system prompt instead of nanobot's.

nanobot's general pitfalls (logs, tokenizer, stray tools, skills, failures that do not raise) are handled once in
autocode_runner.nanobot_support. Here: its system prompt is a general assistant's (tool manuals, skills,
workspace layout) built from AGENTS.md/SOUL.md; there is no IDENTITY.md, so the prompt builder is replaced by one
that reads ours. A failed run becomes `ProviderUnavailable` (down for now) or `ProviderError` (refusing).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager.config import ManagerFiles
from autocode_runner.coding.manager.errors import ManagerError, ProviderError, ProviderUnavailable
from autocode_runner.coding.manager.prompts import system_prompt, tools_note
from autocode_runner.coding.manager.tools import ToolUse, nanobot_tools, recorder
from autocode_runner.nanobot_support import agent_loop, describe_failure, failed_response_keeper

SESSION_KEY = "autocode:manager"


def provider_failure(response: Any, text: str) -> ProviderError:
    """The failed run as an error the loop can act on: transient (try again later) or not (the user fixes it)."""
    message, transient = describe_failure(response, text)
    return ProviderUnavailable(message) if transient else ProviderError(message)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _use_manager_prompt(context: Any, files: ManagerFiles, tools: Sequence[str]) -> None:
    """Make nanobot's prompt builder produce the manager's system prompt, everywhere it is used.

    The builder instance is shared by the agent loop and its consolidator (which holds a bound method), so its
    class is swapped in place rather than the object replaced. IDENTITY.md and MEMORY.md are read on every
    turn: updating them updates the next prompt.
    """
    from nanobot.agent.context import ContextBuilder  # type: ignore[import-not-found]  # only in the sandbox's venv

    class ManagerPromptBuilder(ContextBuilder):  # type: ignore[misc]  # nanobot is untyped here: Any
        def build_system_prompt(self, *, session_summary: Any = None, **_ignored: Any) -> str:
            archived = ""
            if session_summary and session_summary.get("text") not in (None, "(nothing)"):
                archived = session_summary["text"]
            return system_prompt(_read(files.identity) + tools_note(tools), _read(files.memory), archived)

    context.__class__ = ManagerPromptBuilder


def build_nanobot(files: ManagerFiles, provider: str, api_key: str, tools: Sequence[str], workspace: Path) -> Any:
    """A `nanobot.Nanobot` from the manager's config.json, with the key filled in from memory and only `tools`."""
    from nanobot import Nanobot  # type: ignore[import-not-found]  # only in the sandbox's venv

    loop, config = agent_loop(files.config, provider, api_key, files.sessions)
    for tool in nanobot_tools(config, tools, workspace):
        loop.tools.register(tool)
    _use_manager_prompt(loop.context, files, tools)
    return Nanobot(loop, config=config)


class ManagerBot:
    """One nanobot conversation: `ask` sends a message and returns the model's reply text."""

    def __init__(
        self, files: ManagerFiles, provider: str, api_key: str, tools: Sequence[str] = (), workspace: Path | None = None
    ) -> None:
        self._files = files
        self._provider = provider
        self._api_key = api_key
        self._tools = list(tools)
        self._workspace = workspace or files.root.parent
        self._bot: Any = None
        self.tool_uses: list[ToolUse] = []  # every tool the model ran, in order (drained by ManagerLLM)

    async def ask(self, message: str) -> str:
        if self._bot is None:
            self._bot = build_nanobot(self._files, self._provider, self._api_key, self._tools, self._workspace)
        keeper = failed_response_keeper()
        uses = recorder()
        try:
            result = await self._bot.run(message, session_key=SESSION_KEY, hooks=[keeper, uses])
        except Exception as exc:  # nanobot's own failures (config, storage), not the provider's
            raise ManagerError(f"nanobot failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self.tool_uses.extend(uses.uses)
        if result.stop_reason == "error":
            raise provider_failure(keeper.response, result.error or result.content)
        if result.stop_reason == "cancelled":
            raise ManagerError("the manager's turn was cancelled")
        if result.stop_reason == "empty_final_response":
            return ""
        content: str = result.content
        return content

    async def aclose(self) -> None:
        if self._bot is not None:
            bot, self._bot = self._bot, None
            await bot.aclose()
