"""Sandbox views for the API: the engine's live state beside what the database wants, in one request session."""

from __future__ import annotations

import asyncio
from typing import Literal

from sqlmodel import Session, col, select

from controlplane.db import in_worker
from controlplane.errors import NotFound
from controlplane.models import SandboxRecord, User, utcnow
from controlplane.models.base import DesiredState
from controlplane.sandbox.backend import SandboxStatus, SandboxUser
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.users import sandbox_user
from controlplane.schemas.sandboxes import SandboxAdminView, SandboxView

Action = Literal["start", "stop", "restart"]


def _view(user: SandboxUser, current: SandboxStatus, record: SandboxRecord | None) -> SandboxView:
    uptime = (utcnow() - current.started_at).total_seconds() if current.started_at else None
    return SandboxView(
        user_id=user.id,
        username=user.username,
        state=current.state,
        desired_state=DesiredState(record.desired_state) if record else DesiredState.STOPPED,
        started_at=current.started_at,
        uptime_seconds=uptime,
        restarts=record.restarts if record else 0,
    )


def _record(session: Session, user_id: int) -> SandboxRecord | None:
    session.expire_all()  # the manager writes through its own sessions
    return session.get(SandboxRecord, user_id)


async def view(session: Session, manager: SandboxManager, user: SandboxUser) -> SandboxView:
    current = await manager.status(user)
    return _view(user, current, await in_worker(session, lambda s: _record(s, user.id)))


async def control(session: Session, manager: SandboxManager, user: SandboxUser, action: Action) -> SandboxView:
    if action == "start":
        await manager.ensure_ready(user)
    elif action == "stop":
        await manager.stop(user)
    else:
        await manager.restart(user)
    return await view(session, manager, user)


def _accounts(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())


async def admin_views(session: Session, manager: SandboxManager) -> list[SandboxAdminView]:
    """Every user's sandbox with its state, uptime and resource use."""
    views = []
    for account in await in_worker(session, _accounts):
        user = sandbox_user(account)
        base = await view(session, manager, user)
        usage = await asyncio.to_thread(manager.backend.usage, user.username)
        views.append(
            SandboxAdminView(
                **base.model_dump(),
                memory_bytes=usage.memory_bytes if usage else None,
                memory_limit_bytes=usage.memory_limit_bytes if usage else None,
                cpu_percent=usage.cpu_percent if usage else None,
            )
        )
    return views


def _account(session: Session, user_id: int) -> SandboxUser:
    account = session.get(User, user_id)
    if account is None:
        raise NotFound("User")
    return sandbox_user(account)


async def admin_control(session: Session, manager: SandboxManager, user_id: int, action: Action) -> SandboxView:
    user = await in_worker(session, lambda s: _account(s, user_id))
    return await control(session, manager, user, action)
