"""Posts and stories of both platforms with their metrics, read defensively.

Meta retires metric names without warning (`impressions`, `plays`, `video_views`, `engagement`) and one bad name
fails the whole insights call. So a refused metric is dropped, with a note for the logs, and never blanks the
page: the metric lists below are module-level tuples that the services (or a hot fix) can change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from controlplane.social.graph.client import GraphClient, JSONDict
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import Host, Post, Story
from controlplane.social.graph.wire import as_int, summary_count, text, time_or_now

INSTAGRAM_POST_METRICS: tuple[str, ...] = (
    "reach",
    "views",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
)
INSTAGRAM_STORY_METRICS: tuple[str, ...] = ("reach", "views", "replies", "shares", "total_interactions")
FACEBOOK_POST_METRICS: tuple[str, ...] = ("post_media_view", "post_total_media_view_unique")

# Meta's names → ours (reach, views, likes, comments, shares, saves); names not listed keep their own.
METRIC_NAMES = {"saved": "saves", "post_media_view": "views", "post_total_media_view_unique": "reach"}
INSTAGRAM_MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,timestamp,like_count,comments_count"
)
INSTAGRAM_STORY_FIELDS = "id,media_type,media_url,thumbnail_url,permalink,timestamp"
FACEBOOK_POST_FIELDS = (
    "id,message,created_time,permalink_url,full_picture,"
    "reactions.limit(0).summary(total_count),comments.limit(0).summary(total_count),shares"
)
VALID_LIST = re.compile(r"must be one of the following values:\s*(?P<names>[A-Za-z0-9_,\s]+)")
PROPAGATE = frozenset({GraphAction.RECONNECT, GraphAction.WAIT})  # a listing stops for these only


def valid_metrics(message: str) -> set[str] | None:
    """The valid names Meta lists in "(#100) metric[0] must be one of the following values: reach, likes, …"."""
    match = VALID_LIST.search(message)
    if not match:
        return None
    names = {name.strip() for name in match.group("names").split(",")}
    return {name for name in names if name} or None


def _refused_metric(error: GraphError) -> bool:
    return error.code == 100 and error.subcode != 33


def _values(body: JSONDict) -> dict[str, int]:
    """`{"data": [{"name", "values": [{"value"}]} | {"name", "total_value": {"value"}}]}` → name: number."""
    found: dict[str, int] = {}
    data = body.get("data")
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        value: int | None = None
        values = entry.get("values")
        if isinstance(values, list) and values and isinstance(values[0], dict):
            value = as_int(values[0].get("value"))
        total = entry.get("total_value")
        if value is None and isinstance(total, dict):
            value = as_int(total.get("value"))
        if value is not None:
            found[entry["name"]] = value
    return found


async def insights(
    client: GraphClient, host: Host, media_id: str, token: str, metrics: Sequence[str]
) -> tuple[dict[str, int], str | None]:
    """The metrics Meta still knows, in Meta's names, and a note naming those it refused (None if none).

    All at once first; on Meta's "must be one of the following values" retry once with the intersection; when
    Meta does not list them, one call per metric. Errors other than a refused metric propagate.
    """
    values, dropped = await _insights(client, host, media_id, token, metrics)
    return values, _note(dropped)


async def _insights(
    client: GraphClient, host: Host, media_id: str, token: str, metrics: Sequence[str]
) -> tuple[dict[str, int], list[str]]:
    wanted = list(dict.fromkeys(metrics))
    if not wanted:
        return {}, []
    path = f"{media_id}/insights"
    try:
        return _values(await client.get(host, path, token, {"metric": ",".join(wanted)})), []
    except GraphError as error:
        if not _refused_metric(error):
            raise
        valid = valid_metrics(error.message)
    dropped: list[str] = []
    if valid is not None:
        keep = [name for name in wanted if name in valid]
        dropped = [name for name in wanted if name not in valid]
        if not keep:
            return {}, dropped
        try:
            return _values(await client.get(host, path, token, {"metric": ",".join(keep)})), dropped
        except GraphError as error:
            if not _refused_metric(error):
                raise
        wanted = keep
    found: dict[str, int] = {}
    for name in wanted:
        try:
            found.update(_values(await client.get(host, path, token, {"metric": name})))
        except GraphError as error:
            if not _refused_metric(error):
                raise
            dropped.append(name)
    return found, dropped


def _note(dropped: Sequence[str]) -> str | None:
    return f"Meta no longer accepts these metrics: {', '.join(dropped)}" if dropped else None


def normalise(values: dict[str, int]) -> dict[str, int]:
    """Meta's metric names → reach, views, likes, comments, shares, saves (others keep their names)."""
    return {METRIC_NAMES.get(name, name): value for name, value in values.items()}


class _Metrics:
    """Reads each item's insights, remembering the names Meta refused so the next item does not ask again."""

    def __init__(self, client: GraphClient, host: Host, token: str, names: Sequence[str]) -> None:
        self.client, self.host, self.token = client, host, token
        self.names = list(names)
        self.refused: list[str] = []

    async def read(self, object_id: str) -> tuple[dict[str, int], str | None]:
        try:
            values, dropped = await _insights(self.client, self.host, object_id, self.token, self.names)
        except GraphError as error:
            if error.action in PROPAGATE:
                raise
            return {}, f"Metrics unavailable: {error.message}"  # e.g. (#10) not enough viewers on a story
        if dropped:
            self.refused.extend(dropped)
            self.names = [name for name in self.names if name not in dropped]
        return normalise(values), _note(self.refused)


async def instagram_posts(
    client: GraphClient, host: Host, ig_user_id: str, token: str, *, limit_pages: int = 50
) -> list[Post]:
    """An Instagram account's posts, newest first, to the end of Meta's paging, each with its metrics."""
    items = await client.paged(
        host, f"{ig_user_id}/media", token, {"fields": INSTAGRAM_MEDIA_FIELDS}, max_pages=limit_pages
    )
    reader = _Metrics(client, host, token, INSTAGRAM_POST_METRICS)
    posts: list[Post] = []
    for item in items:
        media_id = str(item.get("id") or "")
        if not media_id:
            continue
        metrics, note = await reader.read(media_id)
        likes, comments = as_int(item.get("like_count")), as_int(item.get("comments_count"))
        for name, value in (("likes", likes), ("comments", comments)):
            if value is not None:
                metrics.setdefault(name, value)
        posts.append(
            Post(
                id=media_id,
                platform="instagram",
                account_id=ig_user_id,
                text=text(item.get("caption")),
                media_type=text(item.get("media_product_type") if item.get("media_product_type") == "REELS" else None)
                or text(item.get("media_type")),
                media_url=text(item.get("media_url")) or None,
                thumbnail_url=text(item.get("thumbnail_url")) or None,
                permalink=text(item.get("permalink")) or None,
                created_at=time_or_now(item.get("timestamp")),
                likes=likes,
                comments=comments,
                metrics=metrics,
                metrics_note=note,
            )
        )
    return posts


async def facebook_posts(client: GraphClient, page_id: str, token: str, *, limit_pages: int = 50) -> list[Post]:
    """A Page's published posts with reactions, comments and shares, then their views and reach."""
    items = await client.paged(
        Host.FACEBOOK, f"{page_id}/published_posts", token, {"fields": FACEBOOK_POST_FIELDS}, max_pages=limit_pages
    )
    reader = _Metrics(client, Host.FACEBOOK, token, FACEBOOK_POST_METRICS)
    posts: list[Post] = []
    for item in items:
        post_id = str(item.get("id") or "")
        if not post_id:
            continue
        metrics, note = await reader.read(post_id)
        likes, comments = summary_count(item.get("reactions")), summary_count(item.get("comments"))
        shares = summary_count(item.get("shares")) or 0
        for name, value in (("likes", likes), ("comments", comments), ("shares", shares)):
            if value is not None:
                metrics.setdefault(name, value)
        picture = text(item.get("full_picture")) or None
        posts.append(
            Post(
                id=post_id,
                platform="facebook",
                account_id=page_id,
                text=text(item.get("message")),
                media_type="IMAGE" if picture else "TEXT",
                media_url=picture,
                thumbnail_url=None,
                permalink=text(item.get("permalink_url")) or None,
                created_at=time_or_now(item.get("created_time")),
                likes=likes,
                comments=comments,
                metrics=metrics,
                metrics_note=note,
            )
        )
    return posts


async def instagram_stories(client: GraphClient, host: Host, ig_user_id: str, token: str) -> list[Story]:
    """The account's stories of the last 24 hours, with the metrics Meta still keeps for them."""
    items = await client.paged(host, f"{ig_user_id}/stories", token, {"fields": INSTAGRAM_STORY_FIELDS})
    reader = _Metrics(client, host, token, INSTAGRAM_STORY_METRICS)
    stories: list[Story] = []
    for item in items:
        story_id = str(item.get("id") or "")
        if not story_id:
            continue
        metrics, _ = await reader.read(story_id)
        stories.append(
            Story(
                id=story_id,
                platform="instagram",
                account_id=ig_user_id,
                media_type=text(item.get("media_type")),
                media_url=text(item.get("media_url")) or None,
                thumbnail_url=text(item.get("thumbnail_url")) or None,
                permalink=text(item.get("permalink")) or None,
                created_at=time_or_now(item.get("timestamp")),
                metrics=metrics,
            )
        )
    return stories


async def facebook_stories(client: GraphClient, page_id: str, token: str) -> list[Story]:
    """A Page's stories (`{page}/stories`: post_id, status, creation_time, media_type, url); no metrics."""
    items = await client.paged(Host.FACEBOOK, f"{page_id}/stories", token)
    stories: list[Story] = []
    for item in items:
        story_id = str(item.get("post_id") or item.get("id") or "")
        if not story_id or item.get("status", "PUBLISHED") != "PUBLISHED":
            continue
        stories.append(
            Story(
                id=story_id,
                platform="facebook",
                account_id=page_id,
                media_type=text(item.get("media_type")).upper(),
                media_url=None,
                thumbnail_url=None,
                permalink=text(item.get("url")) or None,
                created_at=time_or_now(item.get("creation_time")),
                metrics={},
            )
        )
    return stories
