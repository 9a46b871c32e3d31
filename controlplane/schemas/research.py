"""Request and response bodies of research sessions: the list, the detail with its chat, messages with
attachments, files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from controlplane.rules import length_rule
from controlplane.schemas.chat import ChatMessagePublic
from controlplane.schemas.common import STRICT_BODY, SaidAs

RESEARCH_NAME_MAX = 120
MESSAGE_MAX = 100_000
MAX_ATTACHMENTS = 10
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
    """A file sent with a message. It is saved in the research's attachments/ folder; an image also goes to
    the model as an image."""

    model_config = STRICT_BODY

    name: FileName
    media_type: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "application/octet-stream"
    content_base64: str = Field(description="The file's bytes, base64 (the whole request is limited to 1 MiB)")


class MessageBody(BaseModel):
    """A new message, or (with `retry_of` and nothing else) a failed message sent again."""

    model_config = STRICT_BODY

    text: Annotated[str, StringConstraints(max_length=MESSAGE_MAX)] = ""
    attachments: list[AttachmentUpload] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    retry_of: int | None = Field(default=None, description="The id of a failed message of yours to send again")


class ResearchFile(BaseModel):
    """One entry of the workspace. Only a `file` downloads: a link is listed but never followed."""

    path: str = Field(description="Relative to the research's folder, '/' between folders")
    type: Literal["file", "dir", "symlink", "other"]
    size: int
    modified: datetime
