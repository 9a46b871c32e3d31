"""The signed-in user's API keys and preferences (the work is in controlplane.services.settings)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from controlplane.api.deps import CurrentUser, SecretBoxDep, SessionDep, client_ip
from controlplane.api.ids import Id
from controlplane.schemas.settings import ApiKeyCreate, ApiKeyPublic, Preferences
from controlplane.services import settings

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(session: SessionDep, user: CurrentUser, box: SecretBoxDep) -> list[ApiKeyPublic]:
    return settings.keys_of(session, box, user.id or 0)


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
    return settings.add_key(session, box, user, body, client_ip(request))


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_api_key(key_id: Id, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    settings.remove_key(session, user, key_id, client_ip(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/preferences", response_model=Preferences)
def get_preferences(session: SessionDep, user: CurrentUser) -> Preferences:
    return settings.preferences_of(session, user.id or 0)


@router.put("/preferences", response_model=Preferences)
def put_preferences(body: Preferences, session: SessionDep, user: CurrentUser) -> Preferences:
    return settings.save_preferences(session, user.id or 0, body)
