"""Account administration (admins only)."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlmodel import col, select

from controlplane.api.deps import AdminUser, SessionDep, SettingsDep, client_ip
from controlplane.api.errors import Responses
from controlplane.models import User
from controlplane.sandbox.backend import EngineUnavailable, SandboxError
from controlplane.schemas.users import Role, UserAdminView, UserCreate, UserUpdate
from controlplane.services.userdirs import UserHomeExists
from controlplane.services.users import (
    UserConflict,
    agent_counts,
    check_deletable,
    create_user,
    delete_user,
    update_user,
)

router = APIRouter(prefix="/users", tags=["users"])
CONFLICT: Responses = {409: {"description": "The change conflicts with existing state"}}


def _view(user: User, agent_count: int) -> UserAdminView:
    return UserAdminView(
        id=user.id or 0,
        username=user.username,
        role=cast(Role, user.role),  # the table's CHECK admits only the Role values; pydantic checks it again
        created_at=user.created_at,
        agent_count=agent_count,
    )


def _user_or_404(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user


@router.get("", response_model=list[UserAdminView])
def list_users(session: SessionDep, _admin: AdminUser) -> list[UserAdminView]:
    counts = agent_counts(session)
    users = session.exec(select(User).order_by(col(User.username))).all()
    return [_view(user, counts.get(user.id or 0, 0)) for user in users]


@router.post("", response_model=UserAdminView, status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create(
    body: UserCreate, request: Request, session: SessionDep, settings: SettingsDep, admin: AdminUser
) -> UserAdminView:
    """Create an account and its directory; the user can sign in at once."""
    try:
        user = create_user(session, settings, body.username, body.password, body.role, admin, client_ip(request))
    except UserConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except UserHomeExists as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"A directory for '{body.username}' already exists on the server ({exc}); "
            "move or remove it, or choose another username",
        ) from exc
    return _view(user, 0)


@router.patch("/{user_id}", response_model=UserAdminView, responses=CONFLICT)
def update(
    user_id: int,
    body: UserUpdate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    admin: AdminUser,
) -> UserAdminView:
    """Reset a password (ends the user's sessions) and/or change the role."""
    user = _user_or_404(session, user_id)
    try:
        user = update_user(
            session,
            user,
            settings=settings,
            actor=admin,
            password=body.password,
            role=body.role,
            ip=client_ip(request),
        )
    except UserConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _view(user, agent_counts(session).get(user.id or 0, 0))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT)
async def delete(
    user_id: int, request: Request, session: SessionDep, settings: SettingsDep, admin: AdminUser
) -> Response:
    """Delete the account: its sandbox container first, then its rows and its directory."""
    user = _user_or_404(session, user_id)
    try:
        check_deletable(session, user, admin)
    except UserConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    manager = request.app.state.sandboxes
    if manager is not None:
        try:
            await manager.remove(user.username)
        except (EngineUnavailable, SandboxError) as exc:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"The user's sandbox could not be removed ({exc}); nothing was deleted",
            ) from exc
    await run_in_threadpool(delete_user, session, settings, user, admin, client_ip(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
