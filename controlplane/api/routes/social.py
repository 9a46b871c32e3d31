"""The social media manager's routes (docs/social-media.md): setup, accounts and connecting them, feed, stories,
media, posts (now or scheduled) with each target's state, the publishing quota, and the inbox. The work is in
controlplane.social; these routes only read the request and hand it over. The AI assistant's routes are in
social_assistant.py."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse
from sqlalchemy import Engine
from sqlmodel import Session

from controlplane.api.deps import CurrentUser, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.db import in_worker
from controlplane.errors import InvalidField
from controlplane.models.social import Login, Platform, PostStatus, SocialAccount, SocialMedia, SocialPost
from controlplane.schemas.social import (
    ConnectionPick,
    ConnectStart,
    InboxRead,
    OAuthComplete,
    SocialAccountPublic,
    SocialComments,
    SocialConnectionPublic,
    SocialConversations,
    SocialFeed,
    SocialMediaPublic,
    SocialPostCreate,
    SocialPostPublic,
    SocialQuota,
    SocialReply,
    SocialReplySent,
    SocialSetup,
    SocialStories,
)
from controlplane.services.ownership import owned
from controlplane.social import accounts, feed, inbox, media, posts
from controlplane.social.context import SocialContext
from controlplane.social.feed import Opened
from controlplane.social.graph import publishing
from controlplane.social.publisher import Publisher, host_of
from controlplane.social.watchdog import sweep

router = APIRouter(prefix="/social", tags=["social"])
public_router = APIRouter(tags=["social"])  # no sign-in: Meta's crawler and the OAuth redirect reach these
MEDIA_PATH = r"/api/social/media"  # uploads are larger than other bodies (the body limit's own entry)
CONNECT_PAGE = "/social/connect"  # the PWA's page that finishes a connection
# What the route cannot say by itself (an id in the query or the body, Meta's answers); its other errors follow from
# its dependencies (api/documented_errors.py). These words replace the derived ones for their statuses, so they name
# the path's ids and the busy database too.
REFUSED: Responses = {
    404: {"description": "No such agent, account, connection, post or picture of yours"},
    409: {"description": "Not possible now: Meta refused (the body says why and what to do), or not set up"},
    503: {
        "description": "Meta could not be reached or asks to wait (the body says until when), or the database stayed "
        "busy (Retry-After)"
    },
}


def social_context(request: Request) -> SocialContext:
    context: SocialContext = request.app.state.social
    return context


def publisher_of(request: Request) -> Publisher:
    worker: Publisher = request.app.state.social_publisher
    return worker


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SocialDep = Annotated[SocialContext, Depends(social_context)]
AgentQuery = Annotated[Id, Query(description="The social media manager (agent) whose accounts to use")]
PlatformQuery = Annotated[Platform | None, Query(description="Only this platform; none: both")]


def _opened(ctx: SocialContext, session: Session, user_id: Id, agent_id: Id, platform: Platform | None) -> list[Opened]:
    found = accounts.accounts_of(session, user_id, agent_id)
    return [
        Opened(account, ctx.open(account.access_token))
        for account in found
        if platform is None or account.platform == platform
    ]


def opened_accounts(
    agent_id: AgentQuery, ctx: SocialDep, session: SessionDep, user: CurrentUser, platform: PlatformQuery = None
) -> list[Opened]:
    """The agent's accounts (of one platform, or both) with their tokens opened, for one request's reads."""
    return _opened(ctx, session, user.id or 0, agent_id, platform)


OpenedAccounts = Annotated[list[Opened], Depends(opened_accounts)]


def read_keys(session: SessionDep, user: CurrentUser) -> set[str]:
    return inbox.read_keys(session, user.id or 0)


ReadKeys = Annotated[set[str], Depends(read_keys)]


def _one_opened(ctx: SocialContext, session: Session, user_id: Id, account_id: Id) -> Opened:
    account = owned(session, SocialAccount, account_id, user_id, "Account")
    return Opened(account, ctx.open(account.access_token))


# -- setup and accounts ------------------------------------------------------------------------------------
@router.get("/setup", response_model=SocialSetup)
def get_setup(ctx: SocialDep, user: CurrentUser) -> SocialSetup:
    """Whether accounts can be connected here, and what the admin still has to set up."""
    return accounts.setup(ctx)


@router.get("/accounts", response_model=list[SocialAccountPublic], responses=REFUSED)
def list_accounts(
    session: SessionDep, user: CurrentUser, agent_id: Annotated[Id | None, Query()] = None
) -> list[SocialAccountPublic]:
    """The connected accounts (of one agent, or all), with their status: expiring or reconnect show Reconnect."""
    return [accounts.account_public(account) for account in accounts.accounts_of(session, user.id or 0, agent_id)]


@router.delete("/accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
def delete_account(account_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Disconnect an account: its token is forgotten here."""
    accounts.disconnect(session, user.id or 0, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/accounts/{account_id}/check", response_model=SocialAccountPublic, responses=REFUSED)
async def check_account(
    account_id: Id, request: Request, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> SocialAccountPublic:
    """Check the account's access with Meta now (the watchdog does it daily)."""
    owned(session, SocialAccount, account_id, user.id or 0, "Account")
    await sweep(engine_of(request), ctx, [account_id])
    session.expire_all()
    return accounts.account_public(owned(session, SocialAccount, account_id, user.id or 0, "Account"))


@router.get("/accounts/{account_id}/quota", response_model=SocialQuota, responses=REFUSED)
async def get_quota(account_id: Id, ctx: SocialDep, session: SessionDep, user: CurrentUser) -> SocialQuota:
    """How many of the day's Instagram posts are used (Meta's content_publishing_limit)."""
    opened = _one_opened(ctx, session, user.id or 0, account_id)
    if opened.account.platform != Platform.INSTAGRAM:
        raise InvalidField("account_id", "Only Instagram has a daily limit of posts.")
    async with ctx.graph() as client:
        quota = await publishing.publishing_quota(
            client, host_of(opened.account), opened.account.external_id, opened.token
        )
    return SocialQuota(account_id=account_id, used=quota.used, total=quota.total)


@router.get("/connect/{platform}", response_model=ConnectStart, responses=REFUSED)
def connect(
    platform: Login, agent_id: AgentQuery, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> ConnectStart:
    """Meta's login page for connecting accounts: `facebook` (Pages and their Instagram accounts) or `instagram`
    (an Instagram account without a Page). Its state is single-use and yours only."""
    return ConnectStart(url=accounts.connect_url(ctx, session, user.id or 0, agent_id, platform))


@router.post("/oauth/callback", response_model=SocialConnectionPublic, responses=REFUSED)
async def complete_connection(
    body: OAuthComplete, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> SocialConnectionPublic:
    """Finish a login: the PWA hands over what Meta sent to the callback. A state that is forged, used, expired or
    another person's is refused."""
    connection = await accounts.complete(ctx, session, user.id or 0, body.state, body.code)
    return accounts.connection_public(ctx, session, user.id or 0, connection.id or 0)


@router.get("/connections/{connection_id}", response_model=SocialConnectionPublic, responses=REFUSED)
def get_connection(connection_id: Id, ctx: SocialDep, session: SessionDep, user: CurrentUser) -> SocialConnectionPublic:
    """A finished login's accounts, to choose from."""
    return accounts.connection_public(ctx, session, user.id or 0, connection_id)


@router.post("/connections/{connection_id}", response_model=list[SocialAccountPublic], responses=REFUSED)
def pick_accounts(
    connection_id: Id, body: ConnectionPick, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> list[SocialAccountPublic]:
    """Connect the chosen accounts."""
    ids = accounts.pick(ctx, session, user.id or 0, connection_id, body.keys)
    return [accounts.account_public(owned(session, SocialAccount, i, user.id or 0, "Account")) for i in ids]


@public_router.get(
    "/api/social/oauth/callback",
    include_in_schema=True,
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
)
def oauth_callback(state: str = "", code: str = "", error: str = "", error_description: str = "") -> RedirectResponse:
    """Where Meta sends the browser back. The browser's page is signed in, this request is not: it goes on to the
    PWA's page, which hands `state` and `code` over with the person's session (POST, above)."""
    query = {"state": state[:200], "code": code[:2000]} if code else {"error": error_description or error or "refused"}
    return RedirectResponse(f"{CONNECT_PAGE}?{urlencode(query)}", status_code=status.HTTP_303_SEE_OTHER)


# -- reading -------------------------------------------------------------------------------------------------
@router.get("/feed", response_model=SocialFeed, responses=REFUSED)
async def get_feed(opened: OpenedAccounts, request: Request, ctx: SocialDep) -> SocialFeed:
    """Your own posts with their metrics, newest first; an account that could not be read is a problem above them."""
    return await feed.feed(engine_of(request), ctx, opened)


@router.get("/stories", response_model=SocialStories, responses=REFUSED)
async def get_stories(opened: OpenedAccounts, request: Request, ctx: SocialDep) -> SocialStories:
    """Your current stories (the last 24 hours), with their metrics where Meta gives them."""
    return await feed.stories(engine_of(request), ctx, opened)


# -- media -----------------------------------------------------------------------------------------------------
@router.post(
    "/media",
    response_model=SocialMediaPublic,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED,
    openapi_extra={
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def upload_media(
    request: Request,
    ctx: SocialDep,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Query(max_length=255, description="The file's name")] = "upload",
) -> SocialMediaPublic:
    """Upload a picture or a video: the body is the file itself, its Content-Type the file's type. Pictures are
    kept as JPEG (Instagram takes nothing else)."""
    content_type = request.headers.get("content-type", "")
    with tempfile.TemporaryDirectory(prefix="autocode-upload-") as folder:
        path = Path(folder) / "upload"
        size = 0
        with path.open("wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                await asyncio.to_thread(handle.write, chunk)
        if size == 0:
            raise InvalidField("file", "The file is empty.")
        upload = media.Upload(path=path, name=name, content_type=content_type)
        saved = await in_worker(session, lambda s: media.save_upload(ctx, s, user.id or 0, upload))
    return posts.media_public(saved)


@router.get("/media/{media_id}", response_class=FileResponse)
def get_media(media_id: Id, ctx: SocialDep, session: SessionDep, user: CurrentUser) -> FileResponse:
    """One of your uploads (the composer's preview)."""
    found = owned(session, SocialMedia, media_id, user.id or 0, "Picture or video")
    return FileResponse(media.stored_path(ctx, found), media_type=found.content_type)


@router.delete("/media/{media_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
def delete_media(media_id: Id, ctx: SocialDep, session: SessionDep, user: CurrentUser) -> Response:
    found = owned(session, SocialMedia, media_id, user.id or 0, "Picture or video")
    media.delete_media(ctx, session, found)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public_router.get("/api/social/public-media/{token}", response_class=FileResponse, include_in_schema=False)
def public_media(token: str, request: Request) -> FileResponse:
    """A signed, short-lived URL that Meta fetches a post's media from; nothing lists these."""
    ctx: SocialContext = request.app.state.social
    with Session(engine_of(request)) as session:
        path, content_type = media.resolve_public(ctx, session, token)
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "private, max-age=600"})


@public_router.get("/robots.txt", response_class=PlainTextResponse, include_in_schema=False)
def robots() -> PlainTextResponse:
    """Meta's crawler may fetch post media (a blocked fetch is Meta's error 2207052); nothing else is for robots."""
    return PlainTextResponse(media.ROBOTS_TXT)


# -- posts -------------------------------------------------------------------------------------------------------
@router.post("/posts", response_model=SocialPostPublic, status_code=status.HTTP_202_ACCEPTED, responses=REFUSED)
def create_post(
    body: SocialPostCreate, request: Request, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> SocialPostPublic:
    """Publish a post (or a story) to the chosen accounts, now or at `scheduled_at`. Each account's target is
    tracked on its own (GET /posts/{id}); a retry never posts twice."""
    post = posts.create_post(session, user.id or 0, body, ctx.now())
    publisher_of(request).wake()
    return posts.post_public(session, post)


@router.get("/posts", response_model=list[SocialPostPublic], responses=REFUSED)
def list_posts(
    agent_id: AgentQuery,
    session: SessionDep,
    user: CurrentUser,
    status_filter: Annotated[PostStatus | None, Query(alias="status")] = None,
) -> list[SocialPostPublic]:
    """Posts made here: `status=scheduled` is the calendar (by time); without it, the newest first."""
    found = posts.list_posts(session, user.id or 0, agent_id, status_filter)
    return [posts.post_public(session, post) for post in found]


@router.get("/posts/{post_id}", response_model=SocialPostPublic)
def get_post(post_id: Id, session: SessionDep, user: CurrentUser) -> SocialPostPublic:
    return posts.post_public(session, owned(session, SocialPost, post_id, user.id or 0, "Post"))


@router.delete("/posts/{post_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
def delete_post(post_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Call off a scheduled post, or remove a finished one from the list (not from Instagram or Facebook)."""
    posts.cancel_or_delete(session, user.id or 0, post_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/posts/{post_id}/retry", response_model=SocialPostPublic, responses=REFUSED)
def retry_post(post_id: Id, request: Request, session: SessionDep, user: CurrentUser) -> SocialPostPublic:
    """Try the failed targets again; published ones are left alone."""
    post = posts.retry_failed(session, user.id or 0, post_id)
    publisher_of(request).wake()
    return posts.post_public(session, post)


# -- inbox -------------------------------------------------------------------------------------------------------
@router.get("/comments", response_model=SocialComments, responses=REFUSED)
async def get_comments(opened: OpenedAccounts, read: ReadKeys, request: Request, ctx: SocialDep) -> SocialComments:
    """Comments on your recent posts, with their replies; unread first."""
    return await inbox.comments(engine_of(request), ctx, opened, read)


@router.post("/comments/{comment_id}/reply", response_model=SocialReplySent, responses=REFUSED)
async def reply_to_comment(
    comment_id: str, body: SocialReply, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> SocialReplySent:
    """Reply to a comment, as the account it was made on."""
    opened = await in_worker(session, lambda s: _one_opened(ctx, s, user.id or 0, body.account_id))
    reply_id = await inbox.reply_to_comment(ctx, opened, comment_id, body.text)
    await in_worker(session, lambda s: inbox.mark_read(s, user.id or 0, [inbox.comment_key(comment_id)], ctx.now()))
    return SocialReplySent(id=reply_id)


@router.get("/dms", response_model=SocialConversations, responses=REFUSED)
async def get_dms(opened: OpenedAccounts, read: ReadKeys, request: Request, ctx: SocialDep) -> SocialConversations:
    """Your conversations (Instagram and Messenger), unread first; each says whether a reply can be sent now."""
    return await inbox.conversations(engine_of(request), ctx, opened, read)


@router.post("/dms/{conversation_id}/reply", response_model=SocialReplySent, responses=REFUSED)
async def reply_to_dm(
    conversation_id: str, body: SocialReply, ctx: SocialDep, session: SessionDep, user: CurrentUser
) -> SocialReplySent:
    """Reply in a conversation: within 24 hours of the person's last message (Meta's rule)."""
    opened = await in_worker(session, lambda s: _one_opened(ctx, s, user.id or 0, body.account_id))
    message_id = await inbox.reply_to_conversation(ctx, opened, conversation_id, body.text)
    return SocialReplySent(id=message_id)


@router.post("/inbox/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_read(body: InboxRead, ctx: SocialDep, session: SessionDep, user: CurrentUser) -> Response:
    """Mark comments (`comment:<id>`) and conversations (`dm:…`, as given) as read."""
    inbox.mark_read(session, user.id or 0, body.keys, ctx.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
