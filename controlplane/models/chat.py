"""Chat messages shared by research, learning, custom agents and the social AI assistant.

session_id points into a different table per session_type, so no foreign key can hold it; database
triggers (see the initial migration) delete the messages when their session goes.

A conversation's live stream (controlplane.chat) numbers its events; `seq` is the number of the event that
last changed a row, and a user's message also keeps `seq_reserved`, the highest number reserved for the
events of its reply, so numbers keep rising across restarts (docs/websockets.md, "Chat").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from autocode_runner.contract.vocab import values
from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from controlplane.models.base import created_at_field, json_field, one_of, owner_field

SESSION_TYPES = ("research", "learning", "social_ai", "custom")


class ChatRole(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    NOTICE = "notice"  # something the user should know that is not the reply ("started afresh: ...")


class ChatStatus(StrEnum):
    """A user's message: pending (its reply is being written), done, or failed (with `error`; retry offered).
    A reply: done, or interrupted (what was said before the interruption or the error, kept)."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


CHAT_ROLES = tuple(values(ChatRole))


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (
        one_of("session_type", SESSION_TYPES, "ck_chat_messages_session_type"),
        one_of("role", CHAT_ROLES, "ck_chat_messages_role"),
        one_of("status", values(ChatStatus), "ck_chat_messages_status"),
        Index("ix_chat_messages_session", "session_type", "session_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    session_type: str = Field(max_length=16)
    session_id: int
    role: str = Field(max_length=16)
    content: str = Field(sa_type=Text)
    status: str = Field(default=ChatStatus.DONE.value, max_length=16)
    # The user's message a reply or notice belongs to (its turn); null for a user's message itself.
    reply_to: int | None = None
    error: str = Field(default="", sa_type=Text)
    retryable: bool = False
    # contract.chat.ChatUsage as JSON, on a reply; cost_usd when the provider's price is known.
    usage: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True), nullable=True)
    cost_usd: float | None = None
    # contract.chat.ToolActivity cards of a reply, in the order they began.
    tools: list[dict[str, Any]] = json_field(list)
    # contract.chat.ChatAttachment of a user's message (without the inline image data).
    attachments: list[dict[str, Any]] = json_field(list)
    # What the kind added to a user's message for the model, which the user did not write (the review card a
    # learning student answers: contract.learning.ReviewPrompt under "review"); a resend carries it too.
    context: dict[str, Any] = json_field(dict)
    seq: int = 0
    seq_reserved: int = 0
    created_at: datetime = created_at_field()
