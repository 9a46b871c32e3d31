"""A conversation: whose it is, and which row of which kind's table it belongs to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    user_id: int
    session_type: str  # chat_messages.session_type: "research", "learning", "social_ai"
    session_id: int  # the id in that kind's own table

    @property
    def key(self) -> tuple[str, int]:
        return (self.session_type, self.session_id)
