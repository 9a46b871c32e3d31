"""A model provider's trouble in a coding project, as the instance reports it and the API shows it.

Not a question for the user: a provider that cannot be reached is retried by the loop ("retrying", with the
time of the next attempt), and one that refuses (a bad key, no quota) or stays unreachable waits for the user's
Retry ("failed"). Defined once here; the control plane's schemas use this class directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.vocab import ProviderProblemState

MAX_PROBLEM_MESSAGE = 2000


@dataclass(frozen=True)
class ProviderProblem:
    """What failed, in plain words, and what the loop does about it."""

    __pydantic_config__ = {"extra": "forbid"}  # read by name by pydantic: unknown fields are refused

    state: ProviderProblemState
    provider: str  # its name as a person reads it ("OpenAI"), see contract.providers.PROVIDER_NAMES
    message: str  # what went wrong, the provider's own words where it gave some
    retry_at: str = ""  # ISO-8601 UTC time of the next attempt while retrying; "" when failed
    attempt: int = 0  # the attempt that comes next while retrying (2 after the first failure)
    attempts: int = 0  # how many attempts the loop makes by itself before it waits for the user

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", ProviderProblemState(self.state))
        object.__setattr__(self, "message", self.message[:MAX_PROBLEM_MESSAGE])
        if self.attempt < 0 or self.attempts < 0:
            raise ContractError("attempt and attempts: must not be negative")

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: object) -> ProviderProblem:
        return from_dict(cls, data)

    @classmethod
    def from_stored(cls, data: object) -> ProviderProblem | None:
        """A stored or reported problem read forgivingly: anything unreadable counts as no problem."""
        try:
            return cls.from_dict(data)
        except (ContractError, ValueError, TypeError):
            return None
