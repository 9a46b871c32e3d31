"""Short-lived JWT access tokens and opaque, rotating refresh tokens.

An access token names its user and its sign-in (`sid`, the refresh tokens' family): every request checks that the
sign-in is still live, so signing out, a password reset or a password change ends it at once, not at expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from controlplane.models.base import utcnow

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 (a claim value)


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of the wrong kind."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: str  # the refresh-token family of the sign-in this token belongs to


def create_access_token(user_id: int, session_id: str, key: str, ttl: timedelta, now: datetime | None = None) -> str:
    issued = now or utcnow()
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "type": ACCESS_TOKEN_TYPE,
        "iat": issued,
        "exp": issued + ttl,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_access_token(token: str, key: str) -> AccessClaims:
    """The user and sign-in the token was issued to. Only HS256 is accepted, so alg "none" and swaps fail."""
    try:
        required = ["exp", "iat", "sub", "sid", "type"]
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": required})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("type") != ACCESS_TOKEN_TYPE:
        raise InvalidToken("not an access token")
    if not isinstance(claims["sid"], str) or not claims["sid"]:
        raise InvalidToken("malformed sign-in")
    try:
        return AccessClaims(int(claims["sub"]), claims["sid"])
    except (TypeError, ValueError) as exc:
        raise InvalidToken("malformed subject") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """Refresh tokens are stored hashed: a leaked database cannot be replayed as sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
