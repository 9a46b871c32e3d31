"""The audit trail: one row per security-relevant event (logins, accounts, keys)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from controlplane.models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    target_name: str | None = None,
    ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an event to the session; it is committed with the change it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_name=target_name,
        ip=ip,
        details=details,
    )
    session.add(event)
    return event


def on_user(
    session: Session, action: str, user: User, *, actor: User | None, ip: str | None, **details: Any
) -> AuditEvent:
    """An event whose target is an account (created, changed, signed in or out, deleted)."""
    return record(
        session,
        action,
        actor=actor,
        target_type="user",
        target_id=user.id,
        target_name=user.username,
        ip=ip,
        **details,
    )


def events(session: Session, limit: int, before_id: int | None = None) -> list[AuditEvent]:
    """Newest first; `before_id` pages backwards."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(AuditEvent.id) < before_id)
    return list(session.exec(query).all())
