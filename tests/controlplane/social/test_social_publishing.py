"""Publishing against the scripted Meta through the real publisher: uploads become JPEGs that Meta fetches from a
signed URL of ours; a container IN_PROGRESS for several polls, 9007 before FINISHED, a lost publish answer (never
posted twice), the quota, transient errors, a dead token; scheduled posts that survive a restart."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.controlplane.social.conftest import Person, SocialWorld, serve_world
from tests.support.fakes.graph_server import GraphServer

ACTIVE = {"waiting", "preparing", "processing", "publishing"}


def png(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def seed(graph: GraphServer, *, quota_used: int = 0) -> None:
    user = graph.add_user("1001", "Anna")
    bakes = graph.add_ig_account("17841400000000001", "anna.bakes", quota_total=25, quota_used=quota_used)
    graph.add_page("2001", "Anna Bakes", instagram=bakes, user=user.id)


def ready(world: SocialWorld, person: Person, *, quota_used: int = 0) -> tuple[int, dict[str, int]]:
    seed(world.graph, quota_used=quota_used)
    agent = world.social_agent(person)
    accounts = world.connect(person, agent)
    return agent, {account["platform"]: account["id"] for account in accounts}


def upload(person: Person, content: bytes = b"", name: str = "bread.png", kind: str = "image/png") -> dict[str, Any]:
    answer = person.post(
        "/api/social/media", params={"name": name}, content=content or png(), headers={"Content-Type": kind}
    )
    assert answer.status_code == 201, answer.text
    media: dict[str, Any] = answer.json()
    return media


def publish(
    person: Person, agent: int, accounts: list[int], media: list[int], text: str, **extra: Any
) -> dict[str, Any]:
    body = {"agent_id": agent, "text": text, "media_ids": media, "account_ids": accounts, **extra}
    answer = person.post("/api/social/posts", json=body)
    assert answer.status_code == 202, answer.text
    post: dict[str, Any] = answer.json()
    return post


def settled(world: SocialWorld, person: Person, post_id: int) -> dict[str, Any]:
    def done(post: dict[str, Any]) -> bool:
        return all(target["state"] not in ACTIVE for target in post["targets"])

    result: dict[str, Any] = world.wait_for(person, f"/api/social/posts/{post_id}", done, "publishing")
    return result


def instagram_posts(graph: GraphServer, caption: str) -> list[Any]:
    return [m for m in graph.media.values() if m.platform == "instagram" and m.caption == caption and not m.story]


def test_a_picture_is_published_to_instagram_and_facebook_after_the_container_is_processed(
    world: SocialWorld,
) -> None:
    graph = world.graph
    graph.container_polls = 3
    anna = world.person("anna")
    agent, accounts = ready(world, anna)
    picture = upload(anna)
    assert (picture["kind"], picture["content_type"], picture["width"]) == ("image", "image/jpeg", 64)
    preview = anna.get(f"/api/social/media/{picture['id']}")
    assert preview.content[:2] == b"\xff\xd8", "stored as JPEG, Instagram's only picture format"

    post = publish(anna, agent, [accounts["instagram"], accounts["facebook"]], [picture["id"]], "Fresh rye #bread")
    assert {target["state"] for target in post["targets"]} == {"waiting"}
    done = settled(world, anna, post["id"])
    assert done["status"] == "published", done
    assert {t["platform"]: t["state"] for t in done["targets"]} == {"instagram": "published", "facebook": "published"}
    instagram = next(t for t in done["targets"] if t["platform"] == "instagram")
    assert instagram["permalink"].startswith("https://www.instagram.com/p/")
    facebook = next(t for t in done["targets"] if t["platform"] == "facebook")
    assert facebook["permalink"].startswith("https://www.facebook.com/")

    assert len(instagram_posts(graph, "Fresh rye #bread")) == 1
    polls = [r for r in graph.requests_to("*") if r.method == "GET" and r.query.get("fields", "").startswith("status")]
    assert len(polls) >= 4, "IN_PROGRESS for three reads, then FINISHED"
    fetched = [(url, status) for url, status in graph.fetched if "/api/social/public-media/" in url]
    assert fetched and all(status == 200 for _, status in fetched), "Meta fetched the media from our signed URL"
    assert len(graph.requests_to("*/media_publish")) == 1
    assert graph.requests_to("*/photos"), "Facebook got the picture as a photo post"


def test_a_publish_whose_answer_was_lost_is_not_posted_twice(world: SocialWorld) -> None:
    graph = world.graph
    graph.fault("*/media_publish", drop_after=True)
    anna = world.person("anna")
    agent, accounts = ready(world, anna)
    picture = upload(anna)
    post = publish(anna, agent, [accounts["instagram"]], [picture["id"]], "Only once")
    done = settled(world, anna, post["id"])
    assert done["status"] == "published", done
    assert len(graph.requests_to("*/media_publish")) == 1, "the container was read, not published again"
    assert len(instagram_posts(graph, "Only once")) == 1


def test_publishing_before_the_container_is_finished_waits_and_publishes(world: SocialWorld) -> None:
    graph = world.graph
    graph.fault("*/media_publish", code=9007, subcode=2207027, message="Media ID is not available")
    anna = world.person("anna")
    agent, accounts = ready(world, anna)
    post = publish(anna, agent, [accounts["instagram"]], [upload(anna)["id"]], "Patience")
    done = settled(world, anna, post["id"])
    assert done["status"] == "published", done
    assert len(graph.requests_to("*/media_publish")) == 2, "9007 first, then published"
    assert len(instagram_posts(graph, "Patience")) == 1


def test_passing_failures_are_tried_again_and_the_quota_makes_a_post_wait(world: SocialWorld) -> None:
    graph = world.graph
    graph.fault("*/media", method="POST", code=2)
    graph.fault("*/photos", method="POST", code=1)
    anna = world.person("anna")
    agent, accounts = ready(world, anna, quota_used=25)
    picture = upload(anna)

    facebook = publish(anna, agent, [accounts["facebook"]], [picture["id"]], "Page post")
    assert settled(world, anna, facebook["id"])["status"] == "published"
    assert len(graph.requests_to("*/photos", "POST")) >= 2, "an unexpected error at Meta is tried again"

    instagram_id = accounts["instagram"]
    quota = anna.get(f"/api/social/accounts/{instagram_id}/quota").json()
    assert quota == {"account_id": accounts["instagram"], "used": 25, "total": 25}
    full = publish(anna, agent, [accounts["instagram"]], [picture["id"]], "Too many today")

    def waiting_for_quota(post: dict[str, Any]) -> bool:
        return post["targets"][0]["action"] == "quota"

    waiting = world.wait_for(anna, f"/api/social/posts/{full['id']}", waiting_for_quota, "the quota")
    target = waiting["targets"][0]
    assert target["state"] == "waiting" and "limit of 25 posts a day" in target["error"]
    assert target["next_attempt_at"] is not None
    assert instagram_posts(graph, "Too many today") == []


def test_a_dead_token_fails_the_target_and_turns_the_account_to_reconnect(world: SocialWorld) -> None:
    graph = world.graph
    anna = world.person("anna")
    agent, accounts = ready(world, anna)
    graph.kill_token(graph.pages["2001"].token)
    post = publish(anna, agent, [accounts["facebook"]], [], "Hello from the bakery")
    done = settled(world, anna, post["id"])
    assert done["status"] == "failed"
    assert done["targets"][0]["action"] == "reconnect" and done["targets"][0]["error"]
    listed = {a["id"]: a["status"] for a in anna.get("/api/social/accounts").json()}
    assert listed[accounts["facebook"]] == "reconnect"
    again = anna.post("/api/social/posts", json={"agent_id": agent, "text": "x", "account_ids": [accounts["facebook"]]})
    assert again.status_code == 422 and "again first" in again.json()["detail"][0]["msg"]

    graph.tokens[graph.pages["2001"].token].dead = False  # the person fixes it at Meta, then connects again
    world.connect(anna, agent, keys=["facebook:2001"])
    post_id = post["id"]
    retried = anna.post(f"/api/social/posts/{post_id}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "publishing"
    assert settled(world, anna, post_id)["status"] == "published"
    assert anna.post(f"/api/social/posts/{post_id}/retry").status_code == 409, "nothing failed any more"


def test_the_composer_refuses_what_the_platforms_would_refuse(world: SocialWorld) -> None:
    anna, ben = world.person("anna"), world.person("ben")
    agent, accounts = ready(world, anna)
    picture = upload(anna)

    def refused(body: dict[str, Any]) -> tuple[int, str, str]:
        answer = anna.post("/api/social/posts", json={"agent_id": agent, **body})
        problem = answer.json()["detail"][0] if answer.status_code == 422 else {"loc": ["", ""], "msg": ""}
        return answer.status_code, problem["loc"][-1], problem["msg"]

    assert refused({"text": "Words only", "account_ids": [accounts["instagram"]]})[:2] == (422, "media_ids")
    story = {"kind": "story", "media_ids": [picture["id"], upload(anna)["id"]], "account_ids": [accounts["facebook"]]}
    assert refused(story)[:2] == (422, "media_ids")
    past = (world.graph.now - timedelta(minutes=5)).isoformat()
    assert refused({"text": "x", "account_ids": [accounts["facebook"]], "scheduled_at": past})[:2] == (
        422,
        "scheduled_at",
    )
    too_long = refused({"text": "x" * 2201, "account_ids": [accounts["facebook"]]})
    assert too_long == (422, "text", "At most 2,200 characters, Instagram's limit.")
    not_media = anna.post(
        "/api/social/media", params={"name": "notes.txt"}, content=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert not_media.status_code == 422 and "pictures" in not_media.json()["detail"][0]["msg"]

    assert ben.get(f"/api/social/media/{picture['id']}").status_code == 404
    theirs = ben.post("/api/social/posts", json={"agent_id": agent, "text": "x", "account_ids": [accounts["facebook"]]})
    assert theirs.status_code == 404
    post = publish(anna, agent, [accounts["facebook"]], [], "Mine")
    assert ben.get(f"/api/social/posts/{post['id']}").status_code == 404
    assert ben.delete(f"/api/social/posts/{post['id']}").status_code == 404


def test_signed_media_urls_work_without_sign_in_only_while_valid_and_unaltered(world: SocialWorld) -> None:
    anna = world.person("anna")
    ready(world, anna)
    picture = upload(anna)
    from sqlmodel import Session

    from controlplane.models.social import SocialMedia
    from controlplane.social import media

    with Session(world.app.state.engine) as session:
        row = session.get(SocialMedia, picture["id"])
        assert row is not None
        url = media.public_url(world.app.state.social, row)
    assert url.startswith(f"{world.base}/api/social/public-media/") and url.endswith(".jpg")
    fetched = httpx.get(url, headers={"User-Agent": "facebookexternalhit/1.1"})
    assert fetched.status_code == 200 and fetched.content[:2] == b"\xff\xd8"
    altered = url[:-6] + ("0" if url[-6] != "0" else "1") + url[-5:]
    assert httpx.get(altered).status_code == 404
    world.graph.now += timedelta(hours=3)
    assert httpx.get(url).status_code == 404, "the URL lasts two hours"
    robots = httpx.get(f"{world.base}/robots.txt").text
    assert "User-agent: facebookexternalhit\nAllow: /api/social/public-media/" in robots


def test_a_scheduled_post_waits_for_its_time_and_survives_a_restart(tmp_path: Path, graph: GraphServer) -> None:
    data = tmp_path / "data"
    with serve_world(data, graph) as world:
        anna = world.person("anna")
        agent, accounts = ready(world, anna)
        picture = upload(anna)
        when = (graph.now + timedelta(hours=1)).isoformat()
        later = publish(anna, agent, [accounts["instagram"]], [picture["id"]], "Tomorrow's loaf", scheduled_at=when)
        called_off = publish(anna, agent, [accounts["facebook"]], [], "Never mind", scheduled_at=when)
        assert later["status"] == "scheduled"
        calendar = anna.get("/api/social/posts", params={"agent_id": agent, "status": "scheduled"}).json()
        assert [post["id"] for post in calendar] == [later["id"], called_off["id"]]
        assert anna.delete(f"/api/social/posts/{called_off['id']}").status_code == 204
        assert graph.requests_to("*/media", "POST") == []

    graph.now += timedelta(hours=2)
    with serve_world(data, graph) as world:
        http = httpx.Client(base_url=world.base, timeout=30)
        token = http.post("/api/auth/login", json={"username": "anna", "password": "user-password-1"}).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        anna = Person(anna.id, "anna", http)
        world.people.append(anna)
        done = settled(world, anna, later["id"])
        assert done["status"] == "published" and done["published_at"] is not None
        assert len(instagram_posts(graph, "Tomorrow's loaf")) == 1
        assert instagram_posts(graph, "Never mind") == []
        assert anna.get(f"/api/social/posts/{called_off['id']}").status_code == 404


def test_a_carousel_and_a_story_reach_both_platforms(world: SocialWorld) -> None:
    graph = world.graph
    anna = world.person("anna")
    agent, accounts = ready(world, anna)
    both = [accounts["instagram"], accounts["facebook"]]
    pictures = [upload(anna, png("red"))["id"], upload(anna, png("blue"), name="b.png")["id"]]

    carousel = settled(world, anna, publish(anna, agent, both, pictures, "Two loaves")["id"])
    assert carousel["status"] == "published", carousel
    children = [r for r in graph.requests_to("*/media", "POST") if r.form.get("is_carousel_item") == "true"]
    assert len(children) == 2, "one container per picture, then the carousel"
    [parent] = [r for r in graph.requests_to("*/media", "POST") if r.form.get("media_type") == "CAROUSEL"]
    assert parent.form.get("children", "").count(",") == 1
    assert graph.requests_to("*/feed", "POST"), "Facebook: unpublished photos attached to one feed post"

    story = publish(anna, agent, both, pictures[:1], "", kind="story")
    done = settled(world, anna, story["id"])
    assert done["status"] == "published", done
    assert [r.form.get("media_type") for r in graph.requests_to("*/media", "POST")][-1] == "STORIES"
    assert graph.requests_to("*/photo_stories", "POST")


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def test_a_video_goes_as_a_reel_and_a_page_video_and_uploads_leave_with_their_owner(world: SocialWorld) -> None:
    graph = world.graph
    admin, anna = world.person("root", role="admin"), world.person("anna")
    agent, accounts = ready(world, anna)
    video = upload(anna, MP4, name="oven.mp4", kind="video/mp4")
    assert (video["kind"], video["content_type"]) == ("video", "video/mp4")
    post = publish(anna, agent, [accounts["instagram"], accounts["facebook"]], [video["id"]], "Into the oven")
    done = settled(world, anna, post["id"])
    assert done["status"] == "published", done
    reel = [r for r in graph.requests_to("*/media", "POST") if r.form.get("media_type") == "REELS"]
    assert len(reel) == 1 and reel[0].form["video_url"].endswith(".mp4")
    assert graph.requests_to("*/videos", "POST"), "Facebook got it as a Page video"

    uploads = world.settings.social_media_dir / str(anna.id)
    assert any(uploads.iterdir())
    assert admin.delete(f"/api/users/{anna.id}").status_code == 204
    assert not uploads.exists(), "a deleted person's uploads are deleted with them"
