"""The inbox: comments on the person's recent posts and their conversations (Instagram and Messenger), unread
first, with replies. A reply Meta would refuse is explained before it is tried: outside the 24-hour window after the
person's last message, Meta takes no reply, and a reply to someone without a role on the family's app needs
Advanced Access (App Review), which a family's app does not have."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from controlplane.errors import Conflict, NotFound
from controlplane.models.social import Platform, SocialAccount, SocialInboxRead
from controlplane.schemas.social import (
    SocialComments,
    SocialCommentView,
    SocialConversations,
    SocialConversationView,
    SocialMessageView,
    SocialProblem,
)
from controlplane.social.context import SocialContext
from controlplane.social.feed import Opened, each_account
from controlplane.social.graph import inbox as graph_inbox
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.types import Comment, Conversation, Host
from controlplane.social.publisher import host_of

RECENT_POSTS = 10  # comments are read on this many of each account's newest posts
WINDOW_CLOSED = (
    "Meta lets a business reply only within 24 hours of the person's last message. "
    "Wait until they write again, or answer them another way."
)


def comment_key(comment_id: str) -> str:
    return f"comment:{comment_id}"


def conversation_key(conversation: Conversation) -> str:
    stamp = conversation.last_customer_message_at or conversation.updated_at
    return f"dm:{conversation.id}:{int(stamp.timestamp())}"


def inbox_owner(account: SocialAccount) -> tuple[Host, str, str]:
    """Where an account's conversations live: an Instagram Login account's own inbox, or its Page's (Instagram
    conversations of a Page-linked account, or the Page's Messenger)."""
    if account.platform == Platform.INSTAGRAM and account.page_id is None:
        return Host.INSTAGRAM, "me", Platform.INSTAGRAM.value
    if account.platform == Platform.INSTAGRAM:
        return Host.FACEBOOK, account.page_id or "", Platform.INSTAGRAM.value
    return Host.FACEBOOK, account.external_id, "messenger"


def read_keys(session: Session, user_id: int) -> set[str]:
    query = select(SocialInboxRead.item_key).where(SocialInboxRead.user_id == user_id)
    return set(session.exec(query).all())


def mark_read(session: Session, user_id: int, keys: list[str], now: datetime) -> None:
    known = read_keys(session, user_id)
    for key in dict.fromkeys(keys):
        if key not in known:
            session.add(SocialInboxRead(user_id=user_id, item_key=key, read_at=now))
    session.commit()


async def _recent_posts(client: GraphClient, account: SocialAccount, token: str) -> list[tuple[str, str]]:
    """(post id, its text) of the account's newest posts."""
    if account.platform == Platform.INSTAGRAM:
        path, fields, text = f"{account.external_id}/media", "id,caption,timestamp", "caption"
        host = host_of(account)
    else:
        path, fields, text = f"{account.external_id}/published_posts", "id,message,created_time", "message"
        host = Host.FACEBOOK
    answer = await client.get(host, path, token, {"fields": fields, "limit": str(RECENT_POSTS)})
    return [(str(item["id"]), str(item.get(text) or "")) for item in answer.get("data", []) if isinstance(item, dict)]


def _comment_view(comment: Comment, account: SocialAccount, post_text: str | None, read: set[str]) -> SocialCommentView:
    return SocialCommentView(
        id=comment.id,
        account_id=account.id or 0,
        account_name=account.account_name,
        platform=Platform(account.platform),
        post_id=comment.post_id,
        post_text=post_text,
        author=comment.author,
        text=comment.text,
        created_at=comment.created_at,
        replies=[_comment_view(reply, account, None, read) for reply in comment.replies],
        can_reply=comment.can_reply,
        unread=comment_key(comment.id) not in read,
        read_key=comment_key(comment.id),
    )


async def comments(engine: Engine, ctx: SocialContext, accounts: list[Opened], read: set[str]) -> SocialComments:
    async def load(client: GraphClient, opened: Opened) -> list[SocialCommentView]:
        account, views = opened.account, list[SocialCommentView]()
        for post_id, post_text in await _recent_posts(client, account, opened.token):
            if account.platform == Platform.INSTAGRAM:
                found = await graph_inbox.instagram_comments(client, host_of(account), post_id, opened.token)
            else:
                found = await graph_inbox.facebook_comments(client, post_id, opened.token)
            views.extend(_comment_view(comment, account, post_text, read) for comment in found)
        return views

    found, problems = await each_account(engine, ctx, accounts, load)
    found.sort(key=lambda comment: comment.created_at, reverse=True)
    found.sort(key=lambda comment: not comment.unread)  # stable: unread first, each part newest first
    return SocialComments(comments=found, problems=problems)


def _conversation_view(
    conversation: Conversation, account: SocialAccount, read: set[str], now: datetime
) -> SocialConversationView:
    open_window = graph_inbox.within_window(conversation, now)
    last_from_them = conversation.messages[-1] if conversation.messages else None
    unread = bool(last_from_them and not last_from_them.from_me) and conversation_key(conversation) not in read
    return SocialConversationView(
        id=conversation.id,
        account_id=account.id or 0,
        account_name=account.account_name,
        platform=conversation.platform,  # type: ignore[arg-type]  # "instagram" or "messenger"
        participant=conversation.participant_name,
        updated_at=conversation.updated_at,
        messages=[
            SocialMessageView(
                id=message.id,
                from_me=message.from_me,
                author=message.from_name,
                text=message.text,
                created_at=message.created_at,
            )
            for message in sorted(conversation.messages, key=lambda message: message.created_at)
        ],
        unread=unread,
        read_key=conversation_key(conversation),
        can_reply=open_window,
        reply_problem=None
        if open_window
        else SocialProblem(
            message=WINDOW_CLOSED, action="window_closed", account_id=account.id, account_name=account.account_name
        ),
    )


async def conversations(
    engine: Engine, ctx: SocialContext, accounts: list[Opened], read: set[str]
) -> SocialConversations:
    now = ctx.now()

    async def load(client: GraphClient, opened: Opened) -> list[SocialConversationView]:
        account = opened.account
        host, owner, platform = inbox_owner(account)
        found = await graph_inbox.conversations(
            client, host, owner, opened.token, platform, own_ids=(opened.account.external_id,)
        )
        return [_conversation_view(conversation, account, read, now) for conversation in found]

    found, problems = await each_account(engine, ctx, accounts, load)
    found.sort(key=lambda conversation: conversation.updated_at, reverse=True)
    found.sort(key=lambda conversation: not conversation.unread)
    return SocialConversations(conversations=found, problems=problems)


async def reply_to_comment(ctx: SocialContext, opened: Opened, comment_id: str, text: str) -> str:
    account = opened.account
    async with ctx.graph() as client:
        return await graph_inbox.reply_to_comment(
            client, host_of(account), account.platform, comment_id, opened.token, text
        )


async def reply_to_conversation(ctx: SocialContext, opened: Opened, conversation_id: str, text: str) -> str:
    """Reply to the person of a conversation, after checking the 24-hour window with Meta's own record."""
    host, owner, platform = inbox_owner(opened.account)
    async with ctx.graph() as client:
        found = await graph_inbox.conversations(
            client, host, owner, opened.token, platform, own_ids=(opened.account.external_id,)
        )
        conversation = next((item for item in found if item.id == conversation_id), None)
        if conversation is None:
            raise NotFound("Conversation")
        if not graph_inbox.within_window(conversation, ctx.now()):
            raise Conflict(WINDOW_CLOSED)
        return await graph_inbox.send_message(client, host, owner, opened.token, conversation.participant_id, text)
