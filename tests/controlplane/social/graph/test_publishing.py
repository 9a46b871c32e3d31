"""Publishing against the scripted server: containers polled to FINISHED, Meta's refusals, a lost answer, Facebook."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from controlplane.social.graph import publishing
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError, GraphUnreachable
from controlplane.social.graph.types import ContainerStatus, Host, Quota
from tests.controlplane.social.graph.conftest import Sleeps, run
from tests.support.fakes.graph_server import GraphServer

IG = "17841400000000001"
PAGE_TOKEN = "EAApage2001"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def account(server: GraphServer) -> str:
    server.add_user()
    ig = server.add_ig_account(IG, "anna.bakes", quota_total=3)
    server.add_page("2001", "Anna Bakes", instagram=ig)
    return server.add_file("loaf.jpg", JPEG)


def test_a_container_in_progress_for_several_polls_then_published(
    server: GraphServer, account: str, make_client: Callable[[], GraphClient]
) -> None:
    server.container_polls = 3

    async def scenario() -> tuple[list[ContainerStatus], GraphError, str, str | None, Quota]:
        async with make_client() as client:
            container = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="IMAGE", image_url=account, caption="Rye", alt_text="A loaf"
            )
            with pytest.raises(GraphError) as early:
                await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
            seen = []
            while True:
                status, _ = await publishing.container_status(client, Host.FACEBOOK, container, PAGE_TOKEN)
                seen.append(status)
                if status is not ContainerStatus.IN_PROGRESS:
                    break
            media_id = await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
            after, _ = await publishing.container_status(client, Host.FACEBOOK, container, PAGE_TOKEN)
            seen.append(after)
            link = await publishing.media_permalink(client, Host.FACEBOOK, media_id, PAGE_TOKEN)
            quota = await publishing.publishing_quota(client, Host.FACEBOOK, IG, PAGE_TOKEN)
        return seen, early.value, media_id, link, quota

    seen, early, media_id, link, quota = run(scenario)
    assert seen == [ContainerStatus.IN_PROGRESS] * 3 + [ContainerStatus.FINISHED, ContainerStatus.PUBLISHED]
    assert early.action is GraphAction.NOT_READY and early.code == 9007 and early.subcode == 2207027
    assert server.media[media_id].caption == "Rye"
    assert link == f"https://www.instagram.com/p/{media_id}/"
    assert quota == Quota(used=1, total=3)
    create = server.requests_to(f"{IG}/media", "POST")[0]
    assert create.form == {"image_url": account, "caption": "Rye", "alt_text": "A loaf"}
    assert server.fetched == [(account, 200)], "Meta's crawler fetched the picture itself"
    assert len(server.requests_to(f"{IG}/media_publish")) == 2, "the refused publish was not retried by the client"


def test_a_publish_whose_answer_is_lost_is_unreachable_and_the_media_is_published(
    server: GraphServer, account: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("*/media_publish", drop_after=True)

    async def scenario() -> tuple[GraphUnreachable, ContainerStatus]:
        async with make_client() as client:
            container = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="IMAGE", image_url=account
            )
            with pytest.raises(GraphUnreachable) as lost:
                await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
            status, _ = await publishing.container_status(client, Host.FACEBOOK, container, PAGE_TOKEN)
        return lost.value, status

    lost, status = run(scenario)
    assert lost.maybe_done and lost.action is GraphAction.RETRY
    assert status is ContainerStatus.PUBLISHED, "the caller checks and finds it done"
    assert len(server.requests_to("*/media_publish")) == 1, "never sent twice"
    assert sleeps.waits == []
    assert len([m for m in server.media.values() if m.owner == IG]) == 1


def test_the_daily_quota_is_refused_as_quota(
    server: GraphServer, account: str, make_client: Callable[[], GraphClient]
) -> None:
    server.instagram[IG].quota_used = 3

    async def scenario() -> tuple[GraphError, Quota]:
        async with make_client() as client:
            container = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="IMAGE", image_url=account
            )
            with pytest.raises(GraphError) as caught:
                await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
            return caught.value, await publishing.publishing_quota(client, Host.FACEBOOK, IG, PAGE_TOKEN)

    error, quota = run(scenario)
    assert error.action is GraphAction.QUOTA and (error.code, error.subcode) == (9, 2207042)
    assert error.retry_at is not None and error.retry_at > server.now
    assert quota == Quota(used=3, total=3)


@pytest.mark.parametrize(("outcome", "subcode"), [("ERROR", 2207053), ("EXPIRED", 2207020)])
def test_a_failed_or_expired_container(
    server: GraphServer, account: str, make_client: Callable[[], GraphClient], outcome: str, subcode: int
) -> None:
    server.container_outcome = outcome

    async def scenario() -> tuple[ContainerStatus, str | None, GraphError]:
        async with make_client() as client:
            container = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="REELS", video_url=account
            )
            status, detail = await publishing.container_status(client, Host.FACEBOOK, container, PAGE_TOKEN)
            with pytest.raises(GraphError) as caught:
                await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
        return status, detail, caught.value

    status, detail, error = run(scenario)
    assert status is ContainerStatus(outcome) and detail
    assert error.subcode == subcode
    expected = GraphAction.RETRY if outcome == "EXPIRED" else GraphAction.FIX_MEDIA
    assert error.action is expected
    assert server.requests_to(f"{IG}/media", "POST")[0].form["media_type"] == "REELS"


def test_media_meta_cannot_fetch_is_fix_media(
    server: GraphServer, account: str, make_client: Callable[[], GraphClient]
) -> None:
    server.robots_txt = "User-agent: facebookexternalhit\nDisallow: /_files/private/\n"
    server.add_file("private/loaf.jpg", JPEG)
    server.add_file("loaf.png", b"\x89PNG\r\n\x1a\n", "image/png")
    missing, blocked, png = (
        f"{server.url}/_files/gone.jpg",
        f"{server.url}/_files/private/loaf.jpg",
        f"{server.url}/_files/loaf.png",
    )

    async def scenario() -> list[GraphError]:
        errors = []
        async with make_client() as client:
            for url in (missing, blocked, png):
                with pytest.raises(GraphError) as caught:
                    await publishing.create_container(
                        client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="IMAGE", image_url=url
                    )
                errors.append(caught.value)
        return errors

    gone, robots, not_jpeg = run(scenario)
    assert gone.action is GraphAction.FIX_MEDIA and gone.subcode == 2207052
    assert "facebookexternalhit" in gone.plain
    assert robots.action is GraphAction.FIX_MEDIA and "robots.txt" in robots.plain
    assert not_jpeg.action is GraphAction.FIX_MEDIA and not_jpeg.subcode == 2207005
    assert (missing, 404) in server.fetched and (blocked, "Restricted by robots.txt") in server.fetched
    assert not server.containers


def test_a_fresh_container_read_with_100_33_is_retried(
    server: GraphServer, account: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fresh_read_errors = True

    async def scenario() -> tuple[ContainerStatus, str | None]:
        async with make_client() as client:
            container = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="IMAGE", image_url=account
            )
            status, _ = await publishing.container_status(client, Host.FACEBOOK, container, PAGE_TOKEN)
            media_id = await publishing.publish_container(client, Host.FACEBOOK, IG, container, PAGE_TOKEN)
            return status, await publishing.media_permalink(client, Host.FACEBOOK, media_id, PAGE_TOKEN)

    status, link = run(scenario)
    assert status is ContainerStatus.FINISHED and link
    assert sleeps.waits == [1.0, 1.0], "one retry for the container, one for the permalink"


def test_a_carousel_of_two_items(server: GraphServer, account: str, make_client: Callable[[], GraphClient]) -> None:
    async def scenario() -> str:
        async with make_client() as client:
            children = [
                await publishing.create_container(
                    client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="CAROUSEL_ITEM", image_url=account
                )
                for _ in range(2)
            ]
            carousel = await publishing.create_container(
                client, Host.FACEBOOK, IG, PAGE_TOKEN, kind="CAROUSEL", children=children, caption="Two loaves"
            )
            return await publishing.publish_container(client, Host.FACEBOOK, IG, carousel, PAGE_TOKEN)

    media_id = run(scenario)
    assert server.media[media_id].media_type == "CAROUSEL_ALBUM"
    forms = [r.form for r in server.requests_to(f"{IG}/media", "POST")]
    assert forms[0] == {"image_url": account, "is_carousel_item": "true"}
    assert forms[2]["media_type"] == "CAROUSEL" and forms[2]["children"].count(",") == 1


def test_facebook_posts_photos_videos_and_stories(
    server: GraphServer, account: str, make_client: Callable[[], GraphClient]
) -> None:
    video = server.add_file("clip.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")

    async def scenario() -> dict[str, str]:
        async with make_client() as client:
            return {
                "text": await publishing.facebook_post(client, "2001", PAGE_TOKEN, message="Open Sunday"),
                "photo": await publishing.facebook_photo(client, "2001", PAGE_TOKEN, url=account, caption="Rye"),
                "photos": await publishing.facebook_photos_post(
                    client, "2001", PAGE_TOKEN, message="Two", urls=[account, account]
                ),
                "video": await publishing.facebook_video(
                    client, "2001", PAGE_TOKEN, file_url=video, description="Kneading"
                ),
                "photo_story": await publishing.facebook_photo_story(client, "2001", PAGE_TOKEN, url=account),
                "video_story": await publishing.facebook_video_story(client, "2001", PAGE_TOKEN, file_url=video),
            }

    made = run(scenario)
    assert server.media[made["text"]].caption == "Open Sunday"
    assert server.media[made["photo"]].media_url == account
    assert len(server.media[made["photos"]].attached) == 2
    assert server.media[made["photo_story"]].story and server.media[made["video_story"]].story
    assert server.media[made["video_story"]].media_url == video
    upload = server.requests_to("video-upload/*")[0]
    assert upload.headers["file_url"] == video and upload.headers["authorization"] == f"OAuth {PAGE_TOKEN}"
    phases = [r.form.get("upload_phase") for r in server.requests_to("2001/video_stories")]
    assert phases == ["start", "finish"]
