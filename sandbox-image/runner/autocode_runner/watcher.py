"""Notices tmux sessions that end, so clients learn it without polling.

A session ends when its program exits, when it is killed through the protocol, or when someone in a
terminal kills it; the watcher compares tmux's list with the sessions it knew, once a second, and emits
`tmux.session_closed` for each name that is gone. Creating and killing sessions take the same lock as a
check, so a session created during a check is never reported closed, and a killed one only once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from autocode_runner.contract.wire import Event
from autocode_runner.tmux import Tmux, TmuxUnavailable

log = logging.getLogger(__name__)
CHECK_INTERVAL_SECONDS = 1.0

Emit = Callable[[str, dict[str, str]], None]


class SessionWatcher:
    def __init__(self, tmux: Tmux, emit: Emit) -> None:
        self._tmux = tmux
        self._emit = emit
        self._known: set[str] = set()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[None]:
        """Hold while creating or killing a session, so no check runs half-way through."""
        async with self._lock:
            yield

    def created(self, name: str) -> None:
        self._known.add(name)

    def killed(self, name: str) -> None:
        """Report a kill at once rather than at the next check."""
        self._closed({name})

    def _closed(self, names: set[str]) -> None:
        for name in sorted(names & self._known):
            self._known.discard(name)
            self._emit(Event.TMUX_SESSION_CLOSED, {"name": name})

    async def check(self) -> None:
        async with self._lock:
            try:
                current = {session.name for session in await self._tmux.sessions()}
            except TmuxUnavailable as error:  # e.g. no process slot free: skip, never report false closes
                log.warning("could not list tmux sessions: %s", error)
                return
            self._closed(self._known - current)
            self._known |= current

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("tmux session check failed")
            await asyncio.sleep(CHECK_INTERVAL_SECONDS)
