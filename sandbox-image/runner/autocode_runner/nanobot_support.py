"""What every use of nanobot in the sandbox needs (the coding manager, the tutor, custom agents next): quiet
logs, the seeded tokenizer, a provider's config entry with the key kept out of files, an agent loop with only the
tools we give it, and nanobot's failed responses told apart (down for now, or refusing).

nanobot is only in the sandbox's venv, so it is imported inside functions: the host can still import this
package for the data model. nanobot's pitfalls handled here (shared/notes/nanobot.md):
- it logs DEBUG to stderr through loguru: lowered to warnings;
- it counts tokens with tiktoken, which downloads its tokenizer (no timeout) unless TIKTOKEN_CACHE_DIR points at
  the copy the image seeds;
- `set_config_path` is process-wide (it decides nanobot's data directory): one bot per process, which holds
  because every instance runs in its own subprocess;
- the tools it always registers (message, spawn, sessions, goals...) push into queues nothing reads in library
  use: all are unregistered, and only the tools the caller names are registered again;
- `$name` anywhere in a message pulls skill `name`'s manual into the turn: every skill is disabled;
- LLM failures do not raise: the run ends with stop_reason "error" and the provider's body as text; a hook keeps
  the failed response, so nanobot's own classification tells transient failures from refusals.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from autocode_runner.contract.providers import PROVIDERS

LOG_LEVEL = "WARNING"
IMAGE_TIKTOKEN_CACHE = Path("/opt/autocode/tiktoken")  # seeded at build time (see sandbox-image/README.md)
API_KEY_PLACEHOLDER = "${AUTOCODE_MODEL_API_KEY}"  # what a config file says instead of the key
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


def prepare_process() -> None:
    """Quiet logs and the seeded tokenizer, before nanobot is first used in this process."""
    quiet_nanobot_logs()
    if "TIKTOKEN_CACHE_DIR" not in os.environ and IMAGE_TIKTOKEN_CACHE.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(IMAGE_TIKTOKEN_CACHE)


def split_model(model: str) -> tuple[str, str]:
    """`openai/gpt-4o` -> ("openai", "gpt-4o"); the provider is always explicit, never guessed."""
    provider, _, name = model.partition("/")
    if provider not in PROVIDERS or not name:
        raise ValueError(f"a model must look like 'openai/<model>' or 'anthropic/<model>', got {model!r}")
    return provider, name


def provider_entry(provider: str, base_url: str | None) -> dict[str, Any]:
    """A provider's entry in nanobot's config.json: the key is a placeholder, filled in from memory after loading,
    so it never lands in a file the agent (or Claude Code) can read."""
    entry: dict[str, Any] = {"apiKey": API_KEY_PLACEHOLDER}
    if base_url:
        entry["apiBase"] = base_url
    if provider == "openai" and base_url:
        # Another endpoint (a proxy, a self-hosted server, the tests' scripted server) speaks Chat Completions.
        # On api.openai.com nanobot picks the API itself: GPT-5/codex models there need the Responses API.
        entry["apiType"] = "chat_completions"
    return entry


def agent_loop(
    config_path: Path, provider: str, api_key: str, sessions: Path, tools: Iterable[Any] = ()
) -> tuple[Any, Any]:
    """nanobot's `AgentLoop` (and its loaded config) from a config.json, its key filled in, with exactly `tools`
    (nanobot `Tool`s) and no skills."""
    prepare_process()
    from nanobot.agent.loop import AgentLoop  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.agent.tools.registry import ToolRegistry  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.config.loader import load_config, resolve_config_env_vars, set_config_path  # type: ignore[import-not-found]  # only in the sandbox's venv
    from nanobot.session.manager import SessionManager  # type: ignore[import-not-found]  # only in the sandbox's venv

    set_config_path(config_path)  # nanobot's data directory (usage records and such) is the config's folder
    config = load_config(config_path)
    getattr(config.providers, provider).api_key = api_key
    config = resolve_config_env_vars(config, config_path=config_path)
    loop = AgentLoop.from_config(
        config,
        tool_registry=ToolRegistry(),
        session_manager=SessionManager(config.workspace_path, sessions_root=sessions),
    )
    for name in list(loop.tools.tool_names):
        loop.tools.unregister(name)
    for tool in tools:
        loop.tools.register(tool)
    skills = loop.context.skills
    skills.disabled_skills = {entry["name"] for entry in skills.list_skills(filter_unavailable=False)}
    return loop, config


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


def describe_failure(response: Any, text: str) -> tuple[str, bool]:
    """(what happened, in plain words; whether trying again later may succeed) for a failed run.

    nanobot classifies the response itself (`LLMProvider.is_transient_response`: connection, timeout, 5xx,
    408/409, a retryable 429); quota and billing errors are never transient, however they are sent.
    """
    from nanobot.providers.base import LLMProvider  # type: ignore[import-not-found]  # only in the sandbox's venv

    words = provider_message(text).removeprefix("Error calling LLM:").strip().rstrip(".")
    if response is None:
        return f"failed: {words}", False
    transient = LLMProvider.is_transient_response(response) and not LLMProvider.is_arrearage_response(response)
    return f"{failure_kind(response)}: {words}", bool(transient)


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
