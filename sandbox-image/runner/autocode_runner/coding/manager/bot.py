"""nanobot, set up as the manager: one conversation, no tools, and our system prompt instead of nanobot's.

nanobot is only in the sandbox's venv, so it is imported inside functions: the host can still import this
package for the data model. nanobot's pitfalls handled here:
- it logs DEBUG to stderr through loguru: lowered to warnings;
- it counts tokens with tiktoken, which downloads its tokenizer (no timeout) unless TIKTOKEN_CACHE_DIR points at
  the copy the image seeds: set here when a caller's environment lost it;
- `set_config_path` is process-wide (it decides nanobot's data directory): one manager per process, which holds
  because every project's loop runs in its own subprocess;
- its system prompt is a general assistant's (tool manuals, skills, workspace layout) built from AGENTS.md/SOUL.md;
  there is no IDENTITY.md, so the prompt builder is replaced by one that reads ours;
- the tools it always registers (message, spawn, sessions, goals...) push into queues nothing reads in library
  use: all are unregistered, the manager only talks;
- `$name` anywhere in a message (a shell variable on a screen) pulls skill `name`'s manual into the turn: the
  manager's skills are all disabled;
- LLM failures do not raise: the run ends with stop_reason "error" and the provider's body as text. A hook
  keeps the failed response (its status code and error kind), so nanobot's own classification tells a provider
  that is down for now (`ProviderUnavailable`) from one that refuses (`ProviderError`).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager.config import ManagerFiles
from autocode_runner.coding.manager.errors import ManagerError, ProviderError, ProviderUnavailable
from autocode_runner.coding.manager.prompts import system_prompt

SESSION_KEY = "autocode:manager"
LOG_LEVEL = "WARNING"
IMAGE_TIKTOKEN_CACHE = Path("/opt/autocode/tiktoken")  # seeded at build time (see sandbox-image/README.md)
_logs_quieted = False


def quiet_nanobot_logs() -> None:
    """Replace loguru's default DEBUG handler with a WARNING one (once per process)."""
    global _logs_quieted
    if _logs_quieted:
        return
    from loguru import logger  # type: ignore[import-not-found]  # only in the sandbox's venv

    with contextlib.suppress(ValueError):
        logger.remove(0)  # the default handler; leave any handler somebody added on purpose
    logger.add(sys.stderr, level=LOG_LEVEL)
    _logs_quieted = True


def provider_message(error: str) -> str:
    """The provider's own words from nanobot's error text ("Error: {'message': ..., 'code': ...}")."""
    text = error.strip()
    body = text.removeprefix("Error:").strip()
    data: Any = None
    for parse in (json.loads, ast.literal_eval):
        try:
            data = parse(body)
            break
        except (ValueError, SyntaxError):
            continue
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        data = data["error"]  # {"error": {...}} (OpenAI's full body) or Anthropic's {"type": "error", "error": {...}}
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        code = data.get("code") or data.get("type")
        return f"{data['message']} ({code})" if code else data["message"]
    return text or "the provider failed without a message"


def failure_kind(response: Any) -> str:
    """What kind of failure nanobot's failed `LLMResponse` was, in a few plain words."""
    kind = (getattr(response, "error_kind", None) or "").lower()
    status = getattr(response, "error_status_code", None)
    if kind == "connection":
        return "could not be reached"
    if kind == "timeout":
        return "did not answer in time"
    if status == 429 or kind == "rate_limit":
        return "is limiting requests (HTTP 429)"
    if isinstance(status, int) and status >= 500:
        return f"had a server error (HTTP {status})"
    if isinstance(status, int):
        return f"refused the request (HTTP {status})"
    return "failed"


def provider_failure(response: Any, text: str) -> ProviderError:
    """The failed run as an error the loop can act on: transient (try again later) or not (the user fixes it).

    nanobot classifies the response itself (`LLMProvider.is_transient_response`: connection, timeout, 5xx,
    408/409, a retryable 429); quota and billing errors are never transient, however they are sent.
    """
    from nanobot.providers.base import LLMProvider  # type: ignore[import-not-found]  # only in the sandbox's venv

    words = provider_message(text).removeprefix("Error calling LLM:").strip().rstrip(".")
    if response is None:
        return ProviderError(f"failed: {words}")
    message = f"{failure_kind(response)}: {words}"
    if LLMProvider.is_transient_response(response) and not LLMProvider.is_arrearage_response(response):
        return ProviderUnavailable(message)
    return ProviderError(message)


def failed_response_keeper() -> Any:
    """A nanobot hook that keeps the last failed LLM response of a run (nanobot returns only its text)."""
    from nanobot.agent.hook import AgentHook  # type: ignore[import-not-found]  # only in the sandbox's venv

    class FailedResponseKeeper(AgentHook):  # type: ignore[misc]  # nanobot is untyped here: Any
        def __init__(self) -> None:
            super().__init__()
            self.response: Any = None

        async def after_iteration(self, context: Any) -> None:
            response = context.response
            if response is not None and getattr(response, "finish_reason", None) == "error":
                self.response = response

    return FailedResponseKeeper()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _use_manager_prompt(context: Any, files: ManagerFiles) -> None:
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
            return system_prompt(_read(files.identity), _read(files.memory), archived)

    context.__class__ = ManagerPromptBuilder
    # `$name` in a message (a shell variable on Claude Code's screen, say) would pull a nanobot skill's manual
    # into the turn: the manager has no skills.
    skills = context.skills
    skills.disabled_skills = {entry["name"] for entry in skills.list_skills(filter_unavailable=False)}


def build_nanobot(files: ManagerFiles, provider: str, api_key: str) -> Any:
    """A `nanobot.Nanobot` from the manager's config.json, with the key filled in from memory."""
    quiet_nanobot_logs()
    if "TIKTOKEN_CACHE_DIR" not in os.environ and IMAGE_TIKTOKEN_CACHE.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(IMAGE_TIKTOKEN_CACHE)
    from nanobot import Nanobot  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.agent.loop import AgentLoop  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.agent.tools.registry import ToolRegistry  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.config.loader import load_config, resolve_config_env_vars, set_config_path  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.session.manager import SessionManager  # type: ignore[import-not-found]  # only in the sandbox's venv

    set_config_path(files.config)  # nanobot's data directory (usage records and such) becomes .nanobot/
    config = load_config(files.config)
    getattr(config.providers, provider).api_key = api_key
    config = resolve_config_env_vars(config, config_path=files.config)
    loop = AgentLoop.from_config(
        config,
        tool_registry=ToolRegistry(),
        session_manager=SessionManager(config.workspace_path, sessions_root=files.sessions),
    )
    for name in list(loop.tools.tool_names):
        loop.tools.unregister(name)
    _use_manager_prompt(loop.context, files)
    return Nanobot(loop, config=config)


class ManagerBot:
    """One nanobot conversation: `ask` sends a message and returns the model's reply text."""

    def __init__(self, files: ManagerFiles, provider: str, api_key: str) -> None:
        self._files = files
        self._provider = provider
        self._api_key = api_key
        self._bot: Any = None

    async def ask(self, message: str) -> str:
        if self._bot is None:
            self._bot = build_nanobot(self._files, self._provider, self._api_key)
        keeper = failed_response_keeper()
        try:
            result = await self._bot.run(message, session_key=SESSION_KEY, hooks=[keeper])
        except Exception as exc:  # nanobot's own failures (config, storage), not the provider's
            raise ManagerError(f"nanobot failed: {type(exc).__name__}: {exc}") from exc
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
