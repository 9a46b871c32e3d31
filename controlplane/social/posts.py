"""Posts as the composer makes them: checked against what each platform takes, stored with one target per account
before anything is sent to Meta, then left to the publisher (now, or at their time). A scheduled post can be called
off until it starts; a failed target can be tried again."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from controlplane.errors import Conflict, InvalidField, NotFound
from controlplane.models import Agent
from controlplane.models.social import (
    AccountStatus,
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
from controlplane.schemas.social import (
    HASHTAGS_MAX,
    SocialMediaPublic,
    SocialPostCreate,
    SocialPostPublic,
    SocialTargetPublic,
)
from controlplane.services.ownership import owned

SOCIAL_MEDIA = "social_media"
ACTIVE_TARGET_STATES = (TargetState.WAITING, TargetState.PREPARING, TargetState.PROCESSING, TargetState.PUBLISHING)


def social_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != SOCIAL_MEDIA:
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only a social media manager has accounts and posts")
    return agent


def media_public(media: SocialMedia) -> SocialMediaPublic:
    return SocialMediaPublic(
        id=media.id or 0,
        kind=MediaKind(media.kind),
        content_type=media.content_type,
        name=media.original_name,
        size=media.size,
        width=media.width,
        height=media.height,
        created_at=media.created_at,
    )


def _check(body: SocialPostCreate, accounts: list[SocialAccount], media: list[SocialMedia], now: datetime) -> None:
    """What the platforms would refuse, said under the field before anything is sent."""
    platforms = {account.platform for account in accounts}
    videos = [item for item in media if item.kind == MediaKind.VIDEO]
    if body.kind == PostKind.STORY and len(media) != 1:
        raise InvalidField("media_ids", "A story is one picture or one video.")
    if Platform.INSTAGRAM in platforms and not media:
        raise InvalidField("media_ids", "Instagram needs a picture or a video: add one, or post to Facebook only.")
    if len(media) > 1 and (videos and Platform.FACEBOOK in platforms):
        raise InvalidField("media_ids", "Facebook takes several pictures or one video in a post, not both.")
    if len(set(body.media_ids)) != len(body.media_ids):
        raise InvalidField("media_ids", "The same picture is in the post twice.")
    if not media and not body.text.strip():
        raise InvalidField("text", "Write something or add a picture.")
    if body.text.count("#") > HASHTAGS_MAX and Platform.INSTAGRAM in platforms:
        raise InvalidField("text", f"Instagram takes at most {HASHTAGS_MAX} hashtags in a post.")
    if body.scheduled_at is not None:
        if body.scheduled_at.tzinfo is None:
            raise InvalidField("scheduled_at", "Give the time with its time zone.")
        if body.scheduled_at <= now:
            raise InvalidField("scheduled_at", "Pick a time in the future, or publish now.")
    refused = [account.account_name for account in accounts if account.status == AccountStatus.RECONNECT]
    if refused:
        raise InvalidField("account_ids", f"Connect {', '.join(refused)} again first (Accounts, Reconnect).")


def create_post(session: Session, user_id: int, body: SocialPostCreate, now: datetime) -> SocialPost:
    """The post and one waiting target per chosen account, stored before anything goes to Meta."""
    social_agent(session, user_id, body.agent_id)
    accounts = [owned(session, SocialAccount, account_id, user_id, "Account") for account_id in body.account_ids]
    if any(account.agent_id != body.agent_id for account in accounts):
        raise NotFound("Account")
    media = [owned(session, SocialMedia, media_id, user_id, "Picture or video") for media_id in body.media_ids]
    _check(body, accounts, media, now)
    post = SocialPost(
        user_id=user_id,
        agent_id=body.agent_id,
        kind=body.kind.value,
        text=body.text,
        media_ids=list(body.media_ids),
        status=(PostStatus.SCHEDULED if body.scheduled_at else PostStatus.PUBLISHING).value,
        scheduled_at=body.scheduled_at,
    )
    session.add(post)
    session.flush()
    for account in {account.id: account for account in accounts}.values():
        session.add(
            SocialPostTarget(
                post_id=post.id or 0,
                user_id=user_id,
                account_id=account.id,
                account_name=account.account_name,
                platform=account.platform,
            )
        )
    session.commit()
    session.refresh(post)
    return post


def targets_of(session: Session, post_id: int) -> list[SocialPostTarget]:
    query = select(SocialPostTarget).where(SocialPostTarget.post_id == post_id)
    return list(session.exec(query.order_by(col(SocialPostTarget.id))).all())


def post_public(session: Session, post: SocialPost) -> SocialPostPublic:
    media = [session.get(SocialMedia, media_id) for media_id in post.media_ids]
    return SocialPostPublic(
        id=post.id or 0,
        agent_id=post.agent_id,
        kind=PostKind(post.kind),
        text=post.text,
        media=[media_public(item) for item in media if item is not None],
        status=PostStatus(post.status),
        scheduled_at=post.scheduled_at,
        published_at=post.published_at,
        targets=[
            SocialTargetPublic(
                id=target.id or 0,
                account_id=target.account_id,
                account_name=target.account_name,
                platform=Platform(target.platform),
                state=TargetState(target.state),
                permalink=target.permalink,
                error=target.error,
                action=target.action,  # type: ignore[arg-type]  # GraphAction's words, checked by the schema
                next_attempt_at=target.next_attempt_at,
                updated_at=target.updated_at,
            )
            for target in targets_of(session, post.id or 0)
        ],
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


def list_posts(session: Session, user_id: int, agent_id: int, status: PostStatus | None) -> list[SocialPost]:
    """The agent's posts: scheduled ones by their time, the others newest first."""
    social_agent(session, user_id, agent_id)
    query = select(SocialPost).where(SocialPost.user_id == user_id, SocialPost.agent_id == agent_id)
    if status is not None:
        query = query.where(SocialPost.status == status.value)
    posts = list(session.exec(query.order_by(col(SocialPost.id).desc())).all())
    if status == PostStatus.SCHEDULED:
        posts.sort(key=lambda post: (post.scheduled_at or post.created_at, post.id or 0))
    return posts


def cancel_or_delete(session: Session, user_id: int, post_id: int) -> None:
    """A scheduled post is called off (and removed); a finished one is removed from the list. One on its way to
    Meta cannot be stopped halfway."""
    post = owned(session, SocialPost, post_id, user_id, "Post")
    active = [target for target in targets_of(session, post_id) if target.state in ACTIVE_TARGET_STATES]
    if post.status == PostStatus.PUBLISHING and active:
        raise Conflict("This post is being published right now; wait until it is done.")
    session.delete(post)
    session.commit()


def retry_failed(session: Session, user_id: int, post_id: int) -> SocialPost:
    """Failed targets go back to waiting; the published ones stay published (nothing is posted twice)."""
    post = owned(session, SocialPost, post_id, user_id, "Post")
    failed = [target for target in targets_of(session, post_id) if target.state == TargetState.FAILED]
    if not failed:
        raise Conflict("Nothing failed in this post, so there is nothing to try again.")
    for target in failed:
        # A target with a container checks it first: one that was published after all is done, not posted again.
        target.state = (TargetState.PUBLISHING if target.container_id else TargetState.WAITING).value
        target.error = target.action = None
        target.attempts = 0
        target.next_attempt_at = None
        session.add(target)
    post.status = PostStatus.PUBLISHING.value
    session.add(post)
    session.commit()
    session.refresh(post)
    return post
