"""The audit trail, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from controlplane.api.deps import AdminUser, SessionDep
from controlplane.models import AuditEvent

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
    before_id: Annotated[int | None, Query(ge=1, description="Page backwards from this id")] = None,
) -> list[AuditEvent]:
    """Newest first."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(AuditEvent.id) < before_id)
    return list(session.exec(query).all())
