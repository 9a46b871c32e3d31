"""Instagram media containers (create, status, publish, quota) and Facebook posts, photos, videos and stories.

None of these writes is retried inside the client: a lost answer may hide a post that went out, and publishing
again is how other tools made duplicates. The publisher keeps each step durable and checks the container's
status (PUBLISHED means done) before it ever sends a publish again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from controlplane.social.graph.client import GraphClient, JSONDict
from controlplane.social.graph.oauth import unexpected
from controlplane.social.graph.types import ContainerStatus, Host, Quota
from controlplane.social.graph.wire import as_int

CONTAINER_KINDS = ("IMAGE", "VIDEO", "REELS", "STORIES", "CAROUSEL", "CAROUSEL_ITEM")
DEFAULT_QUOTA = 100  # Meta's documented daily limit when its answer leaves the total out


def _id(body: JSONDict, *keys: str) -> str:
    for key in keys:
        value = body.get(key)
        if value is not None and str(value):
            return str(value)
    raise unexpected(f"no {keys[0]}")


async def create_container(
    client: GraphClient,
    host: Host,
    ig_user_id: str,
    token: str,
    *,
    kind: str,
    image_url: str | None = None,
    video_url: str | None = None,
    caption: str | None = None,
    children: Sequence[str] = (),
    is_carousel_item: bool = False,
    alt_text: str | None = None,
) -> str:
    """A media container for Meta to fetch and prepare; its id is what `publish_container` takes.

    IMAGE takes a JPEG's `image_url` (and `alt_text`); VIDEO and REELS become Reels (`media_type=REELS`);
    STORIES takes either URL; CAROUSEL takes 2 to 10 `children` made with `kind="CAROUSEL_ITEM"`.
    """
    kind = kind.upper()
    if kind not in CONTAINER_KINDS:
        raise ValueError(f"unknown container kind {kind!r}")
    item = is_carousel_item or kind == "CAROUSEL_ITEM"
    form: dict[str, str] = {}
    if kind == "CAROUSEL":
        form["media_type"] = "CAROUSEL"
        form["children"] = ",".join(children)
    elif kind == "STORIES":
        form["media_type"] = "STORIES"
    elif video_url is not None:
        form["media_type"] = "VIDEO" if item else "REELS"
    if image_url is not None and kind != "CAROUSEL":
        form["image_url"] = image_url
    if video_url is not None and kind != "CAROUSEL":
        form["video_url"] = video_url
    if item:
        form["is_carousel_item"] = "true"
    elif caption is not None and kind != "STORIES":
        form["caption"] = caption
    if alt_text and image_url is not None and kind != "STORIES":
        form["alt_text"] = alt_text
    return _id(await client.post(host, f"{ig_user_id}/media", token, form), "id")


async def container_status(
    client: GraphClient, host: Host, container_id: str, token: str
) -> tuple[ContainerStatus, str | None]:
    """The container's status code and, for ERROR or EXPIRED, Meta's words about it."""
    body = await client.get(host, container_id, token, {"fields": "status_code,status"})
    raw = str(body.get("status_code") or "")
    try:
        status = ContainerStatus(raw)
    except ValueError:
        raise unexpected(f"unknown status_code {raw!r}") from None
    detail = body.get("status")
    failed = status in (ContainerStatus.ERROR, ContainerStatus.EXPIRED)
    return status, (str(detail) if failed and detail else None)


async def publish_container(client: GraphClient, host: Host, ig_user_id: str, container_id: str, token: str) -> str:
    """Publishes a FINISHED container; the media's id. Never retried here: check the container when unsure."""
    return _id(await client.post(host, f"{ig_user_id}/media_publish", token, {"creation_id": container_id}), "id")


async def publishing_quota(client: GraphClient, host: Host, ig_user_id: str, token: str) -> Quota:
    """How many posts the account published through apps in the last 24 hours, of how many allowed."""
    body = await client.get(host, f"{ig_user_id}/content_publishing_limit", token, {"fields": "quota_usage,config"})
    data = body.get("data")
    entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
    config = entry.get("config")
    if not isinstance(config, dict):
        config = {}
    return Quota(used=as_int(entry.get("quota_usage")) or 0, total=as_int(config.get("quota_total")) or DEFAULT_QUOTA)


async def media_permalink(client: GraphClient, host: Host, media_id: str, token: str) -> str | None:
    """The published media's public link (Meta sometimes needs a moment; the client retries 100/33)."""
    body = await client.get(host, media_id, token, {"fields": "permalink"})
    value = body.get("permalink")
    return str(value) if value else None


async def facebook_permalink(client: GraphClient, post_id: str, token: str) -> str | None:
    """A Page post's public link (`permalink_url`)."""
    body = await client.get(Host.FACEBOOK, post_id, token, {"fields": "permalink_url"})
    value = body.get("permalink_url")
    return str(value) if value else None


async def facebook_post(client: GraphClient, page_id: str, token: str, *, message: str, link: str | None = None) -> str:
    """A text (or link) post on the Page's feed; the post's id."""
    form = {"message": message, **({"link": link} if link else {})}
    return _id(await client.post(Host.FACEBOOK, f"{page_id}/feed", token, form), "id")


async def facebook_photo(
    client: GraphClient, page_id: str, token: str, *, url: str, caption: str | None = None, published: bool = True
) -> str:
    """A photo Meta fetches from `url`: the post's id when published, else the photo's id (to attach later)."""
    form = {"url": url, "published": "true" if published else "false", **({"caption": caption} if caption else {})}
    body = await client.post(Host.FACEBOOK, f"{page_id}/photos", token, form)
    return _id(body, "post_id", "id") if published else _id(body, "id")


async def facebook_photos_post(
    client: GraphClient, page_id: str, token: str, *, message: str, urls: Sequence[str]
) -> str:
    """Several photos in one post: each uploaded unpublished, then one feed post attaching them all."""
    photo_ids = [await facebook_photo(client, page_id, token, url=url, published=False) for url in urls]
    form = {"message": message}
    for index, photo_id in enumerate(photo_ids):
        form[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
    return _id(await client.post(Host.FACEBOOK, f"{page_id}/feed", token, form), "id")


async def facebook_video(client: GraphClient, page_id: str, token: str, *, file_url: str, description: str) -> str:
    """A video Meta fetches from `file_url`; the video's id."""
    form = {"file_url": file_url, "description": description}
    return _id(await client.post(Host.FACEBOOK, f"{page_id}/videos", token, form), "id")


async def facebook_photo_story(client: GraphClient, page_id: str, token: str, *, url: str) -> str:
    """A photo story: the photo uploaded unpublished, then `photo_stories`; the story's post id."""
    photo_id = await facebook_photo(client, page_id, token, url=url, published=False)
    body = await client.post(Host.FACEBOOK, f"{page_id}/photo_stories", token, {"photo_id": photo_id})
    return _id(body, "post_id", "id")


async def facebook_video_story(client: GraphClient, page_id: str, token: str, *, file_url: str) -> str:
    """A video story in Meta's three steps: start (a video id and an upload address), the upload by URL (the
    `file_url` header on Meta's upload host, with `Authorization: OAuth`), finish; the story's post id."""
    path = f"{page_id}/video_stories"
    started = await client.post(Host.FACEBOOK, path, token, {"upload_phase": "start"})
    video_id = _id(started, "video_id")
    upload_url = _id(started, "upload_url")
    await client.post_to(upload_url, {"Authorization": f"OAuth {token}", "file_url": file_url})
    finished = await client.post(Host.FACEBOOK, path, token, {"upload_phase": "finish", "video_id": video_id})
    return _id(finished, "post_id", "id")
