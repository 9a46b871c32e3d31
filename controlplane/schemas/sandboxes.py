"""What the API shows of a sandbox: its state, what the control plane wants of it, and (for admins) its use."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from controlplane.models.base import DesiredState
from controlplane.sandbox.backend import SandboxState


class SandboxView(BaseModel):
    user_id: int
    username: str
    state: SandboxState
    desired_state: DesiredState
    started_at: datetime | None
    uptime_seconds: float | None
    restarts: int


class SandboxAdminView(SandboxView):
    memory_bytes: int | None = None
    memory_limit_bytes: int | None = None
    cpu_percent: float | None = None
