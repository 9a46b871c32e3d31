"""FastAPI dependencies: settings, database session, the signed-in user and their sandbox identity, and the
application's long-lived parts (sandbox manager, instance supervisor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.requests import HTTPConnection

from controlplane.config import Settings
from controlplane.errors import SANDBOXES_DISABLED, Unavailable
from controlplane.models import User
from controlplane.realtime.open_sockets import OpenSockets
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.users import sandbox_user
from controlplane.security.secretbox import SecretBox
from controlplane.security.tokens import InvalidToken, decode_access_token
from controlplane.services.auth import sign_in_is_live


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # set by main.create_app; starlette's State is untyped
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box  # set by main.create_app; starlette's State is untyped
    return box


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
_bearer = HTTPBearer(auto_error=False, description="The access token from /api/auth/login")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise _unauthorized("Not signed in: send 'Authorization: Bearer <access token>'")
    try:
        claims = decode_access_token(credentials.credentials, settings.signing_key)
    except InvalidToken as exc:
        raise _unauthorized("Invalid or expired access token; refresh it or sign in again") from exc
    user = session.get(User, claims.user_id)
    if user is None:
        raise _unauthorized("This account no longer exists")
    if not sign_in_is_live(session, claims.user_id, claims.session_id):
        raise _unauthorized("This sign-in has ended (signed out, or the password changed): sign in again")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_sign_in(
    _user: CurrentUser,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The sign-in (refresh-token family) of the request's access token, once get_current_user has checked it."""
    if credentials is None:  # get_current_user has refused such a request already
        raise _unauthorized("Not signed in: send 'Authorization: Bearer <access token>'")
    return decode_access_token(credentials.credentials, settings.signing_key).session_id


CurrentSignIn = Annotated[str, Depends(get_sign_in)]


def get_open_sockets(connection: HTTPConnection) -> OpenSockets:
    """The open WebSockets by sign-in: a route that ends sign-ins closes theirs with `close_ended(user_id)`."""
    sockets: OpenSockets = connection.app.state.open_sockets  # set by main.create_app
    return sockets


OpenSocketsDep = Annotated[OpenSockets, Depends(get_open_sockets)]


def get_admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins may do this")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_sandbox_user(user: CurrentUser) -> SandboxUser:
    return sandbox_user(user)


SandboxUserDep = Annotated[SandboxUser, Depends(get_sandbox_user)]


def get_optional_manager(connection: HTTPConnection) -> SandboxManager | None:
    """None when the server runs without sandboxes (a request or a WebSocket)."""
    manager: SandboxManager | None = connection.app.state.sandboxes
    return manager


def get_manager(request: Request) -> SandboxManager:
    manager = get_optional_manager(request)
    if manager is None:
        raise Unavailable(SANDBOXES_DISABLED)
    return manager


def get_optional_supervisor(request: Request) -> InstanceSupervisor | None:
    """None when the server runs without sandboxes (rows can still be edited and deleted)."""
    supervisor: InstanceSupervisor | None = request.app.state.supervisor
    return supervisor


ManagerDep = Annotated[SandboxManager, Depends(get_manager)]
OptionalManagerDep = Annotated[SandboxManager | None, Depends(get_optional_manager)]
OptionalSupervisorDep = Annotated[InstanceSupervisor | None, Depends(get_optional_supervisor)]
