"""The social media manager's tables (docs/social-media.md): connected accounts with their sealed tokens, the
single-use OAuth states, connections waiting for the person to pick accounts, uploaded media, posts with one
publishing target per account, and what the person has read in the inbox.

Every token is Fernet ciphertext (controlplane.security.secretbox); no schema ever carries one. The vocabularies
below are the only definition of each state: the CHECK constraints, the services and the API schemas use them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import (
    UTCDateTime,
    created_at_field,
    json_field,
    one_of,
    owner_field,
    timestamp_field,
    utcnow,
)


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"


PLATFORMS = tuple(platform.value for platform in Platform)


class Login(StrEnum):
    """How an account was connected: Facebook Login for Business (Pages and the Instagram accounts linked to them,
    on graph.facebook.com) or Instagram Login (an Instagram professional account alone, on graph.instagram.com)."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class AccountStatus(StrEnum):
    CONNECTED = "connected"
    EXPIRING = "expiring"  # loses access within the watchdog's warning window: "Reconnect" shows already
    RECONNECT = "reconnect"  # lost access: nothing works until the person connects it again


class PostKind(StrEnum):
    POST = "post"
    STORY = "story"


class PostStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time
    PUBLISHING = "publishing"  # at least one target still on its way
    PUBLISHED = "published"  # every target published
    PARTLY = "partly_published"  # some targets published, the others failed
    FAILED = "failed"  # no target published
    CANCELLED = "cancelled"  # a scheduled post the person called off


class TargetState(StrEnum):
    """One account's side of a post. Instagram goes waiting → preparing (containers created) → processing (Meta
    fetches and processes the media) → publishing (media_publish sent) → published; Facebook goes waiting →
    publishing → published. Each step is written before the call that follows it, so a restart resumes there."""

    WAITING = "waiting"
    PREPARING = "preparing"
    PROCESSING = "processing"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


def _values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(word.value for word in vocabulary)


def _updated_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, sa_column_kwargs={"onupdate": utcnow})


class SocialAccount(SQLModel, table=True):
    """An Instagram account or a Facebook Page of the person's, connected to one social media agent."""

    __tablename__ = "social_accounts"
    __table_args__ = (
        one_of("platform", PLATFORMS, "ck_social_accounts_platform"),
        one_of("login", _values(Login), "ck_social_accounts_login"),
        one_of("status", _values(AccountStatus), "ck_social_accounts_status"),
        UniqueConstraint("agent_id", "platform", "external_id", name="uq_social_accounts_agent_platform_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    platform: str = Field(max_length=16)
    access_token: str = Field(sa_type=Text, description="Fernet ciphertext")
    account_name: str = Field(max_length=200)
    created_at: datetime = created_at_field()
    login: str = Field(default=Login.FACEBOOK.value, max_length=16)
    external_id: str = Field(default="", max_length=64, description="Meta's id of the Page or Instagram account")
    username: str | None = Field(default=None, max_length=200)
    picture_url: str | None = Field(default=None, max_length=2000)
    # An Instagram account reached through a Page uses that Page's token; the Page's id is kept for the inbox.
    page_id: str | None = Field(default=None, max_length=64)
    token_expires_at: datetime | None = timestamp_field()
    data_access_expires_at: datetime | None = timestamp_field()
    status: str = Field(default=AccountStatus.CONNECTED.value, max_length=16)
    status_note: str | None = Field(default=None, max_length=500, description="Why, in plain words")
    checked_at: datetime | None = timestamp_field()
    refreshed_at: datetime | None = timestamp_field()
    updated_at: datetime = _updated_at_field()


class SocialOAuthState(SQLModel, table=True):
    """One started connection: the state sent to Meta, stored as its SHA-256 hash, bound to the person and agent
    that started it, valid for minutes and used once."""

    __tablename__ = "social_oauth_states"
    __table_args__ = (one_of("login", _values(Login), "ck_social_oauth_states_login"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    login: str = Field(max_length=16)
    state_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = timestamp_field()


class SocialConnection(SQLModel, table=True):
    """A login that came back from Meta, waiting for the person to pick which accounts to connect; its
    candidates (with their tokens) are sealed as one JSON document and the row expires in minutes."""

    __tablename__ = "social_connections"
    __table_args__ = (one_of("login", _values(Login), "ck_social_connections_login"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    login: str = Field(max_length=16)
    candidates: str = Field(sa_type=Text, description="Fernet ciphertext of the candidates as JSON")
    problem: str | None = Field(default=None, max_length=500, description="What Meta left out, in plain words")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class SocialMedia(SQLModel, table=True):
    """An uploaded picture or video, stored under the data directory (never in a user's sandbox home) by a random
    name; Meta fetches it through a short-lived signed URL."""

    __tablename__ = "social_media"
    __table_args__ = (one_of("kind", _values(MediaKind), "ck_social_media_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    kind: str = Field(max_length=8)
    content_type: str = Field(max_length=100)
    original_name: str = Field(max_length=255)
    stored_name: str = Field(max_length=80, unique=True)
    size: int = Field(ge=0)
    width: int | None = None
    height: int | None = None
    created_at: datetime = created_at_field()


class SocialPost(SQLModel, table=True):
    """What the person composed: text and media, for some of their accounts, now or at a time."""

    __tablename__ = "social_posts"
    __table_args__ = (
        one_of("kind", _values(PostKind), "ck_social_posts_kind"),
        one_of("status", _values(PostStatus), "ck_social_posts_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    agent_id: int = owner_field("agents")
    kind: str = Field(default=PostKind.POST.value, max_length=8)
    text: str = Field(default="", sa_type=Text)
    media_ids: list[int] = json_field(list)
    status: str = Field(default=PostStatus.PUBLISHING.value, max_length=20, index=True)
    scheduled_at: datetime | None = timestamp_field(index=True)
    published_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = _updated_at_field()


class SocialPostTarget(SQLModel, table=True):
    """One account's side of a post, tracked on its own: its step, Meta's ids at each step, and its error."""

    __tablename__ = "social_post_targets"
    __table_args__ = (
        one_of("state", _values(TargetState), "ck_social_post_targets_state"),
        one_of("platform", PLATFORMS, "ck_social_post_targets_platform"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = owner_field("social_posts")
    user_id: int = owner_field("users")
    account_id: int | None = owner_field("social_accounts", nullable=True, ondelete="SET NULL")
    account_name: str = Field(max_length=200)
    platform: str = Field(max_length=16)
    state: str = Field(default=TargetState.WAITING.value, max_length=16, index=True)
    container_id: str | None = Field(default=None, max_length=64)
    child_ids: list[str] = json_field(list)
    published_id: str | None = Field(default=None, max_length=64)
    permalink: str | None = Field(default=None, max_length=2000)
    error: str | None = Field(default=None, max_length=1000, description="What went wrong, in plain words")
    action: str | None = Field(default=None, max_length=32, description="What the person can do (GraphAction)")
    attempts: int = 0
    polls: int = 0
    next_attempt_at: datetime | None = timestamp_field(index=True)
    updated_at: datetime = _updated_at_field()


class SocialInboxRead(SQLModel, table=True):
    """An inbox item the person has opened: a comment, or a conversation as of its last message."""

    __tablename__ = "social_inbox_reads"
    __table_args__ = (UniqueConstraint("user_id", "item_key", name="uq_social_inbox_reads_user_item"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    item_key: str = Field(max_length=200)
    read_at: datetime = created_at_field()
