"""One custom agent chat's conversation (a `Transcript` for nanochat): `history.json` in the chat's folder holds
every message; a request carries the agent's prompt and the most recent messages that fit `window_chars`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autocode_runner.contract.chat import ChatMessageCommand
from autocode_runner.contract.specs import CustomSpec
from autocode_runner.nanochat.history import ChatHistory

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
        self.conversation = ChatHistory(files.history, spec.history)
        self.rebuilt = self.conversation.rebuilt

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.conversation.messages

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
        self.conversation.record(message, reply)
