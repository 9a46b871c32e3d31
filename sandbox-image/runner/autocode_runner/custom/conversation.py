"""One custom agent chat's conversation (a `Transcript` for nanochat): `history.json` in the chat's folder holds
every message; a request carries the agent's prompt and the most recent messages that fit `window_chars`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autocode_runner.contract.chat import ChatMessageCommand
from autocode_runner.contract.specs import CustomSpec
from autocode_runner.learning.course_files import now_text, read_no_follow, replace_text

HISTORY_FILE = "history.json"
NANOBOT_DIR = ".nanobot"  # nanobot's config (no secrets in it) and its own, nearly empty, data
# The earlier messages a request carries, in characters (~4 per token): the most recent ones that fit, so a chat
# that has gone on for months costs about what a new one does. Older ones stay in history.json.
WINDOW_CHARS = 48_000


@dataclass(frozen=True)
class ChatFiles:
    directory: Path

    @property
    def history(self) -> Path:
        return self.directory / HISTORY_FILE

    @property
    def nanobot(self) -> Path:
        return self.directory / NANOBOT_DIR

    def read_history(self) -> list[dict[str, Any]] | None:
        """Every message, oldest first; None when the file is missing, unreadable or a link."""
        try:
            text = read_no_follow(self.history)
            data = json.loads(text) if text is not None else None
        except (OSError, ValueError):
            return None
        if not isinstance(data, list):
            return None
        return [item for item in data if isinstance(item, dict) and isinstance(item.get("text"), str)]

    def write_history(self, messages: list[dict[str, Any]]) -> None:
        replace_text(self.history, json.dumps(messages, ensure_ascii=False, indent=1) + "\n")


def recent(messages: list[dict[str, Any]], window_chars: int) -> list[dict[str, Any]]:
    """The newest messages whose text fits `window_chars` (the last exchange always), never starting with a reply
    whose question was cut off."""
    start, used = len(messages), 0
    while start > 0:
        size = len(str(messages[start - 1].get("text", "")))
        if used + size > window_chars and len(messages) - start >= 2:
            break
        used += size
        start -= 1
    while start < len(messages) and messages[start].get("role") != "user":
        start += 1
    return messages[start:]


class Conversation:
    """The chat as the model sees it, rebuilt from `history.json` (or the spec's stored history) each turn."""

    def __init__(self, spec: CustomSpec, files: ChatFiles, window_chars: int = WINDOW_CHARS) -> None:
        self.spec = spec
        self.files = files
        self.window_chars = window_chars
        self.rebuilt = False
        self.messages = self._load()

    def _load(self) -> list[dict[str, Any]]:
        found = self.files.read_history()
        if found is not None:
            return found
        messages = [{"role": turn.role, "text": turn.text} for turn in self.spec.history]
        self.rebuilt = bool(messages)
        if messages:
            self.files.write_history(messages)
        return messages

    def system_prompt(self) -> str:
        return self.spec.system_prompt.strip() or f"You are {self.spec.agent}, a helpful assistant."

    def history(self) -> list[dict[str, Any]]:
        return [
            {"role": item["role"], "content": str(item["text"])}
            for item in recent(self.messages, self.window_chars)
            if item.get("role") in ("user", "assistant")
        ]

    def model_text(self, message: ChatMessageCommand) -> str:
        return message.text

    def record(self, message: ChatMessageCommand, reply: str) -> None:
        self.messages.append({"role": "user", "text": message.text, "turn": message.turn, "at": now_text()})
        self.messages.append({"role": "assistant", "text": reply, "turn": message.turn, "at": now_text()})
        self.files.write_history(self.messages)
