"""Request and response bodies of research sessions: the list, the detail with its chat, messages with
attachments (and what one may carry: ChatLimits), files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from autocode_runner.contract.chat import MAX_IMAGE_BYTES, MODEL_IMAGE_TYPES
from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from controlplane.api.ids import BodyId
from controlplane.rules import length_rule
from controlplane.schemas.chat import ChatMessagePublic
from controlplane.schemas.common import STRICT_BODY, SaidAs

RESEARCH_NAME_MAX = 120
MESSAGE_MAX = 100_000
MAX_ATTACHMENTS = 10
MEGABYTE = 1024 * 1024
IMAGE_TOO_LARGE = f"A picture can be at most {MAX_IMAGE_BYTES // MEGABYTE} MB: the model takes no larger one."
ResearchName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=RESEARCH_NAME_MAX),
    SaidAs(length_rule(1, RESEARCH_NAME_MAX)),
]
FileName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    SaidAs("Use a file name of 1 to 200 characters."),
]
ResearchStatus = Literal["active", "archived"]


class ResearchCreate(BaseModel):
    model_config = STRICT_BODY

    name: ResearchName


class ResearchUpdate(BaseModel):
    """Rename it, or archive and unarchive it (an archived research keeps everything and takes no message)."""

    model_config = STRICT_BODY

    name: ResearchName | None = None
    status: ResearchStatus | None = None

    @field_validator("name", "status", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("Leave the field out instead of sending null.")
        return value


class ResearchPublic(BaseModel):
    id: int
    agent_id: int
    name: str
    slug: str
    status: ResearchStatus
    answering: bool = Field(description="A reply is being written (Stop interrupts it)")
    running: bool = Field(description="Its Claude Code process runs now (it ends by itself when idle)")
    workspace_path: str
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ResearchDetail(ResearchPublic):
    messages: list[ChatMessagePublic] = Field(
        description="The whole chat, oldest first; open the stream with after = the largest seq here"
    )


class AttachmentUpload(BaseModel):
    """A file sent with a message. It is saved in the research's attachments/ folder; a picture in a type the
    model takes (MODEL_IMAGE_TYPES) also goes to the model as a picture."""

    model_config = STRICT_BODY

    name: FileName
    media_type: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "application/octet-stream"
    content_base64: str = Field(
        description="The file's bytes, base64. The whole request may be as large as the server's "
        "AUTOCODE_MAX_CHAT_MESSAGE_BYTES (ChatLimits); a picture the model sees, at most "
        f"{MAX_IMAGE_BYTES // MEGABYTE} MB."
    )

    @property
    def is_model_image(self) -> bool:
        """It goes to the model as a picture (other files, other image formats too, are named by their path)."""
        return self.media_type in MODEL_IMAGE_TYPES

    @field_validator("content_base64")
    @classmethod
    def _picture_size(cls, value: str, info: ValidationInfo) -> str:
        # Base64's length tells the size without decoding: 4 characters for every 3 bytes, '=' padding.
        size = len(value) * 3 // 4 - value[-2:].count("=")
        if info.data.get("media_type") in MODEL_IMAGE_TYPES and size > MAX_IMAGE_BYTES:
            raise ValueError(IMAGE_TOO_LARGE)
        return value


class MessageBody(BaseModel):
    """A new message, or (with `retry_of` and nothing else) a failed message sent again."""

    model_config = STRICT_BODY

    text: Annotated[str, StringConstraints(max_length=MESSAGE_MAX)] = ""
    attachments: list[AttachmentUpload] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    retry_of: BodyId | None = Field(default=None, description="The id of a failed message of yours to send again")


class ChatLimits(BaseModel):
    """What one message may carry, so the PWA refuses a file before uploading it: the message's size is the
    server's setting (AUTOCODE_MAX_CHAT_MESSAGE_BYTES, read at runtime), the rest are this module's rules."""

    max_message_bytes: int = Field(
        description="The whole request: its text and its files as base64 (a third larger than the files)"
    )
    max_attachments: int = Field(description="Files in one message")
    max_image_bytes: int = Field(description="One picture the model sees (a type in image_types)")
    image_types: list[str] = Field(description="The files that go to the model as pictures")

    @classmethod
    def of(cls, max_message_bytes: int) -> ChatLimits:
        return cls(
            max_message_bytes=max_message_bytes,
            max_attachments=MAX_ATTACHMENTS,
            max_image_bytes=MAX_IMAGE_BYTES,
            image_types=list(MODEL_IMAGE_TYPES),
        )


class ResearchFile(BaseModel):
    """One entry of the workspace. Only a `file` downloads: a link is listed but never followed."""

    path: str = Field(description="Relative to the research's folder, '/' between folders")
    type: Literal["file", "dir", "symlink", "other"]
    size: int
    modified: datetime
