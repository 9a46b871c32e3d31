"""An account as its sandbox knows it: the id that makes its uid and the name that makes its container's."""

from __future__ import annotations

from controlplane.models import User
from controlplane.sandbox.backend import SandboxUser


def sandbox_user(account: User) -> SandboxUser:
    return SandboxUser(account.id or 0, account.username)
