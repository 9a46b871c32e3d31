"""The chat that every chat-shaped agent kind speaks (research now; learning and custom agents next): the
user's message going in, and the reply coming out as events while it is written.

An instance of a chat kind takes `message` and `interrupt` commands and writes `chat` lines (forwarded as
`instance.chat` events). The control plane stores the user's message before sending it, numbers the events it
relays to the browser, and stores the reply when it is `completed`; an `error` keeps the user's message and
offers a retry. Defined once here; the control plane's schemas use these classes directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# The pictures a model takes as pictures (any other file, other image formats too, is named by its path), and the
# largest it takes: the Messages API refuses a bigger one, and a refused picture would stay in a Claude Code session.
MODEL_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class ChatEventType(StrEnum):
    DELTA = "delta"  # the next piece of the reply's text (a preview: `completed` carries the whole reply)
    TOOL = "tool"  # a tool call began, finished, failed or was denied
    COMPLETED = "completed"  # the reply is whole: its text, token usage and cost
    ERROR = "error"  # the turn failed (the provider's error, an interruption...): the user's message stays
    NOTICE = "notice"  # something the user should know that is not the reply ("started afresh: ...")


class ToolStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DENIED = "denied"  # refused by the permissions: shown in the chat, never silent


@dataclass(frozen=True)
class ToolActivity:
    """One tool call as a card: what it is and what it did, in a line each."""

    id: str  # the model's tool_use id: a later event about the same call updates its card
    name: str  # the tool's name ("WebSearch", "Write")
    summary: str  # what it was asked, shortened ("report.md", "weather in Prague")
    status: ToolStatus = ToolStatus.RUNNING
    detail: str = ""  # its result or error, shortened


@dataclass(frozen=True)
class ChatUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0


@dataclass(frozen=True)
class ChatEvent:
    """One `chat` line. `turn` is the id of the user's message it answers (the control plane's row id)."""

    __pydantic_config__ = {"extra": "forbid"}  # read by name by pydantic: unknown fields are refused

    type: ChatEventType
    turn: int
    text: str = ""  # delta: the new piece; completed: the whole reply; error and notice: the message
    tool: ToolActivity | None = None
    usage: ChatUsage | None = None  # completed
    cost_usd: float | None = None  # completed, when the provider's price is known
    retryable: bool = False  # error: sending the same message again may succeed (a 529, a dropped connection)
    interrupted: bool = False  # completed: the reply was stopped before its end (what it had said is the text)


@dataclass(frozen=True)
class ChatAttachment:
    """A file sent with a message. The control plane writes it into the workspace first (`path`, relative
    to it); an image also travels inline, base64, so the model sees it as an image."""

    name: str
    path: str
    media_type: str
    image_base64: str = ""


@dataclass(frozen=True)
class ChatMessageCommand:
    """The `message` command's body (besides its `type`)."""

    turn: int
    text: str
    attachments: list[ChatAttachment] = field(default_factory=list)
    # What the kind adds to this message for the model, which the user did not write (the review card a learning
    # student is answering): kept with the stored message, so a resend carries it too.
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatTurn:
    """One earlier message of the conversation, as the control plane stored it: what a new session is given as
    context when the old one cannot be resumed."""

    role: str  # "user" or "assistant"
    text: str
