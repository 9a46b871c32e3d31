"""What every social service needs, made once per application: the Meta app's config (None until the admin makes
one), the sealing of tokens, the clock, where uploads live and where Meta reaches this server.

Services take a `SocialContext` rather than the settings, so a test gives the real services a scripted Graph
server, a clock of its own and a throwaway data directory through the same settings a family sets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from controlplane.config import Settings
from controlplane.errors import Conflict
from controlplane.models.base import utcnow
from controlplane.security.secretbox import SecretBox
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.types import GraphConfig

API_PREFIX = "/api/social"
CALLBACK_PATH = f"{API_PREFIX}/oauth/callback"
PUBLIC_MEDIA_PATH = f"{API_PREFIX}/public-media"
NOT_SET_UP = (
    "Connecting accounts is not set up on this server yet: the admin has to create the family's Meta app first "
    "(the Accounts page shows the steps)."
)


@dataclass
class SocialContext:
    config: GraphConfig | None
    box: SecretBox
    media_dir: Path
    signing_key: str
    public_url: str | None
    clock: Callable[[], datetime] = utcnow
    # One HTTP connection pool for every call to Meta, made in the loop that uses it (a pool is bound to its loop).
    _http: httpx.AsyncClient | None = field(default=None, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, box: SecretBox, clock: Callable[[], datetime] = utcnow) -> SocialContext:
        public = settings.public_url.rstrip("/") if settings.public_url else None
        return cls(
            config=GraphConfig.from_settings(settings),
            box=box,
            media_dir=settings.social_media_dir,
            signing_key=settings.signing_key,
            public_url=public,
            clock=clock,
        )

    def now(self) -> datetime:
        return self.clock()

    def require_config(self) -> GraphConfig:
        if self.config is None:
            raise Conflict(NOT_SET_UP)
        return self.config

    def graph(self) -> GraphClient:
        """A client for one piece of work (it shares the pool; closing it leaves the pool open)."""
        config = self.require_config()
        loop = asyncio.get_running_loop()
        if self._http is None or self._loop is not loop:
            self._http, self._loop = httpx.AsyncClient(timeout=httpx.Timeout(30.0)), loop
        return GraphClient(config, http=self._http, clock=self.clock)

    @property
    def redirect_uri(self) -> str | None:
        return f"{self.public_url}{CALLBACK_PATH}" if self.public_url else None

    def seal(self, token: str) -> str:
        return self.box.encrypt(token)

    def open(self, sealed: str) -> str:
        return self.box.decrypt(sealed)

    async def aclose(self) -> None:
        if self._http is not None and self._loop is asyncio.get_running_loop():
            await self._http.aclose()
        self._http = self._loop = None
