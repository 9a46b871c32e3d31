"""Comments, replies, conversations and messages against the scripted server, the 24-hour window included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from controlplane.social.graph import inbox
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import Comment, Conversation, Host
from tests.controlplane.social.graph.conftest import run
from tests.support.fakes.graph_server import GraphServer

IG = "17841400000000001"
PAGE_TOKEN = "EAApage2001"


@pytest.fixture
def seeded(server: GraphServer) -> GraphServer:
    server.add_user()
    ig = server.add_ig_account(IG, "anna.bakes", login=True)
    server.add_page("2001", "Anna Bakes", instagram=ig)
    return server


def test_instagram_comments_with_replies_and_a_reply(
    seeded: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    media = seeded.add_post(IG, caption="Rye")
    first = seeded.add_comment(media.id, author="ben", text="Looks great", timestamp=seeded.now - timedelta(hours=3))
    seeded.add_comment(media.id, author="anna.bakes", text="Thanks!", parent=first.id)
    for number in range(3):
        seeded.add_comment(media.id, author=f"fan{number}", text=f"yum {number}")

    async def scenario() -> tuple[list[Comment], str]:
        async with make_client() as client:
            comments = await inbox.instagram_comments(client, Host.FACEBOOK, media.id, PAGE_TOKEN)
            reply = await inbox.reply_to_comment(
                client, Host.FACEBOOK, "instagram", comments[1].id, PAGE_TOKEN, "Thank you"
            )
        return comments, reply

    comments, reply = run(scenario)
    assert [c.author for c in comments] == ["ben", "fan0", "fan1", "fan2"], "paged to the end, oldest first"
    assert [(r.author, r.text, r.can_reply) for r in comments[0].replies] == [("anna.bakes", "Thanks!", False)]
    assert comments[0].can_reply and comments[0].platform == "instagram" and comments[0].post_id == media.id
    assert seeded.comments[reply].parent == comments[1].id and seeded.comments[reply].author == "anna.bakes"
    assert seeded.requests_to("*/replies", "POST")[0].form == {"message": "Thank you"}


def test_facebook_comments_and_a_reply(seeded: GraphServer, make_client: Callable[[], GraphClient]) -> None:
    post = seeded.add_post("2001", caption="Open Sunday", media_type="TEXT")
    comment = seeded.add_comment(post.id, author="Ben Miller", text="What time?")

    async def scenario() -> tuple[list[Comment], str]:
        async with make_client() as client:
            reply = await inbox.reply_to_comment(client, Host.FACEBOOK, "facebook", comment.id, PAGE_TOKEN, "From 8")
            return await inbox.facebook_comments(client, post.id, PAGE_TOKEN), reply

    comments, reply = run(scenario)
    assert [(c.author, c.text) for c in comments] == [("Ben Miller", "What time?")]
    assert [(r.id, r.author, r.text) for r in comments[0].replies] == [(reply, "Anna Bakes", "From 8")]
    assert seeded.requests_to(f"{comment.id}/comments", "POST")


def test_conversations_know_the_last_customer_message(
    seeded: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    now = seeded.now
    seeded.add_conversation(
        IG,
        "instagram",
        "5551",
        "ben.m",
        messages=[("them", "Do you deliver?", now - timedelta(hours=5)), ("me", "Yes!", now - timedelta(hours=4))],
    )
    seeded.add_conversation(IG, "instagram", "5552", "cara", messages=[("them", "Hi", now - timedelta(days=2))])
    seeded.add_conversation(IG, "instagram", "5553", "dan", messages=[("them", "Open?", now - timedelta(hours=1))])
    seeded.add_conversation("2001", "messenger", "6661", "Eve Stone", messages=[("them", "Hello", now)])

    async def scenario() -> tuple[list[Conversation], list[Conversation], list[Conversation]]:
        async with make_client() as client:
            via_page = await inbox.conversations(client, Host.FACEBOOK, "2001", PAGE_TOKEN, "instagram", own_ids=(IG,))
            messenger = await inbox.conversations(client, Host.FACEBOOK, "2001", PAGE_TOKEN, "messenger")
            token = seeded.instagram[IG].token or ""
            via_login = await inbox.conversations(client, Host.INSTAGRAM, IG, token, "instagram")
        return via_page, messenger, via_login

    via_page, messenger, via_login = run(scenario)
    assert [c.participant_name for c in via_page] == ["dan", "ben.m", "cara"], "newest first, all pages"
    ben = via_page[1]
    assert ben.participant_id == "5551" and ben.last_customer_message_at == now - timedelta(hours=5)
    assert [(m.text, m.from_me) for m in ben.messages] == [("Do you deliver?", False), ("Yes!", True)]
    assert [c.participant_name for c in via_login] == ["dan", "ben.m", "cara"]
    assert [c.participant_name for c in messenger] == ["Eve Stone"] and messenger[0].platform == "messenger"
    assert inbox.within_window(ben, now) and not inbox.within_window(via_page[2], now)
    assert seeded.requests_to("me/conversations")[0].query["platform"] == "instagram"


def test_send_within_the_window_closed_window_and_advanced_access(
    seeded: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    now = seeded.now
    seeded.add_conversation(IG, "instagram", "5551", "ben.m", messages=[("them", "Hi", now - timedelta(hours=2))])
    seeded.add_conversation(IG, "instagram", "5552", "cara", messages=[("them", "Hi", now - timedelta(hours=25))])
    seeded.add_conversation(
        IG, "instagram", "5553", "stranger", messages=[("them", "Hi", now - timedelta(hours=1))], has_role=False
    )

    async def scenario() -> tuple[str, GraphError, GraphError]:
        async with make_client() as client:
            sent = await inbox.send_message(client, Host.FACEBOOK, "2001", PAGE_TOKEN, "5551", "Hello Ben")
            with pytest.raises(GraphError) as closed:
                await inbox.send_message(client, Host.FACEBOOK, "2001", PAGE_TOKEN, "5552", "Hello Cara")
            token = seeded.instagram[IG].token or ""
            with pytest.raises(GraphError) as access:
                await inbox.send_message(client, Host.INSTAGRAM, IG, token, "5553", "Hello")
        return sent, closed.value, access.value

    sent, closed, access = run(scenario)
    assert sent.startswith("m_")
    ben = next(c for c in seeded.conversations.values() if c.participant_id == "5551")
    assert ben.messages[-1].text == "Hello Ben" and ben.messages[-1].from_id == IG
    assert closed.action is GraphAction.WINDOW_CLOSED and closed.subcode == 2018278
    assert access.action is GraphAction.ADVANCED_ACCESS and "Advanced Access" in access.plain
    form = seeded.requests_to("2001/messages")[0].form
    assert form == {"recipient": '{"id": "5551"}', "messaging_type": "RESPONSE", "message": '{"text": "Hello Ben"}'}
    assert seeded.requests_to("me/messages"), "Instagram Login sends through me/messages"
