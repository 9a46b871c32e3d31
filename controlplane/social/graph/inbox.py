"""Comments and replies, conversations and messages, on both platforms.

Meta lets a Page or an Instagram account answer a DM only within 24 hours of the person's last message, so
each conversation carries `last_customer_message_at` and `within_window()` says whether a reply can go out
(Meta still has the last word: error 10/2018278 becomes `GraphAction.WINDOW_CLOSED`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from controlplane.social.graph.client import GraphClient, JSONDict
from controlplane.social.graph.oauth import unexpected
from controlplane.social.graph.types import Comment, Conversation, Host, Message
from controlplane.social.graph.wire import text as as_text
from controlplane.social.graph.wire import time_or_now

REPLY_WINDOW = timedelta(hours=24)
INSTAGRAM_COMMENT_FIELDS = "id,text,username,timestamp,replies{id,text,username,timestamp}"
FACEBOOK_COMMENT_FIELDS = "id,message,from,created_time,can_comment,comments{id,message,from,created_time}"
CONVERSATION_FIELDS = "participants,updated_time,messages{id,from,to,message,created_time}"


def _nested(item: JSONDict, key: str) -> list[JSONDict]:
    value = item.get(key)
    data = value.get("data") if isinstance(value, dict) else None
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _who(value: object) -> tuple[str, str]:
    """An author's id and name: Messenger gives `name`, Instagram `username`."""
    if not isinstance(value, dict):
        return "", ""
    return str(value.get("id") or ""), as_text(value.get("name")) or as_text(value.get("username"))


async def instagram_comments(client: GraphClient, host: Host, media_id: str, token: str) -> list[Comment]:
    """A media's comments with their replies (Instagram allows replies to top-level comments only)."""
    items = await client.paged(host, f"{media_id}/comments", token, {"fields": INSTAGRAM_COMMENT_FIELDS})

    def comment(item: JSONDict, replies: tuple[Comment, ...], top: bool) -> Comment:
        return Comment(
            id=str(item.get("id") or ""),
            platform="instagram",
            post_id=media_id,
            author=as_text(item.get("username")),
            text=as_text(item.get("text")),
            created_at=time_or_now(item.get("timestamp")),
            replies=replies,
            can_reply=top,
        )

    return [
        comment(item, tuple(comment(reply, (), False) for reply in _nested(item, "replies")), True)
        for item in items
        if item.get("id")
    ]


async def facebook_comments(client: GraphClient, post_id: str, token: str) -> list[Comment]:
    """A Page post's comments with their replies."""
    items = await client.paged(Host.FACEBOOK, f"{post_id}/comments", token, {"fields": FACEBOOK_COMMENT_FIELDS})

    def comment(item: JSONDict, replies: tuple[Comment, ...], top: bool) -> Comment:
        return Comment(
            id=str(item.get("id") or ""),
            platform="facebook",
            post_id=post_id,
            author=_who(item.get("from"))[1],
            text=as_text(item.get("message")),
            created_at=time_or_now(item.get("created_time")),
            replies=replies,
            can_reply=top and item.get("can_comment", True) is not False,
        )

    return [
        comment(item, tuple(comment(reply, (), False) for reply in _nested(item, "comments")), True)
        for item in items
        if item.get("id")
    ]


async def reply_to_comment(
    client: GraphClient, host: Host, platform: str, comment_id: str, token: str, text: str
) -> str:
    """Answers a comment as the account; the reply's id (Instagram: `/replies`, Facebook: `/comments`)."""
    edge = "replies" if platform == "instagram" else "comments"
    body = await client.post(host, f"{comment_id}/{edge}", token, {"message": text})
    if not body.get("id"):
        raise unexpected("no id")
    return str(body["id"])


def _conversation(item: JSONDict, platform: str, own: set[str]) -> Conversation:
    participants = [_who(entry) for entry in _nested(item, "participants")]
    others = [entry for entry in participants if entry[0] not in own]
    participant_id, participant_name = others[0] if others else ("", "")
    messages: list[Message] = []
    for entry in _nested(item, "messages"):
        from_id, from_name = _who(entry.get("from"))
        messages.append(
            Message(
                id=str(entry.get("id") or ""),
                from_id=from_id,
                from_name=from_name,
                text=as_text(entry.get("message")),
                created_at=time_or_now(entry.get("created_time")),
                from_me=from_id in own,
            )
        )
    messages.sort(key=lambda message: message.created_at)
    theirs = [message.created_at for message in messages if not message.from_me]
    return Conversation(
        id=str(item.get("id") or ""),
        platform=platform,
        participant_id=participant_id,
        participant_name=participant_name,
        updated_at=time_or_now(item.get("updated_time")),
        last_customer_message_at=max(theirs) if theirs else None,
        messages=tuple(messages),
    )


async def conversations(
    client: GraphClient,
    host: Host,
    owner_id: str,
    token: str,
    platform: str,
    *,
    own_ids: Sequence[str] = (),
) -> list[Conversation]:
    """The account's conversations, oldest message first within each (Meta details the 20 newest).

    `owner_id` is the Page (Facebook host) or the Instagram account (Instagram Login, read through `me`). A
    message counts as the account's own when it comes from `owner_id` or one of `own_ids`: Instagram DMs read
    through a Page come from the Instagram account's id, so pass it there.
    """
    path = f"{owner_id}/conversations" if host is Host.FACEBOOK else "me/conversations"
    params = {"platform": platform, "fields": CONVERSATION_FIELDS}
    items = await client.paged(host, path, token, params)
    own = {owner_id, *own_ids}
    return [_conversation(item, platform, own) for item in items if item.get("id")]


async def send_message(client: GraphClient, host: Host, owner_id: str, token: str, recipient_id: str, text: str) -> str:
    """Sends a reply in a conversation (`messaging_type=RESPONSE`, within the 24-hour window); its id."""
    path = f"{owner_id}/messages" if host is Host.FACEBOOK else "me/messages"
    form = {
        "recipient": json.dumps({"id": recipient_id}),
        "messaging_type": "RESPONSE",
        "message": json.dumps({"text": text}),
    }
    body = await client.post(host, path, token, form)
    value = body.get("message_id") or body.get("id")
    if not value:
        raise unexpected("no message_id")
    return str(value)


def within_window(conversation: Conversation, now: datetime) -> bool:
    """Whether a reply can still go out: the person wrote within the last 24 hours."""
    last = conversation.last_customer_message_at
    return last is not None and now - last < REPLY_WINDOW
