"""Request and response bodies of the social media manager (docs/social-media.md). No body ever carries a token.

What Meta refused comes back as a `SocialProblem`: Meta's trouble in plain words and the one thing the person can
do about it (`action`), with the time to wait for when there is one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from controlplane.api.ids import BodyId
from controlplane.models.social import AccountStatus, Login, MediaKind, Platform, PostKind, PostStatus, TargetState
from controlplane.rules import length_rule
from controlplane.schemas.common import STRICT_BODY, SaidAs

CAPTION_MAX = 2200  # Instagram's caption limit; Facebook allows more, a post for both must fit both
REPLY_MAX = 1000
HASHTAGS_MAX = 30
CAROUSEL_MAX = 10

# What the person can do about a problem (controlplane.social.graph.errors.GraphAction's words).
Action = Literal[
    "reconnect",
    "wait",
    "fix_media",
    "ask_admin",
    "retry",
    "fix_input",
    "window_closed",
    "advanced_access",
    "not_ready",
    "quota",
]


class SocialProblem(BaseModel):
    """Why something from Meta is missing or was refused, and what to do about it."""

    message: str = Field(description="In plain words, with what to do")
    action: Action
    retry_at: datetime | None = Field(default=None, description="When waiting is the answer: until when")
    account_id: int | None = Field(default=None, description="The account it concerns, when it concerns one")
    account_name: str | None = None


# -- setup and accounts ------------------------------------------------------------------------------------
class SocialSetup(BaseModel):
    """Whether this server can connect accounts; when it cannot, what the admin has to do (the PWA shows steps)."""

    ready: bool = Field(description="A Meta app and the public address are configured")
    missing: list[Literal["meta_app", "public_url"]] = Field(description="What the admin still has to set up")
    redirect_uri: str | None = Field(description="The address to enter in the Meta app as its OAuth redirect")
    media_url_prefix: str | None = Field(description="Where Meta fetches uploads (must not be blocked)")
    graph_version: str


class SocialAccountPublic(BaseModel):
    id: int
    agent_id: int
    platform: Platform
    login: Login = Field(description="Connected through Facebook Login (a Page) or Instagram Login")
    name: str
    username: str | None
    picture_url: str | None
    status: AccountStatus = Field(description="connected; expiring or reconnect: show Reconnect")
    status_note: str | None = Field(description="Why it needs reconnecting, in plain words")
    token_expires_at: datetime | None
    data_access_expires_at: datetime | None
    checked_at: datetime | None
    created_at: datetime


class ConnectStart(BaseModel):
    url: str = Field(description="Meta's login page: open it in this window")


class OAuthComplete(BaseModel):
    """What Meta sent back to the callback, handed over by the signed-in PWA."""

    model_config = STRICT_BODY

    state: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class ConnectionCandidate(BaseModel):
    key: str = Field(description="Pass back to choose it")
    platform: Platform
    name: str
    username: str | None
    picture_url: str | None
    already_connected: bool
    note: str | None = Field(description="E.g. an Instagram account reached through this Page")


class SocialConnectionPublic(BaseModel):
    """A login back from Meta, waiting for the person to choose the accounts to connect."""

    id: int
    agent_id: int
    login: Login
    candidates: list[ConnectionCandidate]
    problem: str | None = Field(description="Something Meta left out (a refused permission, an unlinked account)")
    expires_at: datetime


class ConnectionPick(BaseModel):
    model_config = STRICT_BODY

    keys: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(min_length=1, max_length=50)


# -- reading -------------------------------------------------------------------------------------------------
class SocialPostView(BaseModel):
    """A post already on Instagram or Facebook, with its metrics (those Meta gave)."""

    id: str
    account_id: int
    account_name: str
    platform: Platform
    text: str
    media_type: str
    media_url: str | None
    thumbnail_url: str | None
    permalink: str | None
    created_at: datetime
    metrics: dict[str, int] = Field(description="reach, views, likes, comments, shares, saves: those Meta gave")


class SocialFeed(BaseModel):
    posts: list[SocialPostView] = Field(description="The newest first")
    problems: list[SocialProblem] = Field(description="Accounts that could not be read, and why")


class SocialStoryView(BaseModel):
    id: str
    account_id: int
    account_name: str
    platform: Platform
    media_type: str
    media_url: str | None
    thumbnail_url: str | None
    permalink: str | None
    created_at: datetime
    metrics: dict[str, int]


class SocialStories(BaseModel):
    stories: list[SocialStoryView]
    problems: list[SocialProblem]


# -- media and posts -----------------------------------------------------------------------------------------
class SocialMediaPublic(BaseModel):
    id: int
    kind: MediaKind
    content_type: str = Field(description="As stored: pictures are kept as JPEG for Instagram")
    name: str
    size: int
    width: int | None
    height: int | None
    created_at: datetime


PostText = Annotated[
    str,
    StringConstraints(max_length=CAPTION_MAX),
    SaidAs(f"At most {CAPTION_MAX:,} characters, Instagram's limit."),
]


class SocialPostCreate(BaseModel):
    """A post (or a story) for some of the person's accounts of one agent, now or at `scheduled_at`."""

    model_config = STRICT_BODY

    agent_id: BodyId
    kind: PostKind = PostKind.POST
    text: PostText = ""
    media_ids: list[BodyId] = Field(default_factory=list, max_length=CAROUSEL_MAX)
    account_ids: list[BodyId] = Field(min_length=1, max_length=20)
    scheduled_at: datetime | None = Field(default=None, description="Publish at this time (aware); none: now")


class SocialTargetPublic(BaseModel):
    id: int
    account_id: int | None
    account_name: str
    platform: Platform
    state: TargetState
    permalink: str | None
    error: str | None
    action: Action | None
    next_attempt_at: datetime | None
    updated_at: datetime


class SocialPostPublic(BaseModel):
    id: int
    agent_id: int
    kind: PostKind
    text: str
    media: list[SocialMediaPublic]
    status: PostStatus
    scheduled_at: datetime | None
    published_at: datetime | None
    targets: list[SocialTargetPublic]
    created_at: datetime
    updated_at: datetime


class SocialQuota(BaseModel):
    account_id: int
    used: int
    total: int


# -- inbox ---------------------------------------------------------------------------------------------------
class SocialCommentView(BaseModel):
    id: str
    account_id: int
    account_name: str
    platform: Platform
    post_id: str
    post_text: str | None
    author: str
    text: str
    created_at: datetime
    replies: list[SocialCommentView]
    can_reply: bool
    unread: bool
    read_key: str = Field(description="Send to /inbox/read once it was seen")


class SocialComments(BaseModel):
    comments: list[SocialCommentView] = Field(description="Unread first, then the newest")
    problems: list[SocialProblem]


class SocialMessageView(BaseModel):
    id: str
    from_me: bool
    author: str
    text: str
    created_at: datetime


class SocialConversationView(BaseModel):
    id: str
    account_id: int
    account_name: str
    platform: Literal["instagram", "messenger"]
    participant: str
    updated_at: datetime
    messages: list[SocialMessageView] = Field(description="Oldest first (Meta gives the 20 newest)")
    unread: bool
    read_key: str = Field(description="Send to /inbox/read once it was seen")
    can_reply: bool = Field(description="Within 24 hours of the person's last message")
    reply_problem: SocialProblem | None = Field(description="Why a reply cannot be sent now, when it cannot")


class SocialConversations(BaseModel):
    conversations: list[SocialConversationView] = Field(description="Unread first, then the newest")
    problems: list[SocialProblem]


ReplyText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REPLY_MAX),
    SaidAs(length_rule(1, REPLY_MAX)),
]


class SocialReply(BaseModel):
    model_config = STRICT_BODY

    account_id: BodyId
    text: ReplyText


class SocialReplySent(BaseModel):
    id: str


class InboxRead(BaseModel):
    """Items the person has seen: `comment:<id>` or `dm:<conversation id>`."""

    model_config = STRICT_BODY

    keys: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(min_length=1, max_length=200)
