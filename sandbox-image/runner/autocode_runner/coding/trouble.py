"""A model provider's trouble in plain words: the problem the loop reports, and the log line that goes with it.

The loop decides when to retry and when to wait for the user (loop.py); this module only says it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autocode_runner.contract.problems import ProviderProblem
from autocode_runner.contract.providers import provider_name
from autocode_runner.contract.vocab import ProviderProblemState

CLAUDE_PROVIDER = "anthropic"  # Claude Code speaks to Anthropic's API (or the base URL set with the key)
MANAGER_WORDS = "the model that plans"


def manager_provider(model: str) -> str:
    """The provider's id of a manager model written as `provider/model` ("openai/gpt-4o" -> "openai")."""
    provider, _, _ = model.partition("/")
    return provider or model


def retrying(provider: str, reason: str, delay: float, attempt: int, attempts: int) -> tuple[ProviderProblem, str]:
    """The problem while waiting `delay` seconds before attempt `attempt` of `attempts`, and its log line."""
    at = datetime.now(UTC) + timedelta(seconds=delay)
    name = provider_name(provider)
    problem = ProviderProblem(
        state=ProviderProblemState.RETRYING,
        provider=name,
        message=reason,
        retry_at=at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        attempt=attempt,
        attempts=attempts,
    )
    line = f"{name} {reason}. Retrying at {at:%H:%M:%S} UTC, attempt {attempt} of {attempts}"
    return problem, line


def failed(provider: str, reason: str, advice: str) -> tuple[ProviderProblem, str]:
    """The problem once the loop stopped trying by itself, and its log line (what to check, then Retry)."""
    name = provider_name(provider)
    problem = ProviderProblem(state=ProviderProblemState.FAILED, provider=name, message=reason)
    return problem, f"{name} {reason}. {advice}"


def key_advice(provider: str) -> str:
    return f"Check your {provider_name(provider)} key and its address in Settings, then press Retry."
