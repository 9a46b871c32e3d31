"""Feed, stories and inbox against the scripted Meta: a retired metric in the list does not blank the feed, paging is
followed to its end, a dead account is a problem above the others' posts (and turns to Reconnect); comments and
conversations come unread first, replies reach Meta, and the 24-hour window and Advanced Access are explained."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from controlplane.social.graph import reading
from tests.controlplane.social.conftest import Person, SocialWorld

IG = "17841400000000001"
PAGE = "2001"


def family(world: SocialWorld) -> tuple[Person, int, dict[str, int]]:
    graph = world.graph
    user = graph.add_user("1001", "Anna")
    bakes = graph.add_ig_account(IG, "anna.bakes")
    graph.add_page(PAGE, "Anna Bakes", instagram=bakes, user=user.id)
    anna = world.person("anna")
    agent = world.social_agent(anna)
    accounts = {account["platform"]: account["id"] for account in world.connect(anna, agent)}
    return anna, agent, accounts


def test_the_feed_reads_every_post_with_metrics_despite_a_retired_metric(
    world: SocialWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = world.graph
    anna, agent, _ = family(world)
    for number in range(5):  # three pages of two
        graph.add_post(IG, caption=f"Loaf {number}", likes=number, metrics={"reach": 10 + number, "saved": 1})
    graph.add_post(PAGE, caption="Opening hours", media_type="TEXT", metrics={"post_media_view": 33})
    # An old configuration still asks for `impressions`, which Meta retired and now refuses with error 100.
    monkeypatch.setattr(reading, "INSTAGRAM_POST_METRICS", ("reach", "impressions", "likes", "saved"))

    feed = anna.get("/api/social/feed", params={"agent_id": agent}).json()
    assert feed["problems"] == []
    texts = [post["text"] for post in feed["posts"]]
    assert sorted(texts) == ["Loaf 0", "Loaf 1", "Loaf 2", "Loaf 3", "Loaf 4", "Opening hours"], "paged to the end"
    loaf = next(post for post in feed["posts"] if post["text"] == "Loaf 3")
    assert loaf["metrics"]["reach"] == 13 and loaf["metrics"]["saves"] == 1 and "impressions" not in loaf["metrics"]
    created = [post["created_at"] for post in feed["posts"]]
    assert created == sorted(created, reverse=True), "newest first"
    assert len(graph.requests_to(f"{IG}/media", "GET")) >= 3

    instagram_only = anna.get("/api/social/feed", params={"agent_id": agent, "platform": "instagram"}).json()
    assert {post["platform"] for post in instagram_only["posts"]} == {"instagram"}


def test_a_dead_account_is_a_problem_above_the_others_posts(world: SocialWorld) -> None:
    graph = world.graph
    anna, agent, accounts = family(world)
    graph.add_post(IG, caption="Still here", metrics={"reach": 5})
    graph.add_story(IG, metrics={"reach": 7, "views": 9})
    graph.kill_token(graph.pages[PAGE].token)
    # The Instagram account reached through the Page shares its token: give Facebook its own dead Page instead.
    graph.tokens[graph.pages[PAGE].token].dead = False
    graph.add_page("2002", "Anna's Garden", user="1001")
    world.connect(anna, agent, keys=["facebook:2002"])
    graph.kill_token(graph.pages["2002"].token)

    feed = anna.get("/api/social/feed", params={"agent_id": agent}).json()
    assert [post["text"] for post in feed["posts"]] == ["Still here"]
    [problem] = feed["problems"]
    assert problem["account_name"] == "Anna's Garden" and problem["action"] == "reconnect"
    statuses = {a["name"]: a["status"] for a in anna.get("/api/social/accounts").json()}
    assert statuses["Anna's Garden"] == "reconnect" and statuses["anna.bakes"] == "connected"

    stories = anna.get("/api/social/stories", params={"agent_id": agent}).json()
    [story] = stories["stories"]
    assert story["platform"] == "instagram" and story["metrics"]["views"] == 9
    assert [p["action"] for p in stories["problems"]] == ["reconnect"], "known already: no call to Meta needed"
    assert accounts["instagram"]


def test_comments_come_unread_first_and_a_reply_reaches_meta(world: SocialWorld) -> None:
    graph = world.graph
    anna, agent, accounts = family(world)
    loaf = graph.add_post(IG, caption="Rye loaf")
    hours = graph.add_post(PAGE, caption="Open on Sunday", media_type="TEXT")
    old = graph.add_comment(loaf.id, author="ben", text="Looks great", timestamp=graph.now - timedelta(hours=5))
    graph.add_comment(hours.id, author="Cara", text="Until when?", timestamp=graph.now - timedelta(hours=1))

    first = anna.get("/api/social/comments", params={"agent_id": agent}).json()
    assert [(c["author"], c["unread"]) for c in first["comments"]] == [("Cara", True), ("ben", True)]
    ben = next(c for c in first["comments"] if c["author"] == "ben")
    assert ben["post_text"] == "Rye loaf" and ben["can_reply"]

    reply = anna.post(
        f"/api/social/comments/{old.id}/reply", json={"account_id": accounts["instagram"], "text": "Thanks!"}
    )
    assert reply.status_code == 200, reply.text
    sent = graph.requests_to(f"{old.id}/replies", "POST")
    assert [request.form.get("message") for request in sent] == ["Thanks!"]
    after = anna.get("/api/social/comments", params={"agent_id": agent}).json()["comments"]
    assert [(c["author"], c["unread"]) for c in after] == [("Cara", True), ("ben", False)], "replied means read"
    ben_after = next(c for c in after if c["author"] == "ben")
    assert [r["text"] for r in ben_after["replies"]] == ["Thanks!"]

    cara = next(c for c in after if c["author"] == "Cara")
    assert anna.post("/api/social/inbox/read", json={"keys": [cara["read_key"]]}).status_code == 204
    assert not any(c["unread"] for c in anna.get("/api/social/comments", params={"agent_id": agent}).json()["comments"])
    empty = anna.post(f"/api/social/comments/{old.id}/reply", json={"account_id": accounts["instagram"], "text": " "})
    assert empty.status_code == 422


def conversation_by(conversations: list[dict[str, Any]], participant: str) -> dict[str, Any]:
    return next(c for c in conversations if c["participant"] == participant)


def test_messages_explain_the_24_hour_window_and_advanced_access(world: SocialWorld) -> None:
    graph = world.graph
    anna, agent, accounts = family(world)
    now = graph.now
    fresh = graph.add_conversation(
        IG, "instagram", "5551", "ben.m", messages=[("them", "Open today?", now - timedelta(hours=2))]
    )
    stale = graph.add_conversation(
        PAGE,
        "messenger",
        "5552",
        "Cara",
        messages=[("them", "Hi", now - timedelta(days=2)), ("me", "Hello", now - timedelta(days=2))],
    )
    stranger = graph.add_conversation(
        IG, "instagram", "5553", "dan", messages=[("them", "Price?", now - timedelta(minutes=5))], has_role=False
    )

    listed = anna.get("/api/social/dms", params={"agent_id": agent}).json()
    assert listed["problems"] == []
    conversations = listed["conversations"]
    assert [c["unread"] for c in conversations[:2]] == [True, True] and not conversations[-1]["unread"]
    ben = conversation_by(conversations, "ben.m")
    assert ben["can_reply"] and ben["reply_problem"] is None
    assert [(m["from_me"], m["text"]) for m in ben["messages"]] == [(False, "Open today?")]
    cara = conversation_by(conversations, "Cara")
    assert not cara["can_reply"] and "24 hours" in cara["reply_problem"]["message"]

    sent = anna.post(
        f"/api/social/dms/{fresh.id}/reply", json={"account_id": accounts["instagram"], "text": "Yes, until 6"}
    )
    assert sent.status_code == 200, sent.text
    assert any(r.method == "POST" and "messages" in r.route for r in graph.requests)

    late = anna.post(f"/api/social/dms/{stale.id}/reply", json={"account_id": accounts["facebook"], "text": "Sorry!"})
    assert late.status_code == 409 and "24 hours" in late.json()["detail"]

    refused = anna.post(
        f"/api/social/dms/{stranger.id}/reply", json={"account_id": accounts["instagram"], "text": "10 €"}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["action"] == "advanced_access" and "Advanced Access" in refused.json()["detail"]
