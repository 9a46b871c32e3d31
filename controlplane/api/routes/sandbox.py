"""The signed-in user's sandbox, and (for admins) everybody's. The work is in controlplane.services.sandboxes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from controlplane.api.deps import AdminUser, ManagerDep, SandboxUserDep, SessionDep
from controlplane.api.ids import Id
from controlplane.schemas.sandboxes import SandboxAdminView, SandboxView
from controlplane.services import sandboxes

router = APIRouter(tags=["sandbox"])
# Who asks comes before the manager in every signature: FastAPI resolves dependencies in order, so a server without
# sandboxes still answers 401 to nobody and 403 to a non-admin, not 503 (tests/security/test_authorization_matrix.py).


@router.get("/sandbox", response_model=SandboxView)
async def get_sandbox(me: SandboxUserDep, session: SessionDep, manager: ManagerDep) -> SandboxView:
    return await sandboxes.view(session, manager, me)


@router.post("/sandbox/start", response_model=SandboxView)
async def start_sandbox(me: SandboxUserDep, session: SessionDep, manager: ManagerDep) -> SandboxView:
    """Start the sandbox (if needed) and wait until its runner answers."""
    return await sandboxes.control(session, manager, me, "start")


@router.post("/sandbox/stop", response_model=SandboxView)
async def stop_sandbox(me: SandboxUserDep, session: SessionDep, manager: ManagerDep) -> SandboxView:
    """Stop the sandbox; files stay, running terminals and agents end."""
    return await sandboxes.control(session, manager, me, "stop")


@router.get("/admin/sandboxes", response_model=list[SandboxAdminView])
async def list_sandboxes(_admin: AdminUser, session: SessionDep, manager: ManagerDep) -> list[SandboxAdminView]:
    """Every user's sandbox with its state, uptime and resource use."""
    return await sandboxes.admin_views(session, manager)


@router.post("/admin/sandboxes/{user_id}/{action}", response_model=SandboxView)
async def control_sandbox(
    user_id: Id,
    action: Literal["start", "stop", "restart"],
    _admin: AdminUser,
    session: SessionDep,
    manager: ManagerDep,
) -> SandboxView:
    return await sandboxes.admin_control(session, manager, user_id, action)
