"""Request and response bodies of the social media manager's AI assistant: its one chat (with all its messages)
and a message to it (or a failed one again)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from controlplane.api.ids import BodyId
from controlplane.schemas.chat import ChatMessagePublic
from controlplane.schemas.custom import AgentChatMessageBody


class SocialAssistantChat(BaseModel):
    """The agent's assistant chat, made on first use: one continuous conversation per social media manager."""

    id: int = Field(description="The chat's id")
    agent_id: int
    agent: str = Field(description="The agent's name")
    title: str
    answering: bool = Field(description="A reply is being written (Stop interrupts it)")
    running: bool = Field(description="The assistant's process runs now (it ends by itself when idle)")
    last_activity_at: datetime | None
    created_at: datetime
    messages: list[ChatMessagePublic] = Field(
        description="The whole chat, oldest first; open /ws/social/ai/chat with after = the largest seq here"
    )


class SocialAssistantMessageBody(AgentChatMessageBody):
    """A message to the agent's assistant, or (with `retry_of` and no text) a failed message sent again."""

    agent_id: BodyId = Field(description="The social media manager whose assistant is asked")
