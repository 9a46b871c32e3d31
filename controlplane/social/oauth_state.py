"""Single-use OAuth states: the `state` sent to Meta's login dialog, bound to the signed-in person and the agent
that started the connection, kept only as its SHA-256 hash, valid for ten minutes and consumed by the first
callback that presents it. A forged, reused, expired or another person's state is refused with the same words,
so the answer tells an attacker nothing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from controlplane.errors import Conflict
from controlplane.models.social import Login, SocialOAuthState

STATE_TTL = timedelta(minutes=10)
REFUSED = "This connection link is not valid any more (it was used, it expired or it was not yours): start again."


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def issue(session: Session, user_id: int, agent_id: int, login: Login, now: datetime) -> str:
    """A new state for this person's connection; the states that expired are swept on the way."""
    session.exec(delete(SocialOAuthState).where(col(SocialOAuthState.expires_at) < now))
    state = secrets.token_urlsafe(32)
    row = SocialOAuthState(
        user_id=user_id, agent_id=agent_id, login=login.value, state_hash=_hash(state), expires_at=now + STATE_TTL
    )
    session.add(row)
    session.commit()
    return state


def consume(session: Session, state: str, user_id: int, now: datetime) -> SocialOAuthState:
    """The state's row, marked used; refused when unknown, used, expired or another person's."""
    row = session.exec(select(SocialOAuthState).where(SocialOAuthState.state_hash == _hash(state))).first()
    if row is None or row.user_id != user_id or row.used_at is not None or row.expires_at <= now:
        raise Conflict(REFUSED)
    row.used_at = now
    session.add(row)
    session.commit()
    return row
