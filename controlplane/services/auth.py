"""Signing in, refresh-token rotation with reuse detection, signing out, changing one's own password, and
login throttling (wrong current passwords at a password change count as failed logins)."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.errors import InvalidField
from controlplane.models import AuditEvent, RefreshToken, User, utcnow
from controlplane.rules import password_problem
from controlplane.security.passwords import dummy_hash, hash_password, verify_password
from controlplane.security.tokens import create_access_token, hash_refresh_token, new_refresh_token
from controlplane.services import audit

LOGIN_FAILED = "login_failed"
LOGIN_SUCCEEDED = "login"
PASSWORD_CHANGE_FAILED = "password_change_failed"  # noqa: S105 - an audit action
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an audit action
# Both are wrong guesses at a user's password: they share one count, so a stolen access token cannot buy
# more guesses at the password change than the sign-in form allows.
FAILED_PASSWORD_CHECKS = (LOGIN_FAILED, PASSWORD_CHANGE_FAILED)
WRONG_CURRENT_PASSWORD = "This is not your current password"  # noqa: S105 - a message


class InvalidCredentials(Exception):
    pass


# How long after a refresh its token may be presented again when the answer was lost (see _answer_was_lost).
REFRESH_LOST_ANSWER_GRACE = timedelta(seconds=30)


def wait_in_words(seconds: int) -> str:
    """'in 15 minutes', 'in 1 minute', 'in less than a minute': a wait as a person reads it (rounded up)."""
    if seconds < 60:
        return "in less than a minute"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minute{'' if minutes == 1 else 's'}"


class LoginThrottled(Exception):
    """Too many wrong passwords for a username; `message` says when to try again, in minutes."""

    def __init__(self, retry_after_seconds: int, attempts: str = "failed sign-in attempts") -> None:
        self.message = f"Too many {attempts} for this username; try again {wait_in_words(retry_after_seconds)}"
        super().__init__(self.message)
        self.retry_after_seconds = retry_after_seconds


class InvalidRefreshToken(Exception):
    def __init__(self, message: str, ended_sign_in_of: int | None = None) -> None:
        super().__init__(message)
        self.ended_sign_in_of = ended_sign_in_of  # the user whose sign-in this refusal revoked (a reused token)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _recent_failures(session: Session, settings: Settings, username: str, now: datetime) -> list[datetime]:
    """Failed logins (and wrong current passwords) for `username` inside the window and after its last
    successful login."""
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
                col(AuditEvent.action).in_(FAILED_PASSWORD_CHECKS),
                AuditEvent.target_name == username,
                col(AuditEvent.created_at) > since,
            )
            .order_by(col(AuditEvent.created_at))
        ).all()
    )


def _check_throttle(
    session: Session, settings: Settings, username: str, ip: str | None, attempts: str = "failed sign-in attempts"
) -> None:
    """Raise LoginThrottled (recording it) when `username` has used up its wrong passwords in the window."""
    now = utcnow()
    failures = _recent_failures(session, settings, username, now)
    if len(failures) >= settings.login_max_failures:
        retry_at = failures[0] + settings.login_window
        audit.record(session, "login_throttled", target_type="user", target_name=username, ip=ip)
        session.commit()
        raise LoginThrottled(max(1, math.ceil((retry_at - now).total_seconds())), attempts)


def authenticate(session: Session, settings: Settings, username: str, password: str, ip: str | None) -> User:
    """The user for these credentials. Every failure path costs one bcrypt check."""
    _check_throttle(session, settings, username, ip)

    user = session.exec(select(User).where(User.username == username)).first()
    password_hash = user.password_hash if user else dummy_hash(settings.bcrypt_rounds)
    if not verify_password(password, password_hash) or user is None:
        audit.record(session, LOGIN_FAILED, target_type="user", target_name=username, ip=ip)
        session.commit()
        raise InvalidCredentials()
    audit.on_user(session, LOGIN_SUCCEEDED, user, actor=user, ip=ip)
    return user


def issue_tokens(session: Session, settings: Settings, user: User, family_id: str | None = None) -> IssuedTokens:
    """A new access token and a refresh token in `family_id` (a new family at sign-in). Commits."""
    if user.id is None:
        raise ValueError("the user must be saved before tokens are issued")
    refresh = new_refresh_token()
    now = utcnow()
    family_id = family_id or secrets.token_hex(16)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_refresh_token(refresh),
            created_at=now,
            expires_at=now + settings.refresh_token_ttl,
        )
    )
    session.commit()
    access = create_access_token(user.id, family_id, settings.signing_key, settings.access_token_ttl, now)
    return IssuedTokens(access, refresh, int(settings.access_token_ttl.total_seconds()))


def rotate_refresh_token(session: Session, settings: Settings, presented: str, ip: str | None) -> IssuedTokens:
    """Exchange a refresh token for new tokens. Presenting a used or revoked one revokes its family."""
    now = utcnow()
    stored = session.exec(select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(presented))).first()
    if stored is None:
        raise InvalidRefreshToken("unknown refresh token")
    user = session.get(User, stored.user_id)
    if user is not None and _answer_was_lost(session, stored, now):
        return issue_tokens(session, settings, user, family_id=stored.family_id)
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
        raise InvalidRefreshToken(
            "refresh token was already used; the whole session is revoked", ended_sign_in_of=stored.user_id
        )
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


def sign_in_is_live(session: Session, user_id: int, family_id: str) -> bool:
    """Whether the sign-in an access token belongs to still stands (not signed out, no password reset since)."""
    query = select(RefreshToken.id).where(
        RefreshToken.user_id == user_id, RefreshToken.family_id == family_id, col(RefreshToken.revoked_at).is_(None)
    )
    return session.exec(query.limit(1)).first() is not None


def live_user(session: Session, user_id: int, family_id: str) -> User | None:
    """The user of a sign-in that still stands; None once it has ended or the account is gone."""
    return session.get(User, user_id) if sign_in_is_live(session, user_id, family_id) else None


def _answer_was_lost(session: Session, stored: RefreshToken, now: datetime) -> bool:
    """A token used moments ago whose successor was never used: the browser sent it, the server rotated it, and the
    answer with the new cookie never arrived (a page reloaded mid-refresh, a dropped connection). Within
    REFRESH_LOST_ANSWER_GRACE the unused successor is revoked (atomically: of two such retries only one wins) and a
    new one is issued in its place, instead of treating the retry as theft. A copied token used after its successor
    was, or later than the grace, still revokes the whole sign-in."""
    if stored.revoked_at is not None or stored.used_at is None or now - stored.used_at > REFRESH_LOST_ANSWER_GRACE:
        return False
    successor = session.exec(
        select(RefreshToken).where(
            RefreshToken.family_id == stored.family_id,
            col(RefreshToken.id) > (stored.id or 0),
        )
    ).all()
    if len(successor) != 1 or successor[0].used_at is not None or successor[0].revoked_at is not None:
        return False
    claimed = session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.id) == successor[0].id,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return False
    return True


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


def sign_out(session: Session, presented: str, ip: str | None) -> int | None:
    """Revoke the refresh token's family and record who signed out (an unknown token changes nothing); the id of
    the user who signed out."""
    user = revoke_presented(session, presented)
    if user is not None:
        audit.on_user(session, "logout", user, actor=user, ip=ip)
    user_id = user.id if user is not None else None
    session.commit()
    return user_id


def revoke_all_for_user(session: Session, user_id: int) -> None:
    """After a password reset, every sign-in of the user ends (its access tokens at their next request)."""
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(
    session: Session, settings: Settings, user: User, current_password: str, new_password: str, ip: str | None
) -> IssuedTokens:
    """The signed-in user's own password change. Every sign-in of the user ends at once; this one goes on with the
    fresh tokens returned. A wrong current password is refused under
    `current_password` and counts towards the login throttle."""
    if user.id is None:
        raise ValueError("the user must be saved before the password is changed")
    _check_throttle(session, settings, user.username, ip, attempts="wrong passwords")
    if not verify_password(current_password, user.password_hash):
        audit.on_user(session, PASSWORD_CHANGE_FAILED, user, actor=user, ip=ip)
        session.commit()
        raise InvalidField("current_password", WRONG_CURRENT_PASSWORD)
    problem = password_problem(new_password)  # the schema checks it too; the service does not rely on that
    if problem:
        raise InvalidField("new_password", problem)
    user.password_hash = hash_password(new_password, settings.bcrypt_rounds)
    session.add(user)
    revoke_all_for_user(session, user.id)
    audit.on_user(session, PASSWORD_CHANGED, user, actor=user, ip=ip)
    return issue_tokens(session, settings, user)
