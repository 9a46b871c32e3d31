"""What every chat kind shows of its conversation: stored messages, in the REST detail and in stream frames.

The reply's usage, tool cards and attachments are the contract's own classes (autocode_runner.contract.chat),
so the generated client carries the runner's shapes unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autocode_runner.contract.chat import ChatAttachment, ChatUsage, ToolActivity
from pydantic import BaseModel, ConfigDict, Field

from controlplane.models.chat import ChatRole, ChatStatus


class ChatMessagePublic(BaseModel):
    """One stored message. A user's message is `pending` while its reply is written, `done`, or `failed` with
    `error` (offer a retry when `retryable`); a reply is `done`, or `interrupted` when it was stopped or failed
    half-way (what it said is kept). A `notice` says something about the chat that is not the reply."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: ChatRole
    content: str
    status: ChatStatus
    reply_to: int | None = Field(description="The user's message a reply or notice belongs to")
    error: str = ""
    retryable: bool = False
    usage: ChatUsage | None = None
    cost_usd: float | None = None
    tools: list[ToolActivity] = Field(default_factory=list)
    attachments: list[ChatAttachment] = Field(default_factory=list)
    context: dict[str, Any] = Field(
        default_factory=dict,
        description="What the agent was told with a user's message besides its words (a learning review answer: "
        "the card, under `review`)",
    )
    seq: int = Field(
        description="The stream number of the event that last changed it: open the chat stream with "
        "after = the largest seq you hold"
    )
    created_at: datetime
