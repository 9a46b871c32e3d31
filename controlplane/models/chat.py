"""Chat messages shared by research, learning and the social AI assistant.

session_id points into a different table per session_type, so no foreign key can hold it; database
triggers (see the initial migration) delete the messages when their session goes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from controlplane.models.base import created_at_field, one_of, owner_field

SESSION_TYPES = ("research", "learning", "social_ai")
CHAT_ROLES = ("user", "assistant")


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (
        one_of("session_type", SESSION_TYPES, "ck_chat_messages_session_type"),
        one_of("role", CHAT_ROLES, "ck_chat_messages_role"),
        Index("ix_chat_messages_session", "session_type", "session_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    session_type: str = Field(max_length=16)
    session_id: int
    role: str = Field(max_length=16)
    content: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()
