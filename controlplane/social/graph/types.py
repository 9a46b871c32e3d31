"""The typed results of the Graph API layer: what the services store, show and decide on.

Frozen dataclasses, so a result read from Meta cannot be changed on its way to the page; no token ever sits in a
type that a schema could serialise except `Token` and `PageCandidate.token`, which the services seal at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from controlplane.config import Settings


class Host(StrEnum):
    """Which of Meta's two Graph hosts a call goes to.

    FACEBOOK is Facebook Login for Business (Pages, Messenger, Instagram accounts linked to a Page);
    INSTAGRAM is Instagram Login (professional accounts without a Page).
    """

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


@dataclass(frozen=True)
class GraphConfig:
    """The family's Meta app and Meta's addresses; tests point the addresses at the scripted server."""

    app_id: str
    app_secret: str
    graph_url: str
    instagram_url: str
    dialog_url: str
    instagram_dialog_url: str
    version: str

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphConfig | None:
        """The config, or None when the admin has not made the Meta app yet (nothing can talk to Meta then)."""
        if not settings.meta_app_id or not settings.meta_app_secret:
            return None
        return cls(
            app_id=settings.meta_app_id,
            app_secret=settings.meta_app_secret,
            graph_url=settings.meta_graph_url.rstrip("/"),
            instagram_url=settings.instagram_graph_url.rstrip("/"),
            dialog_url=settings.meta_dialog_url.rstrip("/"),
            instagram_dialog_url=settings.instagram_dialog_url.rstrip("/"),
            version=settings.meta_graph_version,
        )

    def base(self, host: Host) -> str:
        """The base address of a host, without a trailing slash."""
        return (self.graph_url if host is Host.FACEBOOK else self.instagram_url).rstrip("/")

    @property
    def app_token(self) -> str:
        """Meta's app access token (`app_id|app_secret`), used only for `debug_token`."""
        return f"{self.app_id}|{self.app_secret}"


@dataclass(frozen=True)
class Token:
    """An access token and when it stops working (None: Meta reports no expiry, as for Page tokens)."""

    value: str
    expires_at: datetime | None

    def __repr__(self) -> str:  # a token must never reach a log through a repr
        return f"Token(value='…', expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class TokenInfo:
    """What `debug_token` says of a token: valid or not, until when, and with which scopes."""

    valid: bool
    expires_at: datetime | None
    data_access_expires_at: datetime | None
    scopes: tuple[str, ...]
    error: str | None


@dataclass(frozen=True)
class InstagramCandidate:
    """An Instagram professional account the person may connect."""

    id: str
    username: str
    name: str
    picture_url: str | None


@dataclass(frozen=True)
class PageCandidate:
    """A Facebook Page the person manages, with its own token and its linked Instagram account, if any."""

    id: str
    name: str
    token: str = field(repr=False)
    picture_url: str | None
    instagram: InstagramCandidate | None


Metrics = dict[str, int]


@dataclass(frozen=True)
class Post:
    """A published post with its metrics, normalised to reach, views, likes, comments, shares and saves."""

    id: str
    platform: str
    account_id: str
    text: str
    media_type: str
    media_url: str | None
    thumbnail_url: str | None
    permalink: str | None
    created_at: datetime
    likes: int | None
    comments: int | None
    metrics: Metrics
    metrics_note: str | None


@dataclass(frozen=True)
class Story:
    """A story of the last 24 hours; its metrics vanish with it at Meta."""

    id: str
    platform: str
    account_id: str
    media_type: str
    media_url: str | None
    thumbnail_url: str | None
    permalink: str | None
    created_at: datetime
    metrics: Metrics


class ContainerStatus(StrEnum):
    """An Instagram media container's `status_code`."""

    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    EXPIRED = "EXPIRED"
    PUBLISHED = "PUBLISHED"


@dataclass(frozen=True)
class Quota:
    """Instagram's publishing quota for the last 24 hours."""

    used: int
    total: int


@dataclass(frozen=True)
class Comment:
    """A comment with its replies; `can_reply` is False for replies on Instagram (top-level comments only)."""

    id: str
    platform: str
    post_id: str
    author: str
    text: str
    created_at: datetime
    replies: tuple[Comment, ...]
    can_reply: bool


@dataclass(frozen=True)
class Message:
    """One message of a conversation; `from_me` when the account itself sent it."""

    id: str
    from_id: str
    from_name: str
    text: str
    created_at: datetime
    from_me: bool


@dataclass(frozen=True)
class Conversation:
    """A DM conversation; replies are allowed within 24 hours of `last_customer_message_at`."""

    id: str
    platform: str
    participant_id: str
    participant_name: str
    updated_at: datetime
    last_customer_message_at: datetime | None
    messages: tuple[Message, ...]
