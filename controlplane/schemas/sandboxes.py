"""What the API shows of a sandbox: its state, what the control plane wants of it, and (for admins) its use."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

DesiredState = Literal["running", "stopped"]


class SandboxView(BaseModel):
    user_id: int
    username: str
    state: Literal["running", "stopped", "starting", "missing"]
    desired_state: DesiredState
    started_at: datetime | None
    uptime_seconds: float | None
    restarts: int


class SandboxAdminView(SandboxView):
    memory_bytes: int | None = None
    memory_limit_bytes: int | None = None
    cpu_percent: float | None = None
