"""Custom agents' chats: each agent has a list of conversations ("+ New Chat"), each answered by its own instance.

A chat's messages are chat_messages rows with session_type "custom"; a trigger (migration 0009) deletes them with
the chat, and the chat goes with its agent by cascade."""

from __future__ import annotations

from datetime import datetime

from autocode_runner.contract.vocab import values
from sqlmodel import Field, SQLModel

from controlplane.models.base import (
    DesiredState,
    UTCDateTime,
    created_at_field,
    one_of,
    owner_field,
    timestamp_field,
    utcnow,
)

TITLE_MAX = 120
DEFAULT_TITLE = "New chat"


class AgentChat(SQLModel, table=True):
    __tablename__ = "agent_chats"
    __table_args__ = (one_of("desired_state", values(DesiredState), "ck_agent_chats_desired_state"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    title: str = Field(default=DEFAULT_TITLE, max_length=TITLE_MAX)
    # The agent's folder in the sandbox, relative to the home ("agents/helper"): the same for all its chats, so a
    # rename of the agent does not split its files. The chat's own folder is <agent_folder>/chats/<id>.
    agent_folder: str = Field(max_length=200)
    # "running" while its instance should run (from a message until it ends by itself when idle).
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16)
    last_activity_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )
