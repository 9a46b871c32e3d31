"""What can go wrong when the manager asks its LLM, as types the loop can tell apart."""

from __future__ import annotations


class ManagerError(Exception):
    """The manager LLM could not give a usable answer; the message says why."""


class ProviderError(ManagerError):
    """The model provider refused the request and asking again will not help (a bad key, an unknown model, no
    quota or billing): the user has to fix something. Carries the provider's own message."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or failed for now (connection refused, a timeout, a 5xx, a retryable
    429), also after nanobot's own short retries: worth trying again later."""


class MalformedReplyError(ManagerError):
    """The model answered, twice, with something that is not the required shape."""


class ReplyFormatError(ValueError):
    """One reply is not the required shape; the manager asks once more, quoting this message."""
