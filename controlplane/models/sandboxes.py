"""What the control plane wants of each user's sandbox, and what it last saw."""

from __future__ import annotations

from datetime import datetime

from autocode_runner.contract.vocab import values
from sqlmodel import Field, SQLModel

from controlplane.models.base import DesiredState, created_at_field, one_of, timestamp_field
from controlplane.sandbox.backend import SandboxState


class SandboxRecord(SQLModel, table=True):
    """desired_state survives restarts: the reconciler restarts a sandbox that should run but died."""

    __tablename__ = "sandboxes"
    __table_args__ = (
        one_of("desired_state", values(DesiredState), "ck_sandboxes_desired_state"),
        one_of("observed_state", values(SandboxState), "ck_sandboxes_observed_state"),
    )

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16)
    observed_state: str = Field(default=SandboxState.MISSING.value, max_length=16)
    container_id: str | None = Field(default=None, max_length=80)
    last_active_at: datetime | None = timestamp_field()
    restarts: int = 0
    updated_at: datetime = created_at_field()
