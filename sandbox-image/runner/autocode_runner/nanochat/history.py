"""A nanobot chat's whole conversation, kept by the kind in a JSON file of the user's (the tutor's
chat_history.json, a custom chat's history.json): every message, oldest first, never trimmed. Lost (deleted, a
fresh volume), it is rebuilt from the conversation the control plane stored, which the spec carries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autocode_runner.contract.chat import ChatMessageCommand, ChatTurn
from autocode_runner.textfiles import now_text, read_no_follow, replace_text


def read_messages(path: Path) -> list[dict[str, Any]] | None:
    """The messages in the file; None when it is missing, unreadable or a link."""
    try:
        text = read_no_follow(path)
        data = json.loads(text) if text is not None else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, list):
        return None
    return [item for item in data if isinstance(item, dict) and isinstance(item.get("text"), str)]


class ChatHistory:
    def __init__(self, path: Path, stored: list[ChatTurn]) -> None:
        self.path = path
        found = read_messages(path)
        # True when the file was lost and rebuilt from the stored conversation (the chat should say so).
        self.rebuilt = found is None and bool(stored)
        self.messages: list[dict[str, Any]] = (
            found if found is not None else [{"role": turn.role, "text": turn.text} for turn in stored]
        )
        if self.rebuilt:
            self.save()

    def save(self) -> None:
        replace_text(self.path, json.dumps(self.messages, ensure_ascii=False, indent=1) + "\n")

    def record(self, message: ChatMessageCommand, reply: str, **about_the_message: Any) -> None:
        """The user's message (with anything the kind keeps about it) and the reply, saved at once."""
        at = now_text()
        self.messages.append(
            {"role": "user", "text": message.text, "turn": message.turn, "at": at, **about_the_message}
        )
        self.messages.append({"role": "assistant", "text": reply, "turn": message.turn, "at": at})
        self.save()
