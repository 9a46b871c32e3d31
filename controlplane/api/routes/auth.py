"""Sign-in, token refresh and sign-out. The refresh token lives only in an HttpOnly cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from controlplane.api.deps import CurrentUser, OpenSocketsDep, SessionDep, SettingsDep, client_ip
from controlplane.config import Settings
from controlplane.schemas.auth import LoginRequest, PasswordChange, TokenResponse, UserPublic
from controlplane.services.auth import (
    InvalidCredentials,
    InvalidRefreshToken,
    IssuedTokens,
    LoginThrottled,
    authenticate,
    change_password,
    issue_tokens,
    rotate_refresh_token,
    sign_out,
)

router = APIRouter(prefix="/auth", tags=["auth"])
REFRESH_COOKIE = "autocode_refresh"
COOKIE_PATH = "/api/auth"
RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]


def _set_refresh_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        token,
        max_age=int(settings.refresh_token_ttl.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )


def _token_response(tokens: IssuedTokens, settings: Settings) -> JSONResponse:
    body = TokenResponse(access_token=tokens.access_token, expires_in=tokens.expires_in)
    response = JSONResponse(body.model_dump())
    _set_refresh_cookie(response, tokens.refresh_token, settings)
    return response


def _refusal(detail: str, settings: Settings, *, clear_cookie: bool = True) -> JSONResponse:
    response = JSONResponse({"detail": detail}, status_code=status.HTTP_401_UNAUTHORIZED)
    if clear_cookie:
        response.delete_cookie(
            REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, secure=settings.cookie_secure, samesite="strict"
        )
    return response


def _throttled(exc: LoginThrottled) -> HTTPException:
    """429 with the wait in minutes for people and in seconds (Retry-After) for programs."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, exc.message, headers={"Retry-After": str(exc.retry_after_seconds)}
    )


@router.post(
    "/login",
    response_model=TokenResponse,
    responses={401: {"description": "Wrong credentials"}, 429: {"description": "Too many failures"}},
)
def login(body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Sign in; the refresh token is set as an HttpOnly cookie scoped to /api/auth."""
    try:
        user = authenticate(session, settings, body.username, body.password, client_ip(request))
    except LoginThrottled as exc:
        raise _throttled(exc) from exc
    except InvalidCredentials as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong username or password") from exc
    return _token_response(issue_tokens(session, settings, user), settings)


@router.post("/refresh", response_model=TokenResponse, responses={401: {"description": "Sign in again"}})
def refresh(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sockets: OpenSocketsDep,
    refresh_cookie: RefreshCookie = None,
) -> JSONResponse:
    """Exchange the refresh cookie for a new access token and a new cookie (rotation)."""
    if not refresh_cookie:
        # Nothing to clear, and a slow answer must not delete the cookie a sign-in set while it was on its way.
        return _refusal("No refresh token; sign in again", settings, clear_cookie=False)
    try:
        tokens = rotate_refresh_token(session, settings, refresh_cookie, client_ip(request))
    except InvalidRefreshToken as exc:
        if exc.ended_sign_in_of is not None:  # a reused token revoked its sign-in: its sockets close too
            sockets.close_ended(exc.ended_sign_in_of)
        return _refusal(f"Session ended ({exc}); sign in again", settings)
    return _token_response(tokens, settings)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sockets: OpenSocketsDep,
    refresh_cookie: RefreshCookie = None,
) -> Response:
    """Revoke this session's refresh tokens, close its WebSockets and clear the cookie."""
    if refresh_cookie and (user_id := sign_out(session, refresh_cookie, client_ip(request))) is not None:
        sockets.close_ended(user_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, secure=settings.cookie_secure, samesite="strict"
    )
    return response


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/password",
    response_model=TokenResponse,
    responses={
        401: {"description": "Not signed in"},
        429: {"description": "Too many wrong passwords"},
    },
)
def change_own_password(
    body: PasswordChange,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    sockets: OpenSocketsDep,
) -> JSONResponse:
    """Change one's own password. Every other sign-in of this user ends; this one goes on with the new
    access token and refresh cookie in the answer (its open WebSockets close with 4401 and reconnect)."""
    user_id = user.id or 0
    try:
        tokens = change_password(session, settings, user, body.current_password, body.new_password, client_ip(request))
    except LoginThrottled as exc:
        raise _throttled(exc) from exc
    sockets.close_ended(user_id)
    return _token_response(tokens, settings)
