"""Posts and stories of both platforms, with their metrics read defensively against retired names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from controlplane.social.graph import reading
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import Host, Post, Story
from tests.controlplane.social.graph.conftest import run
from tests.support.fakes.graph_server import GraphServer

IG = "17841400000000001"


@pytest.fixture
def seeded(server: GraphServer) -> GraphServer:
    server.add_user()
    ig = server.add_ig_account(IG, "anna.bakes", login=True)
    server.add_page("2001", "Anna Bakes", instagram=ig)
    for number in range(5):
        server.add_post(
            IG,
            caption=f"loaf {number}",
            likes=10 + number,
            comments=number,
            metrics={"reach": 100 + number, "views": 300 + number, "saved": number, "shares": 1},
        )
    return server


def test_instagram_feed_to_the_end_with_a_retired_metric_dropped(
    seeded: GraphServer, make_client: Callable[[], GraphClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "INSTAGRAM_POST_METRICS", (*reading.INSTAGRAM_POST_METRICS, "impressions"))

    async def scenario() -> list[Post]:
        async with make_client() as client:
            return await reading.instagram_posts(client, Host.FACEBOOK, IG, "EAApage2001")

    posts = run(scenario)
    assert [post.text for post in posts] == [f"loaf {n}" for n in range(5)], "every page of the paging"
    first = posts[0]
    assert first.platform == "instagram" and first.account_id == IG and first.likes == 10 and first.comments == 0
    assert first.metrics == {
        "reach": 100,
        "views": 300,
        "likes": 10,
        "comments": 0,
        "shares": 1,
        "saves": 0,
        "total_interactions": 0,
    }
    assert posts[4].metrics["saves"] == 4 and posts[4].metrics["reach"] == 104
    assert first.metrics_note is not None and "impressions" in first.metrics_note
    assert first.permalink and first.created_at.tzinfo is not None
    insight_calls = seeded.requests_to("*/insights")
    assert "impressions" in insight_calls[0].query["metric"]
    assert "impressions" not in insight_calls[1].query["metric"], "retried at once with Meta's valid list"
    assert len(insight_calls) == 6, "the refused name is not asked again for the other posts"
    assert len(seeded.requests_to(f"{IG}/media")) == 3


def test_insights_fall_back_to_one_metric_at_a_time_when_meta_lists_nothing(
    server: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    server.add_user()
    server.add_page("2001", "Anna Bakes")
    post = server.add_post("2001", caption="hi", metrics={"post_media_view": 50, "post_total_media_view_unique": 20})

    async def scenario() -> tuple[dict[str, int], str | None]:
        async with make_client() as client:
            return await reading.insights(
                client,
                Host.FACEBOOK,
                post.id,
                "EAApage2001",
                ("post_impressions", "post_media_view", "post_total_media_view_unique"),
            )

    values, note = run(scenario)
    assert values == {"post_media_view": 50, "post_total_media_view_unique": 20}
    assert note is not None and "post_impressions" in note
    assert len(server.requests_to("*/insights")) == 4, "all at once, then one by one"


def test_insights_propagate_a_dead_token(seeded: GraphServer, make_client: Callable[[], GraphClient]) -> None:
    media_id = next(iter(seeded.media))
    seeded.fault("*/insights", code=190)

    async def scenario() -> GraphError:
        async with make_client() as client:
            with pytest.raises(GraphError) as caught:
                await reading.insights(client, Host.FACEBOOK, media_id, "EAApage2001", ("reach",))
        return caught.value

    assert run(scenario).action is GraphAction.RECONNECT


def test_instagram_login_reads_the_same_feed_on_its_own_host(
    seeded: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    token = seeded.instagram[IG].token
    assert token is not None

    async def scenario() -> list[Post]:
        async with make_client() as client:
            return await reading.instagram_posts(client, Host.INSTAGRAM, IG, token, limit_pages=1)

    posts = run(scenario)
    assert len(posts) == 2, "limit_pages bounds the paging"
    assert all(call.token == token for call in seeded.requests)


def test_facebook_posts_with_reactions_comments_shares_and_views(
    server: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    server.add_user()
    server.add_page("2001", "Anna Bakes")
    server.add_post(
        "2001",
        caption="Open on Sunday",
        media_type="TEXT",
        likes=7,
        comments=2,
        shares=3,
        metrics={"post_media_view": 120, "post_total_media_view_unique": 80},
    )
    server.add_post("2001", caption="New rye", likes=1, metrics={"post_media_view": 9})

    async def scenario() -> list[Post]:
        async with make_client() as client:
            return await reading.facebook_posts(client, "2001", "EAApage2001")

    text_post, photo_post = run(scenario)
    assert text_post.text == "Open on Sunday" and text_post.media_type == "TEXT" and text_post.media_url is None
    assert (text_post.likes, text_post.comments) == (7, 2)
    assert text_post.metrics == {"views": 120, "reach": 80, "likes": 7, "comments": 2, "shares": 3}
    assert photo_post.media_type == "IMAGE" and photo_post.media_url
    assert photo_post.metrics["shares"] == 0 and photo_post.metrics_note is None
    assert "reactions.limit(0).summary(total_count)" in server.requests_to("2001/published_posts")[0].query["fields"]


def test_stories_of_the_last_day_on_both_platforms(server: GraphServer, make_client: Callable[[], GraphClient]) -> None:
    server.add_user()
    ig = server.add_ig_account(IG, "anna.bakes")
    server.add_page("2001", "Anna Bakes", instagram=ig)
    live = server.add_story(IG, metrics={"reach": 30, "views": 44, "replies": 2})
    server.add_story(IG, timestamp=server.now - timedelta(hours=30))  # gone at Meta
    fb_story = server.add_story("2001", media_type="VIDEO")

    async def scenario() -> tuple[list[Story], list[Story]]:
        async with make_client() as client:
            return (
                await reading.instagram_stories(client, Host.FACEBOOK, IG, "EAApage2001"),
                await reading.facebook_stories(client, "2001", "EAApage2001"),
            )

    ig_stories, fb_stories = run(scenario)
    assert [story.id for story in ig_stories] == [live.id]
    assert ig_stories[0].metrics == {"reach": 30, "views": 44, "replies": 2, "shares": 0, "total_interactions": 0}
    assert [(story.id, story.media_type, story.platform) for story in fb_stories] == [
        (fb_story.id, "VIDEO", "facebook")
    ]
    assert fb_stories[0].created_at == fb_story.timestamp


def test_a_story_without_insights_still_lists(server: GraphServer, make_client: Callable[[], GraphClient]) -> None:
    server.add_user()
    ig = server.add_ig_account(IG, "anna.bakes")
    server.add_page("2001", "Anna Bakes", instagram=ig)
    server.add_story(IG)
    server.fault("*/insights", code=10, message="(#10) Not enough viewers for the media to show insights")

    async def scenario() -> list[Story]:
        async with make_client() as client:
            return await reading.instagram_stories(client, Host.FACEBOOK, IG, "EAApage2001")

    stories = run(scenario)
    assert len(stories) == 1 and stories[0].metrics == {}


def test_valid_metrics_parses_metas_list() -> None:
    message = "(#100) metric[3] must be one of the following values: reach, likes, saved, views"
    assert reading.valid_metrics(message) == {"reach", "likes", "saved", "views"}
    assert reading.valid_metrics("(#100) The value must be a valid insights metric") is None
