"""The signed-in user's sandbox, and (for admins) everybody's."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal, cast

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import Session, col, select

from controlplane.api.deps import AdminUser, ManagerDep, SandboxUserDep
from controlplane.api.errors import Responses
from controlplane.errors import NotFound
from controlplane.models import SandboxRecord, User, utcnow
from controlplane.sandbox.backend import SandboxStatus, SandboxUser
from controlplane.sandbox.manager import SandboxManager

router = APIRouter(tags=["sandbox"])
UNAVAILABLE: Responses = {503: {"description": "Sandboxes are disabled or the container engine is unreachable"}}

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


def _record(manager: SandboxManager, user_id: int) -> SandboxRecord | None:
    with Session(manager.engine) as session:
        return session.get(SandboxRecord, user_id)


def _view(user: SandboxUser, current: SandboxStatus, record: SandboxRecord | None) -> SandboxView:
    uptime = (utcnow() - current.started_at).total_seconds() if current.started_at else None
    return SandboxView(
        user_id=user.id,
        username=user.username,
        state=current.state.value,
        # the table's CHECK admits only the DesiredState values; pydantic checks it again
        desired_state=cast(DesiredState, record.desired_state) if record else "stopped",
        started_at=current.started_at,
        uptime_seconds=uptime,
        restarts=record.restarts if record else 0,
    )


async def _current_view(manager: SandboxManager, user: SandboxUser) -> SandboxView:
    current = await manager.status(user)
    return _view(user, current, await asyncio.to_thread(_record, manager, user.id))


def _me(user: User) -> SandboxUser:
    return SandboxUser(user.id or 0, user.username)


@router.get("/sandbox", response_model=SandboxView, responses=UNAVAILABLE)
async def get_sandbox(manager: ManagerDep, me: SandboxUserDep) -> SandboxView:
    return await _current_view(manager, me)


@router.post("/sandbox/start", response_model=SandboxView, responses=UNAVAILABLE)
async def start_sandbox(manager: ManagerDep, me: SandboxUserDep) -> SandboxView:
    """Start the sandbox (if needed) and wait until its runner answers."""
    await manager.ensure_ready(me)
    return await _current_view(manager, me)


@router.post("/sandbox/stop", response_model=SandboxView, responses=UNAVAILABLE)
async def stop_sandbox(manager: ManagerDep, me: SandboxUserDep) -> SandboxView:
    """Stop the sandbox; files stay, running terminals and agents end."""
    await manager.stop(me)
    return await _current_view(manager, me)


def _all_users(manager: SandboxManager) -> list[User]:
    with Session(manager.engine) as session:
        return list(session.exec(select(User).order_by(col(User.username))).all())


@router.get("/admin/sandboxes", response_model=list[SandboxAdminView], responses=UNAVAILABLE)
async def list_sandboxes(manager: ManagerDep, _admin: AdminUser) -> list[SandboxAdminView]:
    """Every user's sandbox with its state, uptime and resource use."""
    views = []
    for account in await asyncio.to_thread(_all_users, manager):
        user = _me(account)
        base = await _current_view(manager, user)
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


def _user_or_404(manager: SandboxManager, user_id: int) -> SandboxUser:
    with Session(manager.engine) as session:
        account = session.get(User, user_id)
    if account is None:
        raise NotFound("User")
    return _me(account)


@router.post("/admin/sandboxes/{user_id}/{action}", response_model=SandboxView, responses=UNAVAILABLE)
async def control_sandbox(
    user_id: int, action: Literal["start", "stop", "restart"], manager: ManagerDep, _admin: AdminUser
) -> SandboxView:
    user = await asyncio.to_thread(_user_or_404, manager, user_id)
    if action == "start":
        await manager.ensure_ready(user)
    elif action == "stop":
        await manager.stop(user)
    else:
        await manager.restart(user)
    return await _current_view(manager, user)
