"""The audit trail, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from controlplane.api.deps import AdminUser, SessionDep
from controlplane.api.ids import Id
from controlplane.models import AuditEvent
from controlplane.services import audit

router = APIRouter(tags=["audit"])


class AuditEventPublic(BaseModel):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    target_type: str | None
    target_id: int | None
    target_name: str | None
    ip: str | None
    details: dict[str, Any]


@router.get("/audit-events", response_model=list[AuditEventPublic])
def list_audit_events(
    session: SessionDep,
    _admin: AdminUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[Id | None, Query(description="Page backwards from this id")] = None,
) -> list[AuditEvent]:
    """Newest first."""
    return audit.events(session, limit, before_id)
