"""Signing in, refresh-token rotation with reuse detection, signing out, and login throttling."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.models import AuditEvent, RefreshToken, User, utcnow
from controlplane.security.passwords import dummy_hash, verify_password
from controlplane.security.tokens import create_access_token, hash_refresh_token, new_refresh_token
from controlplane.services import audit

LOGIN_FAILED = "login_failed"
LOGIN_SUCCEEDED = "login"


class InvalidCredentials(Exception):
    pass


class LoginThrottled(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class InvalidRefreshToken(Exception):
    pass


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _recent_failures(session: Session, settings: Settings, username: str, now: datetime) -> list[datetime]:
    """Failed logins for `username` inside the window and after its last successful login."""
    window_start = now - settings.login_window
    last_success = session.exec(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action == LOGIN_SUCCEEDED, AuditEvent.target_name == username
        )
    ).one()
    since = max(window_start, last_success) if last_success else window_start
    return list(
        session.exec(
            select(AuditEvent.created_at)
            .where(
                AuditEvent.action == LOGIN_FAILED,
                AuditEvent.target_name == username,
                col(AuditEvent.created_at) > since,
            )
            .order_by(col(AuditEvent.created_at))
        ).all()
    )


def authenticate(session: Session, settings: Settings, username: str, password: str, ip: str | None) -> User:
    """The user for these credentials. Every failure path costs one bcrypt check."""
    now = utcnow()
    failures = _recent_failures(session, settings, username, now)
    if len(failures) >= settings.login_max_failures:
        retry_at = failures[0] + settings.login_window
        audit.record(session, "login_throttled", target_type="user", target_name=username, ip=ip)
        session.commit()
        raise LoginThrottled(max(1, math.ceil((retry_at - now).total_seconds())))

    user = session.exec(select(User).where(User.username == username)).first()
    password_hash = user.password_hash if user else dummy_hash(settings.bcrypt_rounds)
    if not verify_password(password, password_hash) or user is None:
        audit.record(session, LOGIN_FAILED, target_type="user", target_name=username, ip=ip)
        session.commit()
        raise InvalidCredentials()
    audit.record(
        session,
        LOGIN_SUCCEEDED,
        actor=user,
        target_type="user",
        target_id=user.id,
        target_name=username,
        ip=ip,
    )
    return user


def issue_tokens(session: Session, settings: Settings, user: User, family_id: str | None = None) -> IssuedTokens:
    """A new access token and a refresh token in `family_id` (a new family at sign-in). Commits."""
    if user.id is None:
        raise ValueError("the user must be saved before tokens are issued")
    refresh = new_refresh_token()
    now = utcnow()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or secrets.token_hex(16),
            token_hash=hash_refresh_token(refresh),
            created_at=now,
            expires_at=now + settings.refresh_token_ttl,
        )
    )
    session.commit()
    access = create_access_token(user.id, settings.signing_key, settings.access_token_ttl, now)
    return IssuedTokens(access, refresh, int(settings.access_token_ttl.total_seconds()))


def rotate_refresh_token(session: Session, settings: Settings, presented: str, ip: str | None) -> IssuedTokens:
    """Exchange a refresh token for new tokens. Presenting a used or revoked one revokes its family."""
    now = utcnow()
    stored = session.exec(select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(presented))).first()
    if stored is None:
        raise InvalidRefreshToken("unknown refresh token")
    user = session.get(User, stored.user_id)
    if stored.used_at is not None or stored.revoked_at is not None:
        revoke_family(session, stored.family_id, now)
        audit.record(
            session,
            "refresh_token_reused",
            target_type="user",
            target_id=stored.user_id,
            target_name=user.username if user else None,
            ip=ip,
            family=stored.family_id,
        )
        session.commit()
        raise InvalidRefreshToken("refresh token was already used; the whole session is revoked")
    if stored.expires_at <= now or user is None:
        raise InvalidRefreshToken("refresh token expired")
    # Claim the token atomically: of two concurrent refreshes with one token, only one may win.
    claimed = session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.id) == stored.id,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise InvalidRefreshToken("refresh token was used concurrently; sign in again")
    return issue_tokens(session, settings, user, family_id=stored.family_id)


def revoke_family(session: Session, family_id: str, now: datetime | None = None) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )


def revoke_presented(session: Session, presented: str) -> User | None:
    """Sign-out: revoke the family of this refresh token. Returns its user, if the token was known."""
    stored = session.exec(select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(presented))).first()
    if stored is None:
        return None
    revoke_family(session, stored.family_id)
    return session.get(User, stored.user_id)


def sign_out(session: Session, presented: str, ip: str | None) -> None:
    """Revoke the refresh token's family and record who signed out (an unknown token changes nothing)."""
    user = revoke_presented(session, presented)
    if user is not None:
        audit.record(
            session, "logout", actor=user, target_type="user", target_id=user.id, target_name=user.username, ip=ip
        )
    session.commit()


def revoke_all_for_user(session: Session, user_id: int) -> None:
    """After a password reset, every existing session of the user ends at its next refresh."""
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
