"""Connected Instagram and Facebook accounts. The access token is stored encrypted, never in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from controlplane.models.base import created_at_field, one_of, owner_field

PLATFORMS = ("instagram", "facebook")


class SocialAccount(SQLModel, table=True):
    __tablename__ = "social_accounts"
    __table_args__ = (one_of("platform", PLATFORMS, "ck_social_accounts_platform"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    platform: str = Field(max_length=16)
    access_token: str = Field(sa_type=Text, description="Fernet ciphertext")
    account_name: str = Field(max_length=200)
    created_at: datetime = created_at_field()
