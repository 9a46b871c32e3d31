"""The publishing worker: every target of every post moves through its steps one at a time, each step written to
the database before the call that follows it, so a restart, a retry or a lost answer resumes where it stopped and
never posts twice.

Instagram: containers are created (carousel children first, each id kept as soon as Meta gives it), then polled
until Meta has fetched and processed the media, then published. Before every publish the container is read: one
already PUBLISHED is done (the answer to an earlier publish was lost). Facebook has no container: a target whose
publish was sent but not answered is checked against the Page's newest posts before anything is sent again.

Scheduled posts are the same rows with a time; the worker wakes every few seconds and on every new post."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from controlplane.models.social import (
    AccountStatus,
    Login,
    MediaKind,
    Platform,
    PostKind,
    PostStatus,
    SocialAccount,
    SocialMedia,
    SocialPost,
    SocialPostTarget,
    TargetState,
)
from controlplane.social import media as media_files
from controlplane.social.context import SocialContext
from controlplane.social.graph import publishing
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError, GraphUnreachable
from controlplane.social.graph.types import ContainerStatus, Host
from controlplane.social.posts import ACTIVE_TARGET_STATES, targets_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # transient failures of one target before it is shown as failed with Retry
RETRY_GROWTH = 6.0  # each wait after a passing failure is this much longer than the one before
MAX_POLL_SECONDS = 60.0
MAX_POLLS = 200  # Meta processing a video for longer than this many polls: give up, say so
FIXED_BY_PERSON = frozenset(
    {GraphAction.FIX_MEDIA, GraphAction.FIX_INPUT, GraphAction.ASK_ADMIN, GraphAction.ADVANCED_ACCESS}
)
PUBLISHED_ELSEWHERE = "Published."
PROCESSING_TOO_LONG = "Instagram took too long to process the video: try a shorter or smaller one."


def host_of(account: SocialAccount) -> Host:
    return Host.INSTAGRAM if account.login == Login.INSTAGRAM else Host.FACEBOOK


@dataclass
class Work:
    """One step's inputs, read from the database in a worker thread: nothing here is a live row."""

    target_id: int
    post_id: int
    state: TargetState
    platform: Platform
    kind: PostKind
    text: str
    media: list[SocialMedia]
    account: SocialAccount | None
    token: str | None
    container_id: str | None
    child_ids: list[str]
    polls: int
    attempts: int
    since: datetime


@dataclass
class Outcome:
    """What a step changed; written back in one transaction."""

    state: TargetState | None = None
    container_id: str | None = None
    child_ids: list[str] | None = None
    published_id: str | None = None
    permalink: str | None = None
    error: str | None = None
    action: GraphAction | None = None
    next_attempt_at: datetime | None = None
    polls: int | None = None
    attempts: int | None = None
    reconnect: str | None = None  # the account lost access: this is why


@dataclass
class Publisher:
    engine: Engine
    ctx: SocialContext
    interval_seconds: float = 3.0
    poll_seconds: float = 3.0
    retry_seconds: float = 5.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    # -- the loop ---------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.ctx.config is not None and self._task is None:
            self._task = asyncio.create_task(self._run(), name="social-publisher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:  # the worker must outlive any one bad row; the row keeps its state for next time
                log.exception("social publisher pass failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_seconds)

    async def run_due(self) -> int:
        """One pass: scheduled posts whose time came start; every due target takes one step. Returns the steps."""
        due = await asyncio.to_thread(self._due_targets)
        for target_id in due:
            await self.step(target_id)
        return len(due)

    def _due_targets(self) -> list[int]:
        now = self.ctx.now()
        with Session(self.engine) as session:
            starting = session.exec(
                select(SocialPost).where(
                    SocialPost.status == PostStatus.SCHEDULED.value, col(SocialPost.scheduled_at) <= now
                )
            ).all()
            for post in starting:
                post.status = PostStatus.PUBLISHING.value
                session.add(post)
            session.commit()
            active = [state.value for state in ACTIVE_TARGET_STATES]
            query = (
                select(SocialPostTarget.id, SocialPostTarget.next_attempt_at)
                .join(SocialPost, col(SocialPost.id) == SocialPostTarget.post_id)
                .where(SocialPost.status == PostStatus.PUBLISHING.value, col(SocialPostTarget.state).in_(active))
            )
            rows = session.exec(query.order_by(col(SocialPostTarget.id))).all()
            return [target_id for target_id, when in rows if target_id is not None and (when is None or when <= now)]

    # -- one step ---------------------------------------------------------------------------------------
    async def step(self, target_id: int) -> None:
        work = await asyncio.to_thread(self._read, target_id)
        if work is None:
            return
        try:
            async with self.ctx.graph() as client:
                outcome = await self._advance(client, work)
        except GraphError as error:
            outcome = self._failed(work, error)
        await asyncio.to_thread(self._write, work, outcome)

    def _read(self, target_id: int) -> Work | None:
        with Session(self.engine) as session:
            target = session.get(SocialPostTarget, target_id)
            post = session.get(SocialPost, target.post_id) if target else None
            if target is None or post is None or target.state not in ACTIVE_TARGET_STATES:
                return None
            account = session.get(SocialAccount, target.account_id) if target.account_id else None
            media = [found for found in (session.get(SocialMedia, mid) for mid in post.media_ids) if found]
            return Work(
                target_id=target_id,
                post_id=post.id or 0,
                state=TargetState(target.state),
                platform=Platform(target.platform),
                kind=PostKind(post.kind),
                text=post.text,
                media=media,
                account=account,
                token=self.ctx.open(account.access_token) if account else None,
                container_id=target.container_id,
                child_ids=list(target.child_ids),
                polls=target.polls,
                attempts=target.attempts,
                since=target.updated_at,
            )

    async def _advance(self, client: GraphClient, work: Work) -> Outcome:
        if work.account is None or work.token is None:
            return Outcome(TargetState.FAILED, error="This account was disconnected.", action=GraphAction.RECONNECT)
        if work.account.status == AccountStatus.RECONNECT:
            return Outcome(TargetState.FAILED, error=work.account.status_note, action=GraphAction.RECONNECT)
        if work.platform == Platform.INSTAGRAM:
            return await self._instagram(client, work, work.account, work.token)
        return await self._facebook(client, work, work.account, work.token)

    # -- Instagram ------------------------------------------------------------------------------------------
    async def _instagram(self, client: GraphClient, work: Work, account: SocialAccount, token: str) -> Outcome:
        host, user = host_of(account), account.external_id
        if work.state in (TargetState.WAITING, TargetState.PREPARING):
            return await self._create_containers(client, work, host, user, token)
        assert work.container_id is not None  # noqa: S101 - PROCESSING and PUBLISHING always have one
        status, message = await publishing.container_status(client, host, work.container_id, token)
        if status == ContainerStatus.PUBLISHED:
            return await self._done(client, host, token, None)
        if status == ContainerStatus.EXPIRED:  # made more than a day ago and never published: make a new one
            return Outcome(TargetState.WAITING, container_id="", child_ids=[], polls=0)
        if status == ContainerStatus.ERROR:
            text = f"Instagram could not use this picture or video: {message or 'it was refused'}."
            return Outcome(TargetState.FAILED, error=text, action=GraphAction.FIX_MEDIA)
        if status == ContainerStatus.IN_PROGRESS:
            if work.polls >= MAX_POLLS:
                return Outcome(TargetState.FAILED, error=PROCESSING_TOO_LONG, action=GraphAction.FIX_MEDIA)
            wait = min(self.poll_seconds * (1.3 ** min(work.polls, 20)), MAX_POLL_SECONDS)
            return Outcome(
                TargetState.PROCESSING, polls=work.polls + 1, next_attempt_at=self.ctx.now() + timedelta(seconds=wait)
            )
        # FINISHED: publish. The step is written first, so a lost answer is checked above next time.
        await asyncio.to_thread(self._mark, work.target_id, TargetState.PUBLISHING)
        try:
            media_id = await publishing.publish_container(client, host, user, work.container_id, token)
        except GraphUnreachable:
            return Outcome(TargetState.PUBLISHING, next_attempt_at=self.ctx.now() + timedelta(seconds=1))
        return await self._done(client, host, token, media_id)

    async def _create_containers(self, client: GraphClient, work: Work, host: Host, user: str, token: str) -> Outcome:
        quota = await publishing.publishing_quota(client, host, user, token)
        if quota.total and quota.used >= quota.total:
            tomorrow = self.ctx.now() + timedelta(hours=24)
            text = f"Instagram's limit of {quota.total} posts a day is reached; this one waits until it frees up."
            return Outcome(TargetState.WAITING, error=text, action=GraphAction.QUOTA, next_attempt_at=tomorrow)
        urls = [(item, media_files.public_url(self.ctx, item)) for item in work.media]
        if work.kind == PostKind.STORY:
            item, url = urls[0]
            container = await publishing.create_container(
                client, host, user, token, kind="STORIES", image_url=_image(item, url), video_url=_video(item, url)
            )
        elif len(urls) == 1:
            item, url = urls[0]
            kind = "IMAGE" if item.kind == MediaKind.IMAGE else "REELS"
            container = await publishing.create_container(
                client,
                host,
                user,
                token,
                kind=kind,
                caption=work.text,
                image_url=_image(item, url),
                video_url=_video(item, url),
            )
        else:
            children = list(work.child_ids)
            for item, url in urls[len(children) :]:
                kind = "IMAGE" if item.kind == MediaKind.IMAGE else "VIDEO"
                child = await publishing.create_container(
                    client,
                    host,
                    user,
                    token,
                    kind=kind,
                    is_carousel_item=True,
                    image_url=_image(item, url),
                    video_url=_video(item, url),
                )
                children.append(child)
                await asyncio.to_thread(self._keep_children, work.target_id, children)
            container = await publishing.create_container(
                client, host, user, token, kind="CAROUSEL", caption=work.text, children=children
            )
        return Outcome(TargetState.PROCESSING, container_id=container, polls=0, error="", next_attempt_at=None)

    async def _done(self, client: GraphClient, host: Host, token: str, media_id: str | None) -> Outcome:
        permalink = None
        if media_id:
            try:
                permalink = await publishing.media_permalink(client, host, media_id, token)
            except GraphError:
                permalink = None  # published all the same; the link is a nicety
        return Outcome(TargetState.PUBLISHED, published_id=media_id, permalink=permalink, error="")

    # -- Facebook -------------------------------------------------------------------------------------------
    async def _facebook(self, client: GraphClient, work: Work, account: SocialAccount, token: str) -> Outcome:
        page = account.external_id
        if work.state == TargetState.PUBLISHING:  # sent before, answer unknown: look before sending again
            found = await _find_page_post(client, page, token, work.text, work.since - timedelta(minutes=5))
            if found is not None:
                return Outcome(TargetState.PUBLISHED, published_id=found[0], permalink=found[1], error="")
        await asyncio.to_thread(self._mark, work.target_id, TargetState.PUBLISHING)
        urls = [(item, media_files.public_url(self.ctx, item)) for item in work.media]
        try:
            if work.kind == PostKind.STORY:
                item, url = urls[0]
                if item.kind == MediaKind.IMAGE:
                    post_id = await publishing.facebook_photo_story(client, page, token, url=url)
                else:
                    post_id = await publishing.facebook_video_story(client, page, token, file_url=url)
            elif not urls:
                post_id = await publishing.facebook_post(client, page, token, message=work.text)
            elif len(urls) == 1 and urls[0][0].kind == MediaKind.IMAGE:
                post_id = await publishing.facebook_photo(client, page, token, url=urls[0][1], caption=work.text)
            elif len(urls) == 1:
                post_id = await publishing.facebook_video(
                    client, page, token, file_url=urls[0][1], description=work.text
                )
            else:
                post_id = await publishing.facebook_photos_post(
                    client, page, token, message=work.text, urls=[url for _, url in urls]
                )
        except GraphUnreachable:
            return Outcome(TargetState.PUBLISHING, next_attempt_at=self.ctx.now() + timedelta(seconds=1))
        permalink = None
        if work.kind == PostKind.POST:  # a story has no lasting link
            try:
                permalink = await publishing.facebook_permalink(client, post_id, token)
            except GraphError:
                permalink = None  # published all the same; the link is a nicety
        return Outcome(TargetState.PUBLISHED, published_id=post_id, permalink=permalink, error="")

    # -- failures -----------------------------------------------------------------------------------------
    def _failed(self, work: Work, error: GraphError) -> Outcome:
        now = self.ctx.now()
        if error.action == GraphAction.RECONNECT:
            return Outcome(TargetState.FAILED, error=error.plain, action=error.action, reconnect=error.plain)
        if error.action in FIXED_BY_PERSON:
            return Outcome(TargetState.FAILED, error=error.plain, action=error.action)
        if error.action == GraphAction.NOT_READY:  # published too early: poll the container again
            wait = timedelta(seconds=self.poll_seconds)
            return Outcome(TargetState.PROCESSING, next_attempt_at=now + wait, polls=work.polls + 1)
        if error.action in (GraphAction.WAIT, GraphAction.QUOTA) and error.retry_at is not None:
            return Outcome(error=error.plain, action=error.action, next_attempt_at=error.retry_at)
        attempts = work.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            return Outcome(TargetState.FAILED, error=error.plain, action=error.action, attempts=attempts)
        delay = self.retry_seconds * RETRY_GROWTH ** (attempts - 1)
        return Outcome(
            error=error.plain, action=error.action, attempts=attempts, next_attempt_at=now + timedelta(seconds=delay)
        )

    # -- writing ------------------------------------------------------------------------------------------
    def _mark(self, target_id: int, state: TargetState) -> None:
        with Session(self.engine) as session:
            target = session.get(SocialPostTarget, target_id)
            if target is not None:
                target.state = state.value
                session.add(target)
                session.commit()

    def _keep_children(self, target_id: int, children: list[str]) -> None:
        with Session(self.engine) as session:
            target = session.get(SocialPostTarget, target_id)
            if target is not None:
                target.child_ids = list(children)
                target.state = TargetState.PREPARING.value
                session.add(target)
                session.commit()

    def _write(self, work: Work, outcome: Outcome) -> None:
        with Session(self.engine) as session:
            target = session.get(SocialPostTarget, work.target_id)
            if target is None:
                return
            if outcome.state is not None:
                target.state = outcome.state.value
            if outcome.container_id is not None:
                target.container_id = outcome.container_id or None
            if outcome.child_ids is not None:
                target.child_ids = outcome.child_ids
            if outcome.published_id is not None:
                target.published_id = outcome.published_id
            if outcome.permalink is not None:
                target.permalink = outcome.permalink
            if outcome.error is not None:
                target.error = outcome.error or None
                target.action = outcome.action.value if outcome.action and outcome.error else None
            if outcome.polls is not None:
                target.polls = outcome.polls
            if outcome.attempts is not None:
                target.attempts = outcome.attempts
            target.next_attempt_at = outcome.next_attempt_at
            session.add(target)
            if outcome.reconnect and work.account is not None:
                account = session.get(SocialAccount, work.account.id)
                if account is not None:
                    account.status = AccountStatus.RECONNECT.value
                    account.status_note = outcome.reconnect
                    session.add(account)
            session.flush()
            _settle_post(session, work.post_id, self.ctx.now())
            session.commit()


def _image(item: SocialMedia, url: str) -> str | None:
    return url if item.kind == MediaKind.IMAGE else None


def _video(item: SocialMedia, url: str) -> str | None:
    return url if item.kind == MediaKind.VIDEO else None


async def _find_page_post(
    client: GraphClient, page: str, token: str, text: str, since: datetime
) -> tuple[str, str | None] | None:
    """A post of the Page's since `since` with this text: the one an unanswered publish made."""
    params = {"fields": "id,message,created_time,permalink_url", "since": str(int(since.timestamp())), "limit": "25"}
    answer = await client.get(Host.FACEBOOK, f"{page}/published_posts", token, params)
    for item in answer.get("data", []):
        if isinstance(item, dict) and (item.get("message") or "") == text:
            return str(item["id"]), item.get("permalink_url")
    return None


def _settle_post(session: Session, post_id: int, now: datetime) -> None:
    """The post's status from its targets'."""
    post = session.get(SocialPost, post_id)
    if post is None or post.status != PostStatus.PUBLISHING:
        return
    states = [TargetState(target.state) for target in targets_of(session, post_id)]
    if any(state in ACTIVE_TARGET_STATES for state in states):
        return
    published = states.count(TargetState.PUBLISHED)
    if published == len(states):
        post.status = PostStatus.PUBLISHED.value
    elif published:
        post.status = PostStatus.PARTLY.value
    else:
        post.status = PostStatus.FAILED.value
    if published:
        post.published_at = now
    session.add(post)
