"""Provider API keys. Only Fernet ciphertext is stored; base_url points a provider elsewhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import created_at_field, owner_field


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("user_id", "provider", name="uq_api_keys_user_provider"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    provider: str = Field(max_length=32)
    encrypted_key: str = Field(sa_type=Text)
    base_url: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
