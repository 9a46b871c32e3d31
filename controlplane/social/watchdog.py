"""The token watchdog: once a day every account's token is checked with `debug_token` (validity, expiry and the
90-day `data_access_expires_at`), Instagram Login tokens are refreshed once they are a day old, and an account that
is about to lose access, or has lost it, turns to "Reconnect" before the person meets a failure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from controlplane.models.social import AccountStatus, Login, SocialAccount
from controlplane.social.context import SocialContext
from controlplane.social.graph import oauth
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import Token

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(hours=24)
WARN_BEFORE = timedelta(days=7)  # "Reconnect" shows this long before access ends
REFRESH_AFTER = timedelta(days=1)  # Meta refreshes an Instagram Login token only once it is a day old
LOST = (
    "Meta no longer accepts AutoCode's access to this account (a changed password or a removed role, say): "
    "press Reconnect."
)
ENDS = "Access to this account ends on {day}: press Reconnect to keep it working."


@dataclass(frozen=True)
class Verdict:
    status: AccountStatus
    note: str | None
    expires_at: datetime | None
    data_access_expires_at: datetime | None
    new_token: str | None = None
    refreshed: bool = False


def _ends(expires_at: datetime | None, data_access: datetime | None) -> datetime | None:
    times = [when for when in (expires_at, data_access) if when is not None]
    return min(times) if times else None


async def check_account(client: GraphClient, ctx: SocialContext, account: SocialAccount, token: str) -> Verdict:
    """What one account's token says now, refreshing an Instagram Login token that can be refreshed."""
    now = ctx.now()
    new_token: str | None = None
    expires_at = account.token_expires_at
    try:
        if account.login == Login.INSTAGRAM:
            fresh_enough = account.refreshed_at and now - account.refreshed_at < REFRESH_AFTER
            if not fresh_enough:
                refreshed = await oauth.refresh_instagram(client, Token(token, account.token_expires_at))
                new_token, expires_at = refreshed.value, refreshed.expires_at
            # Instagram Login tokens cannot be inspected with debug_token; a refused refresh says what we need.
            data_access = account.data_access_expires_at
        else:
            info = await oauth.debug_token(client, token)
            if not info.valid:
                return Verdict(
                    AccountStatus.RECONNECT, info.error or LOST, info.expires_at, info.data_access_expires_at
                )
            expires_at, data_access = info.expires_at, info.data_access_expires_at
    except GraphError as error:
        if error.action == GraphAction.RECONNECT:
            return Verdict(AccountStatus.RECONNECT, LOST, expires_at, account.data_access_expires_at)
        raise
    ends = _ends(expires_at, data_access)
    if ends is not None and ends <= now:
        return Verdict(AccountStatus.RECONNECT, LOST, expires_at, data_access, new_token, new_token is not None)
    if ends is not None and ends - now <= WARN_BEFORE:
        note = ENDS.format(day=ends.strftime("%d %B %Y"))
        return Verdict(AccountStatus.EXPIRING, note, expires_at, data_access, new_token, new_token is not None)
    return Verdict(AccountStatus.CONNECTED, None, expires_at, data_access, new_token, new_token is not None)


def _apply(ctx: SocialContext, session: Session, account: SocialAccount, verdict: Verdict) -> None:
    now = ctx.now()
    account.status = verdict.status.value
    account.status_note = verdict.note
    account.token_expires_at = verdict.expires_at
    account.data_access_expires_at = verdict.data_access_expires_at
    account.checked_at = now
    if verdict.new_token is not None:
        account.access_token = ctx.seal(verdict.new_token)
        account.refreshed_at = now
    session.add(account)


async def sweep(engine: Engine, ctx: SocialContext, account_ids: list[int] | None = None) -> int:
    """Check the given accounts (all when None); returns how many were checked. One account's trouble with Meta
    (a network failure, a rate limit) leaves it as it was and the sweep goes on."""

    def load() -> list[SocialAccount]:
        with Session(engine) as session:
            query = select(SocialAccount)
            if account_ids is not None:
                query = query.where(col(SocialAccount.id).in_(account_ids))
            return list(session.exec(query).all())  # read once, in a worker thread; used detached below

    checked = 0
    for account in await asyncio.to_thread(load):
        account_id = account.id or 0
        try:
            async with ctx.graph() as client:
                verdict = await check_account(client, ctx, account, ctx.open(account.access_token))
        except GraphError as error:
            log.warning("token check of social account %s failed: %s", account_id, error.message)
            continue

        def write(found_id: int = account_id, result: Verdict = verdict) -> None:
            with Session(engine) as session:
                found = session.get(SocialAccount, found_id)
                if found is not None:
                    _apply(ctx, session, found, result)
                    session.commit()

        await asyncio.to_thread(write)
        checked += 1
    return checked


@dataclass
class Watchdog:
    """The daily sweep as a background task of the application."""

    engine: Engine
    ctx: SocialContext
    every: timedelta = SWEEP_EVERY
    _task: asyncio.Task[None] | None = field(default=None)

    def start(self) -> None:
        if self.ctx.config is not None and self._task is None:
            self._task = asyncio.create_task(self._run(), name="social-token-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await sweep(self.engine, self.ctx)
            except Exception:  # the next day's sweep must still happen
                log.exception("social token sweep failed")
            await asyncio.sleep(self.every.total_seconds())
