from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from controlplane.models.users import Role
from controlplane.schemas.common import STRICT_BODY, NewPassword


class LoginRequest(BaseModel):
    model_config = STRICT_BODY

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    """The signed-in user's own password change: the current password proves it is them."""

    model_config = STRICT_BODY

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: NewPassword


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires")


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str = Field(description='How the person is named ("" when not set: show the username)')
    role: Role
    created_at: datetime
