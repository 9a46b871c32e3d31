"""Request and response bodies of custom agents' chats: the list of an agent's chats, one chat with its messages,
a message (or a failed one again)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from controlplane.models.custom import TITLE_MAX
from controlplane.rules import length_rule
from controlplane.schemas.chat import ChatMessagePublic
from controlplane.schemas.common import STRICT_BODY, SaidAs
from controlplane.schemas.learning import CourseMessageBody

ChatTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    SaidAs(length_rule(1, TITLE_MAX)),
]


class AgentChatCreate(BaseModel):
    """A new chat ("+ New Chat"); without a title it is named after its first message."""

    model_config = STRICT_BODY

    title: ChatTitle | None = None


class AgentChatUpdate(BaseModel):
    model_config = STRICT_BODY

    title: ChatTitle


class AgentChatPublic(BaseModel):
    id: int
    agent_id: int
    agent: str = Field(description="The agent's name")
    title: str
    answering: bool = Field(description="A reply is being written (Stop interrupts it)")
    running: bool = Field(description="The chat's process runs now (it ends by itself when idle)")
    directory: str = Field(description="The chat's folder in the sandbox (history.json)")
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AgentChatDetail(AgentChatPublic):
    messages: list[ChatMessagePublic] = Field(
        description="The whole chat, oldest first; open the stream with after = the largest seq here"
    )


class AgentChatMessageBody(CourseMessageBody):
    """A new message, or (with `retry_of` and nothing else) a failed message sent again."""
