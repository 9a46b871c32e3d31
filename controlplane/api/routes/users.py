"""Account administration (admins only)."""

from __future__ import annotations

import asyncio
from typing import cast

from fastapi import APIRouter, Request, Response, status

from controlplane.api.deps import AdminUser, OpenSocketsDep, OptionalManagerDep, SessionDep, SettingsDep, client_ip
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.models import User
from controlplane.models.users import Role
from controlplane.schemas.users import UserAdminView, UserCreate, UserUpdate
from controlplane.services.users import account, accounts, agent_counts, create_user, remove_account, update_user

router = APIRouter(prefix="/users", tags=["users"])
CONFLICT: Responses = {409: {"description": "The change conflicts with existing state"}}


def _view(user: User, agent_count: int) -> UserAdminView:
    return UserAdminView(
        id=user.id or 0,
        username=user.username,
        display_name=user.display_name,
        role=cast(Role, user.role),  # the table's CHECK admits only the Role values; pydantic checks it again
        created_at=user.created_at,
        agent_count=agent_count,
    )


@router.get("", response_model=list[UserAdminView])
def list_users(session: SessionDep, _admin: AdminUser) -> list[UserAdminView]:
    counts = agent_counts(session)
    return [_view(user, counts.get(user.id or 0, 0)) for user in accounts(session)]


@router.post("", response_model=UserAdminView, status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create(
    body: UserCreate, request: Request, session: SessionDep, settings: SettingsDep, admin: AdminUser
) -> UserAdminView:
    """Create an account and its directory; the user can sign in at once."""
    user = create_user(
        session,
        settings,
        body.username,
        body.password,
        body.role,
        admin,
        client_ip(request),
        display_name=body.display_name,
    )
    return _view(user, 0)


@router.patch("/{user_id}", response_model=UserAdminView, responses=CONFLICT)
def update(
    user_id: Id,
    body: UserUpdate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sockets: OpenSocketsDep,
    admin: AdminUser,
) -> UserAdminView:
    """Reset a password (ends the user's sessions), change the role and/or the display name. The user's open
    WebSockets close (4401) on a new password or role."""
    user = update_user(
        session,
        account(session, user_id),
        settings=settings,
        actor=admin,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        ip=client_ip(request),
    )
    sockets.close_ended(user_id)
    return _view(user, agent_counts(session).get(user.id or 0, 0))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT)
async def delete(
    user_id: Id,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    manager: OptionalManagerDep,
    sockets: OpenSocketsDep,
    admin: AdminUser,
) -> Response:
    """Delete the account: its sandbox container first, then its rows and its directory; its WebSockets close."""
    await remove_account(session, settings, manager, user_id, admin, client_ip(request))
    await asyncio.to_thread(sockets.close_ended, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
