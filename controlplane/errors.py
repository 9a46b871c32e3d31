"""Domain errors: what the services refuse, in words a family member can act on, with no HTTP in them.

One exception handler (controlplane.api.errors) answers each with its status: NotFound 404, Conflict 409
(MissingKey among them), InvalidField 422 (in FastAPI's own shape, naming the field), Unavailable 503.
"""

from __future__ import annotations

SANDBOXES_DISABLED = "Sandboxes are disabled on this server"


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """No such thing of this user's; another user's id is answered the same way."""

    def __init__(self, label: str) -> None:
        super().__init__(f"{label} not found")


class Conflict(DomainError):
    """Not possible in the current state; the message says what to do first."""


class MissingKey(Conflict):
    """The user has no key for a provider this needs; the message says which and what for."""

    def __init__(self, provider: str, purpose: str) -> None:
        super().__init__(f"No API key for '{provider}' ({purpose}): add one in Settings, then try again")
        self.provider = provider


class Unavailable(DomainError):
    """A part the request needs (the sandboxes, a runner) is off or not answering."""


class InvalidField(DomainError):
    """A value that passed the schema but not a check needing the database or another field."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
