"""A user's own settings: provider API keys (encrypted, never shown again) and preferences."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from controlplane.errors import Conflict
from controlplane.models import ApiKey, User, UserPreferences, utcnow
from controlplane.schemas.settings import ApiKeyCreate, ApiKeyPublic, Preferences
from controlplane.security.secretbox import SecretBox, SecretUnreadable
from controlplane.services import audit
from controlplane.services.ownership import owned


def key_view(key: ApiKey, box: SecretBox) -> ApiKeyPublic:
    try:
        last_four = box.decrypt(key.encrypted_key)[-4:]
    except SecretUnreadable:
        last_four = "????"  # encrypted under an earlier secret key: it must be entered again
    return ApiKeyPublic(
        id=key.id or 0,
        provider=key.provider,
        last_four=last_four,
        base_url=key.base_url,
        created_at=key.created_at,
    )


def keys_of(session: Session, box: SecretBox, user_id: int) -> list[ApiKeyPublic]:
    keys = session.exec(select(ApiKey).where(ApiKey.user_id == user_id).order_by(col(ApiKey.provider))).all()
    return [key_view(key, box) for key in keys]


def add_key(session: Session, box: SecretBox, user: User, body: ApiKeyCreate, ip: str | None) -> ApiKeyPublic:
    """Store a provider key, encrypted. One key per provider: delete the old one to replace it."""
    conflict = Conflict(f"You already have a key for '{body.provider}'; delete it first to replace it")
    exists = session.exec(select(ApiKey.id).where(ApiKey.user_id == user.id, ApiKey.provider == body.provider))
    if exists.first() is not None:
        raise conflict
    key = ApiKey(
        user_id=user.id or 0,
        provider=body.provider,
        encrypted_key=box.encrypt(body.key),
        base_url=str(body.base_url).rstrip("/") if body.base_url else None,
    )
    session.add(key)
    audit.record(session, "api_key_added", actor=user, target_type="api_key", target_name=body.provider, ip=ip)
    try:
        session.commit()
    except IntegrityError as exc:  # a racing request added the same provider's key
        session.rollback()
        raise conflict from exc
    session.refresh(key)
    return key_view(key, box)


def remove_key(session: Session, user: User, key_id: int, ip: str | None) -> None:
    key = owned(session, ApiKey, key_id, user.id, "API key")
    audit.record(
        session,
        "api_key_removed",
        actor=user,
        target_type="api_key",
        target_id=key.id,
        target_name=key.provider,
        ip=ip,
    )
    session.delete(key)
    session.commit()


def preferences_of(session: Session, user_id: int) -> Preferences:
    stored = session.get(UserPreferences, user_id)
    return Preferences.model_validate(stored.data) if stored else Preferences()


def save_preferences(session: Session, user_id: int, preferences: Preferences) -> Preferences:
    stored = session.get(UserPreferences, user_id)
    if stored is None:
        try:
            session.add(UserPreferences(user_id=user_id, data=preferences.model_dump(), updated_at=utcnow()))
            session.commit()
            return preferences
        except IntegrityError:  # another tab saved the first preferences a moment ago: update that row instead
            session.rollback()
            stored = session.get(UserPreferences, user_id)
            if stored is None:
                raise
    stored.data = preferences.model_dump()
    stored.updated_at = utcnow()
    session.add(stored)
    session.commit()
    return preferences
