"""A scripted Meta Graph API server: Meta's JSON wire format over real HTTP, for tests.

Standard library only, but for the scopes AutoCode asks for (granted by default). One server answers as every Meta
host the social media manager talks to: point `meta_graph_url`, `instagram_graph_url`, `meta_dialog_url` and
`instagram_dialog_url` at `server.url`.

    with GraphServer() as server:
        user = server.add_user("1001", "Anna")
        ig = server.add_ig_account("17841400000000001", "anna.bakes")
        page = server.add_page("2001", "Anna Bakes", instagram=ig, user=user.id)
        server.add_post(ig.id, caption="Rye loaf", likes=3, metrics={"reach": 40, "views": 90, "saved": 2})
        server.fault("*/media_publish", drop_after=True)          # publish, then close without an answer
        server.fault("me/accounts", code=2)                        # a transient error, once

What it speaks (paths carry `/vNN.N/` as Meta's do; Instagram Login's token endpoints have none):
- dialogs: `GET /{v}/dialog/oauth` and `GET /oauth/authorize` answer 302 to `redirect_uri?code=…&state=…`
  (or `error=access_denied` when `server.dialog_allows = False`), as the person `server.dialog_user` /
  `server.dialog_instagram`;
- tokens: `GET /{v}/oauth/access_token` (code, then `fb_exchange_token`), `POST /oauth/access_token` (Instagram
  Login's code), `GET /access_token` (`ig_exchange_token`), `GET /refresh_access_token` (only once a day old),
  `GET /{v}/debug_token` (with the app token), `me`, `me/accounts`, `me/permissions`;
- reading: `{ig}/media`, `{ig}/stories`, `{media}/insights`, `{page}/published_posts`, `{post}/insights`,
  `{page}/stories`, `{id}?fields=…`, comments, conversations; lists are paged by `page_size` (default 2) with
  `paging.cursors` and an absolute `paging.next` on `next_base` (https://graph.facebook.com), token included,
  exactly as Meta does: a client must re-target it;
- publishing: `{ig}/media` (the server GETs `image_url`/`video_url` itself with User-Agent
  `facebookexternalhit/1.1`, honouring robots.txt: anything but a 200 is 9004/2207052), containers IN_PROGRESS
  for `container_polls` reads then `container_outcome`, `media_publish` (9007/2207027 before FINISHED,
  9/2207042 over quota, 2207020 once EXPIRED), `content_publishing_limit`, Facebook feed, photos, videos,
  photo_stories and video_stories (start, an upload by `file_url` header to the returned `upload_url`, finish);
- messages: the 24-hour window (10/2018278) and "(#200) … Advanced Access" for recipients without a role;
- retired metrics (`impressions`, `plays`, `video_views`, `engagement`, …) fail the whole insights call with
  100 "metric[i] must be one of the following values: …"; a retired Facebook metric fails without the list;
- with `fresh_read_errors = True`, the first read of a new container or published media is 100/33.

Every request is logged in `server.requests` (method, path, route, query, form, headers: tokens visible, so
tests can assert where they travelled). `server.now` is the clock (settable). Faults queue per route pattern:
`fault(pattern, code=…, drop=…, drop_after=…, usage=…, regain_minutes=…, times=…)`.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import re
import socket
import threading
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from controlplane.social.graph.oauth import FACEBOOK_SCOPES, INSTAGRAM_SCOPES

VERSIONED = re.compile(r"^/(v\d+\.\d+)/(.*)$")
CRAWLER = "facebookexternalhit/1.1"
START = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
SHORT_FACEBOOK = timedelta(hours=1, minutes=30)
LONG = timedelta(days=60)
SHORT_INSTAGRAM = timedelta(hours=1)
DATA_ACCESS = timedelta(days=90)
STORY_LIFE = timedelta(hours=24)
WINDOW = timedelta(hours=24)

INSTAGRAM_POST_VALID = (
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
    "views",
    "follows",
    "profile_visits",
    "profile_activity",
)
INSTAGRAM_STORY_VALID = (
    "reach",
    "replies",
    "shares",
    "total_interactions",
    "views",
    "follows",
    "profile_visits",
    "profile_activity",
    "navigation",
)
FACEBOOK_POST_VALID = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_clicks",
)
# What the person grants at the dialog by default: every permission AutoCode asks for.
DEFAULT_SCOPES = FACEBOOK_SCOPES
INSTAGRAM_LOGIN_SCOPES = INSTAGRAM_SCOPES
KNOWN_MESSAGES = {
    1: "An unknown error occurred",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    190: "Error validating access token: The session has been invalidated because the user changed their password "
    "or Facebook has changed the session for security reasons.",
    368: "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
}
RATE_LIMITS = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
UNSUPPORTED = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)


def meta_time(moment: datetime) -> str:
    """Meta's time format: `2025-06-02T12:00:00+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def fields_of(value: str | None) -> set[str] | None:
    """The top-level names of a `fields` parameter: `a,b{c,d},e.limit(0).summary(x)` → {a, b, e}."""
    if not value:
        return None
    names: set[str] = set()
    depth, current = 0, ""
    for char in value:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        if char == "," and depth == 0:
            names.add(re.split(r"[.{(]", current.strip(), maxsplit=1)[0])
            current = ""
        else:
            current += char
    if current.strip():
        names.add(re.split(r"[.{(]", current.strip(), maxsplit=1)[0])
    return names


# --------------------------------------------------------------------------------------------------- state


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str  # as sent, without the query
    route: str  # without the version: what fault patterns match
    version: str | None
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-case names

    @property
    def token(self) -> str | None:
        """The access token, wherever it travelled (Bearer or OAuth header, query, form)."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith(("bearer ", "oauth ")):
            return auth.split(" ", 1)[1].strip()
        return self.query.get("access_token") or self.form.get("access_token")

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


@dataclass
class TokenRecord:
    value: str
    kind: str  # user | page | instagram
    owner: str
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None
    data_access_expires_at: datetime | None
    long_lived: bool = False
    dead: bool = False


@dataclass
class User:
    id: str
    name: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    declined: tuple[str, ...] = ()


@dataclass
class IgAccount:
    id: str
    username: str
    name: str
    picture: str | None
    page_id: str | None = None
    granted: bool = True  # granular consent: False hides it from me/accounts although the Page is linked
    quota_used: int = 0
    quota_total: int = 100
    token: str | None = None  # an Instagram Login token, when the account was added with login=True


@dataclass
class Page:
    id: str
    name: str
    token: str
    picture: str | None
    user_id: str | None
    instagram_id: str | None = None


@dataclass
class Media:
    """An Instagram media, a Facebook post or photo, or a story on either."""

    id: str
    owner: str
    platform: str  # instagram | facebook
    story: bool
    caption: str
    media_type: str
    media_url: str | None
    permalink: str
    timestamp: datetime
    like_count: int = 0
    comments_count: int = 0
    shares: int = 0
    metrics: dict[str, int] = field(default_factory=dict)
    thumbnail_url: str | None = None
    product_type: str = "FEED"
    published: bool = True
    attached: tuple[str, ...] = ()
    fresh: bool = False


@dataclass
class Container:
    id: str
    owner: str
    media_type: str
    form: dict[str, str]
    polls_left: int
    outcome: str
    published_media: str | None = None
    fresh: bool = False


@dataclass
class CommentRecord:
    id: str
    target: str
    author_id: str
    author: str
    text: str
    timestamp: datetime
    parent: str | None = None


@dataclass
class MessageRecord:
    id: str
    from_id: str
    from_name: str
    to_id: str
    text: str
    time: datetime


@dataclass
class ConversationRecord:
    id: str
    account_id: str  # the Page (messenger) or the Instagram account (instagram) whose messages are "mine"
    account_name: str
    platform: str
    participant_id: str
    participant_name: str
    has_role: bool
    messages: list[MessageRecord] = field(default_factory=list)


@dataclass
class Fault:
    pattern: str
    method: str | None
    times: int
    status: int
    error: dict[str, Any] | None
    headers: dict[str, str]
    drop: bool
    drop_after: bool
    usage: float | None


class Answer(Exception):
    """Raised by a handler to answer at once (an error, a redirect)."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class Outcome:
    status: int
    body: Any
    headers: dict[str, str]
    drop: bool = False


# --------------------------------------------------------------------------------------------------- the server


class GraphServer:
    """The scripted server; see the module's docstring."""

    def __init__(
        self,
        *,
        app_id: str = "app-1",
        app_secret: str = "app-secret-1",  # noqa: S107  # a test app's secret
        page_size: int = 2,
        next_base: str = "https://graph.facebook.com",
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.page_size = page_size
        self.next_base = next_base
        self.now = START
        self.requests: list[Recorded] = []
        self.fetched: list[tuple[str, int | str]] = []  # (url, status or reason) of every media fetch
        self.files: dict[str, tuple[str, bytes]] = {}  # served at /_files/{name}
        self.robots_txt: str | None = None  # served at /robots.txt when set
        self.tokens: dict[str, TokenRecord] = {}
        self.users: dict[str, User] = {}
        self.pages: dict[str, Page] = {}
        self.instagram: dict[str, IgAccount] = {}
        self.media: dict[str, Media] = {}
        self.containers: dict[str, Container] = {}
        self.comments: dict[str, CommentRecord] = {}
        self.conversations: dict[str, ConversationRecord] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.dialog_user: str | None = None
        self.dialog_instagram: str | None = None
        self.dialog_allows = True
        self.container_polls = 0
        self.container_outcome = "FINISHED"
        self.fresh_read_errors = False
        self.fetch_media = True
        self.require_jpeg = True
        self.app_usage = 1
        self.video_uploads: dict[str, str] = {}  # video id → file_url handed over in the upload step
        self._counter = 0
        self._lock = threading.RLock()
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("the Graph server is not started")
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> GraphServer:
        handler = type("BoundGraphHandler", (GraphHandler,), {"graph": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="graph-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- ids and tokens

    def next_id(self, prefix: str = "") -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}{9_000_000 + self._counter}"

    def issue_token(
        self,
        kind: str,
        owner: str,
        *,
        long_lived: bool = True,
        lifetime: timedelta | None = None,
        scopes: tuple[str, ...] | None = None,
        value: str | None = None,
    ) -> str:
        """A token the server accepts; `kind` is user, page or instagram. Page tokens never expire."""
        prefix = {"user": "EAAuser", "page": "EAApage", "instagram": "IGAA"}[kind]
        value = value or self.next_id(prefix + ("long" if long_lived else "short"))
        if lifetime is None:
            lifetime = LONG if long_lived else (SHORT_INSTAGRAM if kind == "instagram" else SHORT_FACEBOOK)
        if scopes is None:
            if kind == "instagram":
                scopes = INSTAGRAM_LOGIN_SCOPES
            else:
                page = self.pages.get(owner)
                user = self.users.get(page.user_id or "" if page else owner)
                scopes = user.scopes if user else DEFAULT_SCOPES
        self.tokens[value] = TokenRecord(
            value=value,
            kind=kind,
            owner=owner,
            scopes=scopes,
            issued_at=self.now,
            expires_at=None if kind == "page" else self.now + lifetime,
            data_access_expires_at=None if kind == "instagram" else self.now + DATA_ACCESS,
            long_lived=long_lived,
        )
        return value

    def kill_token(self, value: str) -> None:
        """The token dies as on a password change: every call with it is 190 from now on."""
        self.tokens[value].dead = True

    # ---- seeding

    def add_user(
        self,
        id: str = "1001",
        name: str = "Anna",
        *,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        declined: tuple[str, ...] = (),
    ) -> User:
        """A Facebook user; the first one added is the one who clicks through the dialog."""
        user = User(id=id, name=name, scopes=tuple(s for s in scopes if s not in declined), declined=declined)
        self.users[id] = user
        if self.dialog_user is None:
            self.dialog_user = id
        return user

    def add_ig_account(
        self,
        id: str,
        username: str,
        *,
        name: str | None = None,
        picture: str | None = None,
        login: bool = False,
        quota_total: int = 100,
        quota_used: int = 0,
    ) -> IgAccount:
        """An Instagram professional account; with `login=True` it can use Instagram Login (and gets `.token`)."""
        account = IgAccount(
            id=id,
            username=username,
            name=name or username,
            picture=picture or f"https://scontent.example/{id}.jpg",
            quota_total=quota_total,
            quota_used=quota_used,
        )
        self.instagram[id] = account
        if login:
            account.token = self.issue_token("instagram", id)
            if self.dialog_instagram is None:
                self.dialog_instagram = id
        return account

    def add_page(
        self,
        id: str,
        name: str,
        *,
        instagram: IgAccount | str | None = None,
        user: str | None = None,
        token: str | None = None,
        picture: str | None = None,
    ) -> Page:
        """A Page managed by `user` (default: the dialog's user), linked to an Instagram account if given."""
        ig_id = instagram.id if isinstance(instagram, IgAccount) else instagram
        page = Page(
            id=id,
            name=name,
            token=token or f"EAApage{id}",
            picture=picture or f"https://scontent.example/page-{id}.jpg",
            user_id=user or self.dialog_user,
            instagram_id=ig_id,
        )
        self.pages[id] = page
        if ig_id is not None:
            self.instagram[ig_id].page_id = id
        self.issue_token("page", id, value=page.token)
        return page

    def _platform(self, owner: str) -> str:
        if owner in self.instagram:
            return "instagram"
        if owner in self.pages:
            return "facebook"
        raise KeyError(f"no Page or Instagram account {owner!r} was added")

    def add_post(
        self,
        owner: str,
        *,
        caption: str = "",
        media_type: str = "IMAGE",
        media_url: str | None = None,
        timestamp: datetime | None = None,
        likes: int = 0,
        comments: int = 0,
        shares: int = 0,
        metrics: dict[str, int] | None = None,
        product_type: str = "FEED",
    ) -> Media:
        """A post of an Instagram account or a Page; `metrics` in Meta's names (reach, views, saved, …)."""
        platform = self._platform(owner)
        media_id = self.next_id() if platform == "instagram" else f"{owner}_{self.next_id()}"
        media = Media(
            id=media_id,
            owner=owner,
            platform=platform,
            story=False,
            caption=caption,
            media_type=media_type,
            media_url=media_url or (f"https://scontent.example/{media_id}.jpg" if media_type != "TEXT" else None),
            permalink=(
                f"https://www.instagram.com/p/{media_id}/"
                if platform == "instagram"
                else f"https://www.facebook.com/{owner}/posts/{media_id}"
            ),
            timestamp=timestamp or self.now - timedelta(hours=len(self.media) + 1),
            like_count=likes,
            comments_count=comments,
            shares=shares,
            metrics=dict(metrics or {}),
            product_type=product_type,
        )
        self.media[media_id] = media
        return media

    def add_story(
        self,
        owner: str,
        *,
        media_type: str = "IMAGE",
        timestamp: datetime | None = None,
        metrics: dict[str, int] | None = None,
    ) -> Media:
        """A story (seen for 24 hours of `server.now`)."""
        platform = self._platform(owner)
        media_id = self.next_id()
        media = Media(
            id=media_id,
            owner=owner,
            platform=platform,
            story=True,
            caption="",
            media_type=media_type,
            media_url=f"https://scontent.example/{media_id}.jpg",
            permalink=(
                f"https://www.instagram.com/stories/{owner}/{media_id}/"
                if platform == "instagram"
                else f"https://www.facebook.com/stories/{owner}/{media_id}"
            ),
            timestamp=timestamp or self.now - timedelta(hours=1),
            metrics=dict(metrics or {}),
        )
        self.media[media_id] = media
        return media

    def add_comment(
        self,
        target: str,
        *,
        author: str,
        text: str,
        timestamp: datetime | None = None,
        parent: str | None = None,
        author_id: str | None = None,
    ) -> CommentRecord:
        """A comment on a media or post, or (with `parent`) a reply to a comment."""
        record = CommentRecord(
            id=self.next_id(),
            target=target,
            author_id=author_id or self.next_id(),
            author=author,
            text=text,
            timestamp=timestamp or self.now - timedelta(minutes=30),
            parent=parent,
        )
        self.comments[record.id] = record
        if parent is None and target in self.media:
            self.media[target].comments_count += 1
        return record

    def add_conversation(
        self,
        account_id: str,
        platform: str,
        participant_id: str,
        participant_name: str,
        *,
        messages: Sequence[tuple[str, str, datetime]] = (),
        has_role: bool = True,
    ) -> ConversationRecord:
        """A DM conversation of a Page (`messenger`) or an Instagram account (`instagram`).

        `messages` are (who, text, time) with who "them" or "me"; `has_role=False` makes sending to this person
        fail with "(#200) … Advanced Access" as for someone without a role on the app.
        """
        account_name = self.pages[account_id].name if account_id in self.pages else self.instagram[account_id].username
        conversation = ConversationRecord(
            id=f"t_{self.next_id()}",
            account_id=account_id,
            account_name=account_name,
            platform=platform,
            participant_id=participant_id,
            participant_name=participant_name,
            has_role=has_role,
        )
        for who, text, moment in messages:
            mine = who == "me"
            conversation.messages.append(
                MessageRecord(
                    id=f"m_{self.next_id()}",
                    from_id=account_id if mine else participant_id,
                    from_name=account_name if mine else participant_name,
                    to_id=participant_id if mine else account_id,
                    text=text,
                    time=moment,
                )
            )
        self.conversations[conversation.id] = conversation
        return conversation

    def add_file(self, name: str, content: bytes, content_type: str = "image/jpeg") -> str:
        """A file this server serves at `/_files/{name}` (for Meta's media fetches); its URL."""
        self.files[name] = (content_type, content)
        return f"{self.url}/_files/{name}"

    def fault(
        self,
        pattern: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        message: str | None = None,
        status: int | None = None,
        method: str | None = None,
        times: int = 1,
        drop: bool = False,
        drop_after: bool = False,
        usage: float | None = None,
        regain_minutes: int | None = None,
        user_msg: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Queues a fault for requests whose route (the path without version) matches the glob `pattern`.

        `code` answers Meta's error (its usual message unless `message`); a rate-limit code carries the usage
        headers (`regain_minutes` → `estimated_time_to_regain_access`). `drop` closes the connection without an
        answer; `drop_after` carries the request out, then closes without an answer; `usage` answers normally
        with `X-App-Usage` at that percentage. Each fault serves `times` requests.
        """
        extra = dict(headers or {})
        error = None
        if code is not None:
            error = self.error_body(
                code,
                message or KNOWN_MESSAGES.get(code, f"(#{code}) Scripted error"),
                subcode=subcode,
                user_msg=user_msg,
                transient=code in (1, 2),
            )
            if code in RATE_LIMITS:
                extra.setdefault("X-App-Usage", json.dumps({"call_count": 100, "total_time": 40, "total_cputime": 30}))
                entry = {
                    "type": "pages" if code == 32 else "instagram",
                    "call_count": 100,
                    "total_time": 40,
                    "total_cputime": 30,
                    "estimated_time_to_regain_access": regain_minutes or 0,
                }
                extra.setdefault("X-Business-Use-Case-Usage", json.dumps({"2001": [entry]}))
        record = Fault(
            pattern=pattern,
            method=method.upper() if method else None,
            times=times,
            status=status or (500 if code in (1, 2) else 400),
            error=error,
            headers=extra,
            drop=drop,
            drop_after=drop_after,
            usage=usage,
        )
        with self._lock:
            self.faults.append(record)
        return record

    def error_body(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        title: str | None = None,
        user_msg: str | None = None,
        transient: bool = False,
    ) -> dict[str, Any]:
        error: dict[str, Any] = {"message": message, "type": kind, "code": code, "is_transient": transient}
        if subcode is not None:
            error["error_subcode"] = subcode
        if title:
            error["error_user_title"] = title
        if user_msg:
            error["error_user_msg"] = user_msg
        error["fbtrace_id"] = f"Atrace{self._counter}"
        return {"error": error}

    def fail(self, code: int, message: str, *, status: int = 400, **kwargs: Any) -> Answer:
        return Answer(status, self.error_body(code, message, **kwargs))

    # ---- requests seen

    def requests_to(self, pattern: str, method: str | None = None) -> list[Recorded]:
        """The logged requests whose route matches the glob (and method)."""
        return [
            r
            for r in self.requests
            if fnmatch.fnmatchcase(r.route, pattern) and (method is None or r.method == method.upper())
        ]

    # ---- dispatch (called by the handler)

    def take_fault(self, request: Recorded) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fnmatch.fnmatchcase(request.route, fault.pattern):
                    if fault.method and fault.method != request.method:
                        continue
                    fault.times -= 1
                    return fault
        return None

    def handle(self, request: Recorded) -> Outcome:
        with self._lock:
            self.requests.append(request)
        fault = self.take_fault(request)
        if fault is not None and fault.drop:
            return Outcome(0, None, {}, drop=True)
        if fault is not None and fault.error is not None:
            return Outcome(fault.status, fault.error, self._usage_headers(None, fault.headers))
        fetched = self._prefetch(request)
        try:
            with self._lock:
                status, body, headers = 200, self.route(request, fetched), {}
        except Answer as answer:
            status, body, headers = answer.status, answer.body, answer.headers
        usage = fault.usage if fault is not None else None
        outcome = Outcome(status, body, self._usage_headers(usage, {**headers, **(fault.headers if fault else {})}))
        outcome.drop = fault is not None and fault.drop_after
        return outcome

    def _usage_headers(self, usage: float | None, extra: dict[str, str]) -> dict[str, str]:
        percent = usage if usage is not None else self.app_usage
        headers = {"X-App-Usage": json.dumps({"call_count": percent, "total_time": 1, "total_cputime": 1})}
        headers.update(extra)
        return headers

    # ---- media fetching (outside the lock: the media may be served by this very server)

    def _prefetch(self, request: Recorded) -> dict[str, str | None]:
        """Each media URL of a write → None when Meta's crawler could fetch it, else why not."""
        if request.method != "POST" or not self.fetch_media:
            return {}
        urls = [request.form[key] for key in ("image_url", "video_url", "url", "file_url") if request.form.get(key)]
        if request.headers.get("file_url"):
            urls.append(request.headers["file_url"])
        return {url: self._fetch(url, jpeg=self.require_jpeg and request.form.get("image_url") == url) for url in urls}

    def _fetch(self, url: str, *, jpeg: bool) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            self.fetched.append((url, "not an http(s) URL"))
            return "not an http(s) URL"
        robots = urllib.robotparser.RobotFileParser(f"{parts.scheme}://{parts.netloc}/robots.txt")
        try:
            robots.read()
        except (OSError, ValueError):
            robots.allow_all = True
        if not robots.can_fetch(CRAWLER, url):
            self.fetched.append((url, "Restricted by robots.txt"))
            return "Restricted by robots.txt"
        request = urllib.request.Request(url, headers={"User-Agent": CRAWLER})  # noqa: S310  # http(s) checked above
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                content = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            self.fetched.append((url, exc.code))
            return f"HTTP {exc.code}"
        except OSError as exc:
            self.fetched.append((url, str(exc)))
            return "unreachable"
        self.fetched.append((url, status))
        if status != 200:
            return f"HTTP {status}"
        if jpeg and not content.startswith(b"\xff\xd8\xff"):
            return "not a JPEG"
        return None

    # ---- helpers for handlers

    def token(self, request: Recorded, *kinds: str) -> TokenRecord:
        value = request.token
        if not value:
            raise self.fail(104, "An access token is required to request this resource.")
        record = self.tokens.get(value)
        if record is None:
            raise self.fail(190, "Invalid OAuth access token - Cannot parse access token")
        if record.dead:
            raise self.fail(190, KNOWN_MESSAGES[190], subcode=460)
        if record.expires_at is not None and self.now >= record.expires_at:
            raise self.fail(
                190,
                f"Error validating access token: Session has expired on {meta_time(record.expires_at)}. "
                f"The current time is {meta_time(self.now)}.",
                subcode=463,
            )
        if kinds and record.kind not in kinds:
            raise self.fail(
                190 if record.kind == "instagram" else 200,
                "Invalid OAuth access token - Cannot parse access token"
                if record.kind == "instagram"
                else "(#200) This call needs a different kind of access token",
            )
        return record

    def _resolve(self, node: str, record: TokenRecord) -> str:
        if node != "me":
            return node
        return record.owner

    def paged(self, request: Recorded, items: list[dict[str, Any]]) -> dict[str, Any]:
        size = self.page_size
        if request.query.get("limit", "").isdigit():
            size = max(1, min(int(request.query["limit"]), self.page_size))
        start = 0
        after = request.query.get("after")
        if after:
            start = int(base64.b64decode(after).decode()) + 1
        chunk = items[start : start + size]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            body["paging"] = {
                "cursors": {
                    "before": base64.b64encode(str(start).encode()).decode(),
                    "after": base64.b64encode(str(start + len(chunk) - 1).encode()).decode(),
                }
            }
            if start + size < len(items):
                query = {k: v for k, v in request.query.items() if k not in ("after", "before")}
                query["limit"] = str(size)
                query["after"] = body["paging"]["cursors"]["after"]
                if request.token:
                    query["access_token"] = request.token  # Meta puts the token in `next`
                version = request.version or "v24.0"
                body["paging"]["next"] = f"{self.next_base}/{version}/{request.route}?{urlencode(query)}"
        return body

    @staticmethod
    def only(request: Recorded, item: dict[str, Any]) -> dict[str, Any]:
        wanted = fields_of(request.query.get("fields"))
        if wanted is None:
            return item
        return {key: value for key, value in item.items() if key in wanted or key == "id"}

    # ---- routing

    def route(self, request: Recorded, fetched: dict[str, str | None]) -> Any:
        return dispatch(self, request, fetched)


# --------------------------------------------------------------------------------------------------- HTTP


class GraphHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as Meta's edge speaks; every answer is JSON except redirects and files."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall per answer
    graph: GraphServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parts.path.startswith("/_files/") or parts.path == "/robots.txt":
            self._file(parts.path)
            return
        form: dict[str, str] = {}
        content_type = self.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            parsed = json.loads(raw)
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}
        elif raw:
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        match = VERSIONED.match(parts.path)
        version, route = (match.group(1), match.group(2)) if match else (None, parts.path.lstrip("/"))
        request = Recorded(
            method=method,
            path=parts.path,
            route=route.rstrip("/"),
            version=version,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            form=form,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        outcome = self.graph.handle(request)
        if outcome.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if outcome.status in (301, 302):
            self.send_response(outcome.status)
            for name, value in outcome.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps(outcome.body).encode()
        self.send_response(outcome.status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-fb-trace-id", f"Atrace{len(self.graph.requests)}")
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _file(self, path: str) -> None:
        if path == "/robots.txt":
            found = ("text/plain", self.graph.robots_txt.encode()) if self.graph.robots_txt is not None else None
        else:
            found = self.graph.files.get(path.removeprefix("/_files/"))
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type, content = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


# --------------------------------------------------------------------------------------------------- routes
# Each route takes the server (its lock held), the request and, for writes, what Meta's crawler made of the
# media URLs; it returns the JSON body or raises Answer. Error texts are Meta's where Meta documents them.

Route = Any


def dispatch(g: GraphServer, r: Recorded, fetched: dict[str, str | None]) -> Any:
    if r.path.startswith("/video-upload/"):  # Meta's upload host (rupload.facebook.com), here on the same server
        return upload_video(g, r, fetched)
    fixed: dict[tuple[str, str], Route] = {
        ("GET", "dialog/oauth"): facebook_dialog,
        ("GET", "oauth/authorize"): instagram_dialog,
        ("GET", "oauth/access_token"): facebook_token,
        ("POST", "oauth/access_token"): instagram_code,
        ("GET", "access_token"): instagram_exchange,
        ("GET", "refresh_access_token"): instagram_refresh,
        ("GET", "debug_token"): debug_token,
    }
    handler = fixed.get((r.method, r.route))
    if handler is not None:
        return handler(g, r)
    parts = r.route.split("/")
    record = g.token(r)
    node = g._resolve(parts[0], record)
    if len(parts) == 1:
        if r.method != "GET":
            raise g.fail(100, UNSUPPORTED.format(method=r.method.lower(), id=node), subcode=33)
        return read_node(g, r, record, node)
    edges: dict[tuple[str, str], Route] = {
        ("GET", "accounts"): accounts,
        ("GET", "permissions"): permissions,
        ("GET", "media"): list_media,
        ("POST", "media"): create_container,
        ("POST", "media_publish"): publish,
        ("GET", "content_publishing_limit"): quota,
        ("GET", "stories"): stories,
        ("GET", "insights"): insights,
        ("GET", "comments"): list_comments,
        ("POST", "comments"): facebook_reply,
        ("POST", "replies"): instagram_reply,
        ("GET", "published_posts"): published_posts,
        ("POST", "feed"): feed,
        ("POST", "photos"): photos,
        ("POST", "videos"): videos,
        ("POST", "photo_stories"): photo_stories,
        ("POST", "video_stories"): video_stories,
        ("GET", "conversations"): conversations,
        ("POST", "messages"): send_message,
    }
    handler = edges.get((r.method, parts[1])) if len(parts) == 2 else None
    if handler is None:
        raise g.fail(100, f"(#100) Tried accessing nonexisting field ({'/'.join(parts[1:])}) on this node")
    return handler(g, r, record, node, fetched)


def _redirect(redirect_uri: str, params: dict[str, str]) -> Answer:
    separator = "&" if "?" in redirect_uri else "?"
    return Answer(302, None, {"Location": f"{redirect_uri}{separator}{urlencode(params)}"})


def _dialog(g: GraphServer, r: Recorded, kind: str, who: str | None) -> Any:
    q = r.query
    if q.get("client_id") != g.app_id:
        raise g.fail(101, "Error validating application. Invalid application ID.")
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_uri:
        raise g.fail(100, "The parameter redirect_uri is required")
    state = q.get("state", "")
    if not g.dialog_allows or who is None:
        raise _redirect(
            redirect_uri,
            {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            },
        )
    code = g.next_id(f"{kind[:2]}code")
    scopes = tuple(s for s in q.get("scope", "").split(",") if s)
    g.codes[code] = {"kind": kind, "who": who, "redirect_uri": redirect_uri, "scopes": scopes, "used": False}
    raise _redirect(redirect_uri, {"code": code, "state": state})


def facebook_dialog(g: GraphServer, r: Recorded) -> Any:
    return _dialog(g, r, "facebook", g.dialog_user)


def instagram_dialog(g: GraphServer, r: Recorded) -> Any:
    return _dialog(g, r, "instagram", g.dialog_instagram)


def _check_app(g: GraphServer, values: dict[str, str], *, need_id: bool = True) -> None:
    if need_id and values.get("client_id") != g.app_id:
        raise g.fail(101, "Error validating application. Invalid application ID.")
    if values.get("client_secret") != g.app_secret:
        raise g.fail(101, "Error validating client secret.")


def _take_code(g: GraphServer, code: str, kind: str, redirect_uri: str) -> dict[str, Any]:
    grant = g.codes.get(code)
    if grant is None or grant["kind"] != kind:
        raise g.fail(100, "Invalid verification code format.", subcode=36007)
    if grant["used"]:
        raise g.fail(100, "This authorization code has been used.", subcode=36009)
    if grant["redirect_uri"] != redirect_uri:
        raise g.fail(
            100,
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you "
            "used in the OAuth dialog request",
            subcode=36008,
        )
    grant["used"] = True
    return grant


def facebook_token(g: GraphServer, r: Recorded) -> Any:
    q = r.query
    _check_app(g, q)
    if q.get("grant_type") == "fb_exchange_token":
        short = g.tokens.get(q.get("fb_exchange_token", ""))
        if short is None or short.kind != "user" or short.dead or (short.expires_at and g.now >= short.expires_at):
            raise g.fail(190, "Invalid OAuth access token - Cannot parse access token")
        value = g.issue_token("user", short.owner, long_lived=True, scopes=short.scopes)
        return {"access_token": value, "token_type": "bearer", "expires_in": int(LONG.total_seconds())}
    grant = _take_code(g, q.get("code", ""), "facebook", q.get("redirect_uri", ""))
    user = g.users[grant["who"]]
    scopes = tuple(s for s in (grant["scopes"] or user.scopes) if s in user.scopes)
    value = g.issue_token("user", user.id, long_lived=False, scopes=scopes)
    return {"access_token": value, "token_type": "bearer", "expires_in": int(SHORT_FACEBOOK.total_seconds())}


def _instagram_oauth_error(message: str) -> Answer:
    return Answer(400, {"error_type": "OAuthException", "code": 400, "error_message": message})


def instagram_code(g: GraphServer, r: Recorded) -> Any:
    f = r.form
    if f.get("client_id") != g.app_id or f.get("client_secret") != g.app_secret:
        raise _instagram_oauth_error("Invalid platform app")
    if f.get("grant_type") != "authorization_code":
        raise _instagram_oauth_error("Invalid grant_type")
    grant = g.codes.get(f.get("code", ""))
    if grant is None or grant["kind"] != "instagram" or grant["used"]:
        raise _instagram_oauth_error("This authorization code has been used")
    if grant["redirect_uri"] != f.get("redirect_uri"):
        raise _instagram_oauth_error(
            "Error validating verification code. Please make sure your redirect_uri is identical"
        )
    grant["used"] = True
    scopes = tuple(grant["scopes"]) or INSTAGRAM_LOGIN_SCOPES
    value = g.issue_token("instagram", grant["who"], long_lived=False, scopes=scopes)
    return {"data": [{"access_token": value, "user_id": grant["who"], "permissions": ",".join(scopes)}]}


def instagram_exchange(g: GraphServer, r: Recorded) -> Any:
    if r.query.get("grant_type") != "ig_exchange_token":
        raise g.fail(100, "Unsupported grant_type")
    _check_app(g, r.query, need_id=False)
    short = g.token(r, "instagram")
    value = g.issue_token("instagram", short.owner, long_lived=True, scopes=short.scopes)
    return {"access_token": value, "token_type": "bearer", "expires_in": int(LONG.total_seconds())}


def instagram_refresh(g: GraphServer, r: Recorded) -> Any:
    if r.query.get("grant_type") != "ig_refresh_token":
        raise g.fail(100, "Unsupported grant_type")
    token = g.token(r, "instagram")
    if not token.long_lived or g.now - token.issued_at < timedelta(hours=24):
        raise g.fail(100, "Only long-lived tokens at least 24 hours old can be refreshed", kind="IGApiException")
    value = g.issue_token("instagram", token.owner, long_lived=True, scopes=token.scopes)
    return {"access_token": value, "token_type": "bearer", "expires_in": int(LONG.total_seconds())}


def _ts(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def debug_token(g: GraphServer, r: Recorded) -> Any:
    if r.token != f"{g.app_id}|{g.app_secret}":
        raise g.fail(190, "Invalid OAuth access token - Cannot parse access token")
    record = g.tokens.get(r.query.get("input_token", ""))
    if record is None:
        return {
            "data": {
                "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
                "is_valid": False,
                "scopes": [],
            }
        }
    expired = record.expires_at is not None and g.now >= record.expires_at
    data: dict[str, Any] = {
        "app_id": g.app_id,
        "type": record.kind.upper(),
        "application": "The family's app",
        "data_access_expires_at": _ts(record.data_access_expires_at),
        "expires_at": _ts(record.expires_at),
        "is_valid": not record.dead and not expired,
        "issued_at": _ts(record.issued_at),
        "scopes": list(record.scopes),
    }
    if record.kind == "page":
        data["profile_id"] = record.owner
        data["user_id"] = g.pages[record.owner].user_id
    else:
        data["user_id"] = record.owner
    if record.dead:
        data["error"] = {"code": 190, "message": KNOWN_MESSAGES[190], "subcode": 460}
    elif expired:
        data["error"] = {"code": 190, "message": "Error validating access token: Session has expired", "subcode": 463}
    return {"data": data}


def _ig_account(account: IgAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "user_id": account.id,
        "username": account.username,
        "name": account.name,
        "profile_picture_url": account.picture,
        "account_type": "BUSINESS",
    }


def _ig_media(media: Media, account: IgAccount | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": media.id,
        "caption": media.caption,
        "media_type": media.media_type,
        "media_product_type": "STORY" if media.story else media.product_type,
        "media_url": media.media_url,
        "permalink": media.permalink,
        "timestamp": meta_time(media.timestamp),
        "like_count": media.like_count,
        "comments_count": media.comments_count,
        "username": account.username if account else "",
    }
    if media.thumbnail_url:
        item["thumbnail_url"] = media.thumbnail_url
    return item


def _fresh(g: GraphServer, thing: Media | Container, node: str) -> None:
    if thing.fresh:
        thing.fresh = False
        raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)


CONTAINER_TEXT = {
    "IN_PROGRESS": "In Progress",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "ERROR": "Error: Media upload has failed with error code 2207026",
    "EXPIRED": "Expired: the container was not published within 24 hours",
    "PUBLISHED": "Published",
}


def read_node(g: GraphServer, r: Recorded, record: TokenRecord, node: str) -> Any:
    if node in g.users:
        user = g.users[node]
        return g.only(r, {"id": user.id, "name": user.name})
    if node in g.instagram:
        return g.only(r, _ig_account(g.instagram[node]))
    if node in g.pages:
        page = g.pages[node]
        return g.only(r, {"id": page.id, "name": page.name, "picture": {"data": {"url": page.picture}}})
    if node in g.containers:
        container = g.containers[node]
        _fresh(g, container, node)
        if container.published_media:
            status = "PUBLISHED"
        elif container.polls_left > 0:
            container.polls_left -= 1
            status = "IN_PROGRESS"
        else:
            status = container.outcome
        return g.only(r, {"id": container.id, "status_code": status, "status": CONTAINER_TEXT[status]})
    if node in g.media:
        media = g.media[node]
        _fresh(g, media, node)
        if media.platform == "instagram":
            return g.only(r, _ig_media(media, g.instagram.get(media.owner)))
        return g.only(r, _fb_post(media))
    if node in g.comments:
        return g.only(r, _comment(g, g.comments[node]))
    raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)


def accounts(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    if record.kind != "user":
        raise g.fail(100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
    items = []
    for page in g.pages.values():
        if page.user_id != record.owner:
            continue
        item: dict[str, Any] = {
            "id": page.id,
            "name": page.name,
            "access_token": page.token,
            "category": "Bakery",
            "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            "picture": {"data": {"height": 50, "is_silhouette": False, "url": page.picture, "width": 50}},
        }
        account = g.instagram.get(page.instagram_id or "")
        if account is not None and account.granted:
            item["instagram_business_account"] = {
                "id": account.id,
                "username": account.username,
                "name": account.name,
                "profile_picture_url": account.picture,
            }
        items.append(g.only(r, item))
    return g.paged(r, items)


def permissions(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    user = g.users.get(record.owner)
    declined = user.declined if user else ()
    items = [{"permission": s, "status": "granted"} for s in record.scopes]
    items += [{"permission": s, "status": "declined"} for s in declined]
    return {"data": items}


def _account(g: GraphServer, node: str) -> IgAccount:
    account = g.instagram.get(node)
    if account is None:
        raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)
    return account


def _page(g: GraphServer, node: str) -> Page:
    page = g.pages.get(node)
    if page is None:
        raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)
    return page


def list_media(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    account = _account(g, node)
    found = [m for m in g.media.values() if m.owner == node and not m.story and m.published]
    found.sort(key=lambda m: m.timestamp, reverse=True)
    return g.paged(r, [g.only(r, _ig_media(m, account)) for m in found])


def _media_failure(g: GraphServer, url: str, reason: str) -> Answer:
    if reason == "not a JPEG":
        return g.fail(
            100,
            "The image format is not supported. Only JPEG images can be published.",
            subcode=2207005,
            title="Unsupported format",
            user_msg="The image format is not supported.",
        )
    return g.fail(
        9004,
        "Media download has failed. The media URI doesn't meet our requirements.",
        subcode=2207052,
        title="Media download has failed",
        user_msg=f"The media could not be fetched from this uri: {url}. {reason}",
    )


def create_container(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: dict[str, Any]) -> Any:
    _account(g, node)
    f = r.form
    media_type = f.get("media_type", "IMAGE").upper()
    if media_type == "CAROUSEL":
        children = [c for c in f.get("children", "").split(",") if c]
        if not 2 <= len(children) <= 10 or any(c not in g.containers for c in children):
            raise g.fail(100, "(#100) The parameter children must hold 2 to 10 carousel item containers")
    else:
        url = f.get("video_url") or f.get("image_url")
        if not url:
            raise g.fail(100, "(#100) The parameter image_url or video_url is required.")
        reason = fetched.get(url)
        if reason is not None:
            raise _media_failure(g, url, reason)
    container = Container(
        id=g.next_id(),
        owner=node,
        media_type=media_type,
        form=dict(f),
        polls_left=g.container_polls,
        outcome=g.container_outcome,
        fresh=g.fresh_read_errors,
    )
    g.containers[container.id] = container
    return {"id": container.id}


def publish(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    account = _account(g, node)
    container = g.containers.get(r.form.get("creation_id") or r.query.get("creation_id", ""))
    if container is None or container.owner != node:
        raise g.fail(100, "(#100) Param creation_id must be a valid media container id")
    if container.published_media:  # scripted text: Meta refuses a second publish of one container
        raise g.fail(100, "(#100) This media container has already been published", subcode=2207008)
    if container.polls_left > 0:
        raise g.fail(
            9007,
            "The media is not ready for publishing, please wait for a moment",
            subcode=2207027,
            title="Media ID is not available",
            user_msg="The media is not ready for publishing, please wait for a moment",
        )
    if container.outcome == "EXPIRED":
        raise g.fail(100, "The media container has expired; create a new one.", subcode=2207020, title="Media expired")
    if container.outcome == "ERROR":
        raise g.fail(100, "An unknown error occurred during the media upload.", subcode=2207053)
    if account.quota_used >= account.quota_total:
        raise g.fail(
            9,
            "Application request limit reached",
            subcode=2207042,
            title="Max. publish limit reached",
            user_msg="You have reached the maximum number of posts that is allowed to be published by the API in a "
            "24-hour period.",
        )
    f = container.form
    kind = container.media_type
    media = Media(
        id=g.next_id(),
        owner=node,
        platform="instagram",
        story=kind == "STORIES",
        caption=f.get("caption", ""),
        media_type="CAROUSEL_ALBUM" if kind == "CAROUSEL" else ("VIDEO" if f.get("video_url") else "IMAGE"),
        media_url=f.get("image_url") or f.get("video_url"),
        permalink="",
        timestamp=g.now,
        product_type="REELS" if kind == "REELS" else "FEED",
        fresh=g.fresh_read_errors,
    )
    media.permalink = f"https://www.instagram.com/p/{media.id}/"
    g.media[media.id] = media
    container.published_media = media.id
    account.quota_used += 1
    return {"id": media.id}


def quota(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    account = _account(g, node)
    return {
        "data": [
            {"quota_usage": account.quota_used, "config": {"quota_total": account.quota_total, "quota_duration": 86400}}
        ]
    }


def stories(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    live = [m for m in g.media.values() if m.owner == node and m.story and g.now - m.timestamp < STORY_LIFE]
    live.sort(key=lambda m: m.timestamp, reverse=True)
    if node in g.instagram:
        return g.paged(r, [g.only(r, _ig_media(m, g.instagram[node])) for m in live])
    _page(g, node)
    return g.paged(
        r,
        [
            {
                "post_id": m.id,
                "status": "PUBLISHED",
                "creation_time": str(_ts(m.timestamp)),
                "media_type": "video" if m.media_type == "VIDEO" else "photo",
                "media_id": m.id,
                "url": m.permalink,
            }
            for m in live
        ],
    )


def insights(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    media = g.media.get(node)
    if media is None:
        raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)
    names = [n.strip() for n in r.query.get("metric", "").split(",") if n.strip()]
    if not names:
        raise g.fail(100, "(#100) The parameter metric is required")
    if media.platform == "instagram":
        valid = INSTAGRAM_STORY_VALID if media.story else INSTAGRAM_POST_VALID
        for index, name in enumerate(names):
            if name not in valid:
                raise g.fail(100, f"(#100) metric[{index}] must be one of the following values: {', '.join(valid)}")
    elif any(name not in FACEBOOK_POST_VALID for name in names):
        raise g.fail(100, "(#100) The value must be a valid insights metric")
    defaults = {"likes": media.like_count, "comments": media.comments_count, "shares": media.shares}
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": media.metrics.get(name, defaults.get(name, 0))}],
                "title": name.replace("_", " ").capitalize(),
                "description": "",
                "id": f"{media.id}/insights/{name}/lifetime",
            }
            for name in names
        ]
    }


def _comment(g: GraphServer, comment: CommentRecord) -> dict[str, Any]:
    target = g.media.get(comment.target)
    replies = sorted((c for c in g.comments.values() if c.parent == comment.id), key=lambda c: c.timestamp)
    if target is not None and target.platform == "facebook":
        return {
            "id": comment.id,
            "message": comment.text,
            "from": {"id": comment.author_id, "name": comment.author},
            "created_time": meta_time(comment.timestamp),
            "can_comment": comment.parent is None,
            "comments": {
                "data": [
                    {
                        "id": c.id,
                        "message": c.text,
                        "from": {"id": c.author_id, "name": c.author},
                        "created_time": meta_time(c.timestamp),
                    }
                    for c in replies
                ]
            },
        }
    return {
        "id": comment.id,
        "text": comment.text,
        "username": comment.author,
        "timestamp": meta_time(comment.timestamp),
        "like_count": 0,
        "replies": {
            "data": [
                {"id": c.id, "text": c.text, "username": c.author, "timestamp": meta_time(c.timestamp)} for c in replies
            ]
        },
    }


def list_comments(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    if node in g.comments:
        found = [c for c in g.comments.values() if c.parent == node]
    elif node in g.media:
        found = [c for c in g.comments.values() if c.target == node and c.parent is None]
    else:
        raise g.fail(100, UNSUPPORTED.format(method="get", id=node), subcode=33)
    found.sort(key=lambda c: c.timestamp)
    return g.paged(r, [g.only(r, _comment(g, c)) for c in found])


def _author(g: GraphServer, record: TokenRecord) -> tuple[str, str]:
    if record.kind == "page":
        return record.owner, g.pages[record.owner].name
    if record.kind == "instagram":
        return record.owner, g.instagram[record.owner].username
    return record.owner, g.users[record.owner].name if record.owner in g.users else record.owner


def instagram_reply(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    parent = g.comments.get(node)
    if parent is None:
        raise g.fail(100, UNSUPPORTED.format(method="post", id=node), subcode=33)
    if parent.parent is not None:
        raise g.fail(100, "(#100) Replies can only be made to top-level comments")
    if not r.form.get("message"):
        raise g.fail(100, "(#100) The parameter message is required")
    author_id, author = _author(g, record)
    if record.kind == "page" and g.pages[record.owner].instagram_id:
        account = g.instagram[g.pages[record.owner].instagram_id or ""]
        author_id, author = account.id, account.username
    reply = g.add_comment(
        parent.target, author=author, text=r.form["message"], timestamp=g.now, parent=node, author_id=author_id
    )
    return {"id": reply.id}


def facebook_reply(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    if not r.form.get("message"):
        raise g.fail(100, "(#100) The parameter message is required")
    author_id, author = _author(g, record)
    if node in g.comments:
        parent = g.comments[node]
        top = parent.parent or parent.id  # Facebook threads replies under the top-level comment
        reply = g.add_comment(
            parent.target, author=author, text=r.form["message"], timestamp=g.now, parent=top, author_id=author_id
        )
        return {"id": reply.id}
    if node in g.media:
        comment = g.add_comment(node, author=author, text=r.form["message"], timestamp=g.now, author_id=author_id)
        return {"id": comment.id}
    raise g.fail(100, UNSUPPORTED.format(method="post", id=node), subcode=33)


def _fb_post(media: Media) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": media.id,
        "message": media.caption,
        "created_time": meta_time(media.timestamp),
        "permalink_url": media.permalink,
        "reactions": {"data": [], "summary": {"total_count": media.like_count, "viewer_reaction": "NONE"}},
        "comments": {
            "data": [],
            "summary": {"order": "ranked", "total_count": media.comments_count, "can_comment": True},
        },
    }
    if media.media_url:
        item["full_picture"] = media.media_url
    if media.shares:
        item["shares"] = {"count": media.shares}
    return item


def published_posts(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    _page(g, node)
    found = [
        m for m in g.media.values() if m.owner == node and not m.story and m.published and m.platform == "facebook"
    ]
    found.sort(key=lambda m: m.timestamp, reverse=True)
    return g.paged(r, [g.only(r, _fb_post(m)) for m in found])


def _page_token(g: GraphServer, record: TokenRecord, node: str) -> Page:
    page = _page(g, node)
    if record.kind != "page" or record.owner != node:
        raise g.fail(200, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts")
    return page


def _new_fb(
    g: GraphServer,
    page: Page,
    *,
    caption: str,
    media_type: str,
    media_url: str | None,
    published: bool,
    story: bool = False,
) -> Media:
    media_id = f"{page.id}_{g.next_id()}"
    media = Media(
        id=media_id,
        owner=page.id,
        platform="facebook",
        story=story,
        caption=caption,
        media_type=media_type,
        media_url=media_url,
        permalink=f"https://www.facebook.com/{page.id}/posts/{media_id.split('_')[1]}",
        timestamp=g.now,
        published=published,
    )
    g.media[media_id] = media
    return media


def feed(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    page = _page_token(g, record, node)
    f = r.form
    attached = []
    for key in sorted(k for k in f if k.startswith("attached_media[")):
        photo_id = json.loads(f[key]).get("media_fbid", "")
        if photo_id not in g.media:
            raise g.fail(100, f"(#100) attached_media holds an unknown photo {photo_id}")
        attached.append(photo_id)
    if not f.get("message") and not f.get("link") and not attached:
        raise g.fail(100, "(#100) Missing message or attachment")
    published = f.get("published", "true") != "false"
    first = g.media[attached[0]].media_url if attached else None
    post = _new_fb(
        g,
        page,
        caption=f.get("message", ""),
        media_type="IMAGE" if attached else "TEXT",
        media_url=first,
        published=published,
    )
    post.attached = tuple(attached)
    return {"id": post.id}


def photos(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: dict[str, Any]) -> Any:
    page = _page_token(g, record, node)
    url = r.form.get("url", "")
    if not url or fetched.get(url) is not None:
        raise g.fail(324, "(#324) Missing or invalid image file")
    published = r.form.get("published", "true") != "false"
    photo_id = g.next_id()
    g.media[photo_id] = Media(
        id=photo_id,
        owner=page.id,
        platform="facebook",
        story=False,
        caption=r.form.get("caption", ""),
        media_type="IMAGE",
        media_url=url,
        permalink=f"https://www.facebook.com/photo/?fbid={photo_id}",
        timestamp=g.now,
        published=False,  # the photo object itself; a published one gets a post below
    )
    if not published:
        return {"id": photo_id}
    post = _new_fb(g, page, caption=r.form.get("caption", ""), media_type="IMAGE", media_url=url, published=True)
    return {"id": photo_id, "post_id": post.id}


def videos(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: dict[str, Any]) -> Any:
    page = _page_token(g, record, node)
    url = r.form.get("file_url", "")
    if not url or fetched.get(url) is not None:
        raise g.fail(389, "Unable to fetch video file from URL.")
    video = _new_fb(g, page, caption=r.form.get("description", ""), media_type="VIDEO", media_url=url, published=True)
    return {"id": video.id.split("_")[1]}


def photo_stories(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    page = _page_token(g, record, node)
    photo = g.media.get(r.form.get("photo_id", ""))
    if photo is None or photo.owner != page.id or photo.published:
        raise g.fail(100, "(#100) photo_id must be an unpublished photo of this Page")
    story = _new_fb(g, page, caption="", media_type="IMAGE", media_url=photo.media_url, published=True, story=True)
    return {"success": True, "post_id": story.id}


def video_stories(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    page = _page_token(g, record, node)
    phase = r.form.get("upload_phase")
    if phase == "start":
        video_id = g.next_id()
        g.video_uploads[video_id] = ""
        return {"video_id": video_id, "upload_url": f"{g.url}/video-upload/{r.version or 'v24.0'}/{video_id}"}
    if phase == "finish":
        video_id = r.form.get("video_id", "")
        file_url = g.video_uploads.get(video_id)
        if not file_url:
            raise g.fail(100, "(#100) The video was not uploaded")
        story = _new_fb(g, page, caption="", media_type="VIDEO", media_url=file_url, published=True, story=True)
        return {"success": True, "post_id": story.id}
    raise g.fail(100, "(#100) upload_phase must be one of start, finish")


def upload_video(g: GraphServer, r: Recorded, fetched: dict[str, Any]) -> Any:
    g.token(r, "page")
    video_id = r.path.rstrip("/").rsplit("/", 1)[-1]
    if video_id not in g.video_uploads:
        raise g.fail(100, UNSUPPORTED.format(method="post", id=video_id), subcode=33)
    url = r.headers.get("file_url", "")
    if not url or fetched.get(url) is not None:
        raise g.fail(389, "Unable to fetch video file from URL.")
    g.video_uploads[video_id] = url
    return {"success": True}


def _accounts_of(g: GraphServer, record: TokenRecord, node: str, platform: str) -> str:
    """The business account whose conversations are read: the Page, or its (or the token's) Instagram account."""
    if node in g.instagram:
        return node
    page = _page(g, node)
    if platform == "instagram":
        if not page.instagram_id:
            raise g.fail(100, "(#100) This Page has no Instagram account")
        return page.instagram_id
    return page.id


def _person(conversation: ConversationRecord, who: str, name: str) -> dict[str, Any]:
    key = "username" if conversation.platform == "instagram" else "name"
    return {key: name, "id": who}


def conversations(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    platform = r.query.get("platform", "instagram" if node in g.instagram else "messenger")
    account = _accounts_of(g, record, node, platform)
    found = [c for c in g.conversations.values() if c.account_id == account and c.platform == platform]
    found.sort(key=lambda c: max((m.time for m in c.messages), default=START), reverse=True)
    items = []
    for c in found:
        newest = sorted(c.messages, key=lambda m: m.time, reverse=True)[:20]
        items.append(
            g.only(
                r,
                {
                    "id": c.id,
                    "updated_time": meta_time(newest[0].time if newest else g.now),
                    "participants": {
                        "data": [
                            _person(c, c.account_id, c.account_name),
                            _person(c, c.participant_id, c.participant_name),
                        ]
                    },
                    "messages": {
                        "data": [
                            {
                                "id": m.id,
                                "created_time": meta_time(m.time),
                                "from": _person(c, m.from_id, m.from_name),
                                "to": {
                                    "data": [
                                        _person(
                                            c,
                                            m.to_id,
                                            c.account_name if m.to_id == c.account_id else c.participant_name,
                                        )
                                    ]
                                },
                                "message": m.text,
                            }
                            for m in newest
                        ]
                    },
                },
            )
        )
    return g.paged(r, items)


def send_message(g: GraphServer, r: Recorded, record: TokenRecord, node: str, fetched: Any) -> Any:
    try:
        recipient = json.loads(r.form.get("recipient", "{}")).get("id", "")
        text = json.loads(r.form.get("message", "{}")).get("text", "")
    except ValueError:
        raise g.fail(100, "(#100) recipient and message must be JSON objects") from None
    if r.form.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        raise g.fail(100, "(#100) messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG")
    own = {node}
    if node in g.pages and g.pages[node].instagram_id:
        own.add(g.pages[node].instagram_id or "")
    conversation = next(
        (c for c in g.conversations.values() if c.account_id in own and c.participant_id == recipient), None
    )
    if conversation is None:
        raise g.fail(100, "(#100) No matching user found", subcode=2018001)
    if not conversation.has_role:
        permission = "instagram_manage_messages" if conversation.platform == "instagram" else "pages_messaging"
        raise g.fail(
            200,
            f"(#200) App does not have Advanced Access to {permission} and the recipient user does not have role "
            "on app",
        )
    theirs = [m.time for m in conversation.messages if m.from_id == recipient]
    if not theirs or g.now - max(theirs) >= WINDOW:
        raise g.fail(
            10,
            "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
            "https://developers.facebook.com/docs/messenger-platform/policy-overview",
            subcode=2018278,
        )
    message = MessageRecord(
        id=f"m_{g.next_id()}",
        from_id=conversation.account_id,
        from_name=conversation.account_name,
        to_id=recipient,
        text=text,
        time=g.now,
    )
    conversation.messages.append(message)
    return {"recipient_id": recipient, "message_id": message.id}
