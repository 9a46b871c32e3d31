"""What can go wrong when the manager asks its LLM, as types the loop can tell apart."""

from __future__ import annotations


class ManagerError(Exception):
    """The manager LLM could not give a usable answer; the message says why."""


class ProviderError(ManagerError):
    """The model provider refused or failed the request (bad key, quota, outage); carries its own message."""


class MalformedReplyError(ManagerError):
    """The model answered, twice, with something that is not the required shape."""


class ReplyFormatError(ValueError):
    """One reply is not the required shape; the manager asks once more, quoting this message."""
