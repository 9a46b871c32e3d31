"""The one HTTP client for Meta's Graph API: retries, back-off, paging and the token header live here only.

Why each rule:
- The token travels as `Authorization: Bearer`, which Meta accepts, so it stays out of URLs and access logs
  (the OAuth endpoints are the exception: Meta wants their secrets in the query).
- Reads are retried on Meta's transient answers (codes 1 and 2, 100/33 on a fresh object, a 5xx without a
  body) and on a dropped connection. A POST is retried only when the caller says it is idempotent: publishing
  twice because an answer was lost is how other tools posted duplicates, so a POST whose connection dropped
  raises `GraphUnreachable(maybe_done=True)` and the caller checks the state at Meta.
- Meta reports its rate-limit usage in `X-App-Usage` and `X-Business-Use-Case-Usage`; above 90% the next
  call first pauses, so the account is not throttled for an hour.
- `sleep` and `clock` are injected so tests record the waits instead of sleeping.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from controlplane.models.base import utcnow
from controlplane.social.graph.errors import GraphAction, GraphError, GraphUnreachable, classify
from controlplane.social.graph.types import GraphConfig, Host

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]
JSONDict = dict[str, Any]

USAGE_LIMIT = 90.0  # percent of Meta's budget above which the next call pauses first
USAGE_KEYS = ("call_count", "total_time", "total_cputime")
SAFE_TO_RETRY = (httpx.ConnectError, httpx.ConnectTimeout)  # the request never left: retrying cannot duplicate


def usage_percent(headers: Mapping[str, str]) -> float | None:
    """The highest percentage in Meta's usage headers, or None when the answer carries none."""
    readings: list[float] = []

    def collect(entry: object) -> None:
        if isinstance(entry, dict):
            readings.extend(float(entry[key]) for key in USAGE_KEYS if isinstance(entry.get(key), int | float))

    for name in ("x-app-usage", "x-business-use-case-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        if name == "x-app-usage":
            collect(parsed)
        elif isinstance(parsed, dict):
            for entries in parsed.values():
                for entry in entries if isinstance(entries, list) else []:
                    collect(entry)
    return max(readings) if readings else None


class GraphClient:
    """Calls to both Graph hosts for one app; use as `async with GraphClient(config) as client`."""

    def __init__(
        self,
        config: GraphConfig,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
        max_attempts: int = 4,
        base_delay: float = 1.0,
        usage_pause: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        self.config = config
        self._http = http if http is not None else httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._owns_http = http is None
        self._sleep = sleep
        self._clock = clock
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.usage_pause = usage_pause
        self.last_usage: float = 0.0
        self._pause_due = False

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the HTTP client if this object made it (a client passed in belongs to the caller)."""
        if self._owns_http:
            await self._http.aclose()

    def now(self) -> datetime:
        """The injected clock: token expiries are computed from it."""
        return self._clock()

    def url(self, host: Host, path: str, *, versioned: bool = True) -> str:
        """`{base}/{version}/{path}`; Instagram Login's token endpoints have no version (`versioned=False`)."""
        base = self.config.base(host)
        path = path.lstrip("/")
        return f"{base}/{self.config.version}/{path}" if versioned else f"{base}/{path}"

    async def get(
        self,
        host: Host,
        path: str,
        token: str | None,
        params: Mapping[str, str] | None = None,
        *,
        versioned: bool = True,
    ) -> JSONDict:
        """A read, retried on transient failures."""
        return await self._call("GET", self.url(host, path, versioned=versioned), token, params=params, retry=True)

    async def post(
        self,
        host: Host,
        path: str,
        token: str | None,
        data: Mapping[str, str] | None = None,
        *,
        idempotent: bool = False,
        versioned: bool = True,
    ) -> JSONDict:
        """A form-encoded write; retried only when `idempotent` (a lost answer is the caller's to check)."""
        url = self.url(host, path, versioned=versioned)
        return await self._call("POST", url, token, data=data, retry=idempotent)

    async def post_to(self, url: str, headers: Mapping[str, str], data: Mapping[str, str] | None = None) -> JSONDict:
        """A write to an absolute address Meta handed out (a video upload), with the headers Meta asks for."""
        return await self._call("POST", url, None, data=data, retry=False, headers=headers)

    async def paged(
        self,
        host: Host,
        path: str,
        token: str | None,
        params: Mapping[str, str] | None = None,
        *,
        max_pages: int = 50,
    ) -> list[JSONDict]:
        """Every item of a list, following `paging.next` until Meta gives none (or `max_pages` is reached).

        `paging.next` is an absolute URL on Meta's host with the token in it: it is re-targeted to our base for
        the host (so a scripted server or a proxy works) and its `access_token` dropped for the Bearer header.
        """
        url = self.url(host, path)
        query: Mapping[str, str] | None = params
        items: list[JSONDict] = []
        for _ in range(max_pages):
            body = await self._call("GET", url, token, params=query, retry=True)
            data = body.get("data")
            page = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
            items.extend(page)
            paging = body.get("paging")
            following = paging.get("next") if isinstance(paging, dict) else None
            if not page or not isinstance(following, str) or not following:
                break
            url, query = self._retarget(host, following)
        return items

    def _retarget(self, host: Host, following: str) -> tuple[str, dict[str, str]]:
        parts = urlsplit(following)
        base = urlsplit(self.config.base(host))
        prefix = base.path.rstrip("/")
        path = parts.path if not prefix or parts.path.startswith(prefix + "/") else prefix + parts.path
        query = {key: value for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "access_token"}
        return urlunsplit((base.scheme, base.netloc, path, "", "")), query

    def _delay(self, attempt: int) -> float:
        return float(self.base_delay * 2**attempt)

    def _note_usage(self, headers: Mapping[str, str]) -> None:
        reading = usage_percent(headers)
        if reading is not None:
            self.last_usage = reading
            self._pause_due = reading > USAGE_LIMIT

    async def _call(
        self,
        method: str,
        url: str,
        token: str | None,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        retry: bool,
        headers: Mapping[str, str] | None = None,
    ) -> JSONDict:
        where = f"{method} {urlsplit(url).path}"  # never the query: OAuth calls carry secrets there
        attempt = 0
        while True:
            if self._pause_due:  # one pause per high reading, so a host that stops reporting cannot stall us
                self._pause_due = False
                await self._sleep(self.usage_pause)
            sent_headers = {"Accept": "application/json", **(headers or {})}
            if token:
                sent_headers["Authorization"] = f"Bearer {token}"
            try:
                response = await self._http.request(
                    method, url, params=dict(params) if params else None, data=data, headers=sent_headers
                )
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, SAFE_TO_RETRY)
                if (retry or never_sent) and attempt + 1 < self.max_attempts:
                    await self._sleep(self._delay(attempt))
                    attempt += 1
                    continue
                detail = f"{type(exc).__name__} during {where}"
                raise GraphUnreachable(detail, maybe_done=method != "GET" and not never_sent) from exc
            self._note_usage(response.headers)
            body = _json(response)
            if response.is_success and isinstance(body, dict) and "error" not in body:
                return body
            if response.is_success and isinstance(body, bool):
                return {"success": body}
            error = classify(response.status_code, body, response.headers, self._clock())
            if retry and _retryable(error) and attempt + 1 < self.max_attempts:
                await self._sleep(self._delay(attempt))
                attempt += 1
                continue
            raise error


def _retryable(error: GraphError) -> bool:
    return error.transient and error.action is GraphAction.RETRY


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
