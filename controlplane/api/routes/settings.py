"""The signed-in user's API keys and preferences."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from controlplane.api.deps import CurrentUser, SecretBoxDep, SessionDep, client_ip
from controlplane.errors import Conflict
from controlplane.models import ApiKey, UserPreferences, utcnow
from controlplane.schemas.settings import ApiKeyCreate, ApiKeyPublic, Preferences
from controlplane.security.secretbox import SecretBox, SecretUnreadable
from controlplane.services import audit
from controlplane.services.ownership import owned

router = APIRouter(prefix="/settings", tags=["settings"])


def _public(key: ApiKey, box: SecretBox) -> ApiKeyPublic:
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


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(session: SessionDep, user: CurrentUser, box: SecretBoxDep) -> list[ApiKeyPublic]:
    keys = session.exec(select(ApiKey).where(ApiKey.user_id == user.id).order_by(col(ApiKey.provider))).all()
    return [_public(key, box) for key in keys]


@router.post(
    "/api-keys",
    response_model=ApiKeyPublic,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "A key for this provider exists"}},
)
def add_api_key(
    body: ApiKeyCreate, request: Request, session: SessionDep, user: CurrentUser, box: SecretBoxDep
) -> ApiKeyPublic:
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
    audit.record(
        session,
        "api_key_added",
        actor=user,
        target_type="api_key",
        target_name=body.provider,
        ip=client_ip(request),
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise conflict from exc
    session.refresh(key)
    return _public(key, box)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_api_key(key_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    key = owned(session, ApiKey, key_id, user.id, "API key")
    audit.record(
        session,
        "api_key_removed",
        actor=user,
        target_type="api_key",
        target_id=key.id,
        target_name=key.provider,
        ip=client_ip(request),
    )
    session.delete(key)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/preferences", response_model=Preferences)
def get_preferences(session: SessionDep, user: CurrentUser) -> Preferences:
    stored = session.get(UserPreferences, user.id)
    return Preferences.model_validate(stored.data) if stored else Preferences()


@router.put("/preferences", response_model=Preferences)
def put_preferences(body: Preferences, session: SessionDep, user: CurrentUser) -> Preferences:
    stored = session.get(UserPreferences, user.id) or UserPreferences(user_id=user.id or 0)
    stored.data = body.model_dump()
    stored.updated_at = utcnow()
    session.add(stored)
    session.commit()
    return body
