"""The open WebSockets of each sign-in, so that a socket ends when its sign-in does.

An HTTP request checks its sign-in every time (api/deps.py), and a WebSocket's ticket is checked when it is
redeemed (api/ws.py); but a socket that is already open would otherwise stay open after its person signs out, has
their password reset or changed, is demoted or deleted. So every authenticated socket is held here for as long as
its handler runs (`holding`, entered in one place: api/ws.py's `signed_in`), keyed by user and sign-in (the
refresh-token family), with the role it was opened under. `close_ended` checks those sockets against the database
(`live_user`: the sign-in stands, the user is there with that role) and ends the others: their handler is
cancelled, so its own cleanup runs (a subscription dropped; a terminal's docker exec closed and its tmux client
detached), then the socket is closed with 4401 (CLOSE_UNAUTHORIZED) and a reason a person can read. The PWA
answers a 4401 with a new ticket, refreshing its access token if needed; when that fails too, it shows the sign-in
page.

Two ways lead to `close_ended`, and both are needed:
- at once, for one user, from the routes that end sign-ins in this process (sign-out, a reused refresh token, a
  password change or reset, a role change, deleting the account), right after their change is committed;
- a sweep of every open socket every `sweep_seconds` (the app's lifespan runs it), for what those routes cannot
  see: `autocode admin reset-password` run in another process against the same database, or a path that ends
  sign-ins added later without the call. A missed case is then closed within the interval instead of never.

A socket whose ticket is still being checked when a role changes could have read the old role a moment before the
change: `close_ended` marks such a socket, and its check (`settle`) then reads the person again before it goes on.

The control plane is one process (one_process.py), so an in-memory registry sees every socket. `close_ended` may be
called from any thread (sync routes run in a threadpool); it reads the database in the calling thread and hands
each ending to the socket's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.websockets import WebSocket, WebSocketState

from controlplane.realtime.protocol import CLOSE_UNAUTHORIZED
from controlplane.services.auth import live_user

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0
ENDED_REASON = "this sign-in has ended (signed out, new password or role); sign in again"


@dataclass(eq=False)
class OpenSocket:
    """One authenticated socket: whose, under which sign-in and role, and the task running its handler."""

    user_id: int
    sign_in: str
    task: asyncio.Task[object]
    loop: asyncio.AbstractEventLoop
    role: str | None = None  # None while the socket's ticket is still being checked
    ended: bool = False  # the registry cancelled its handler (set on the socket's loop)
    recheck: bool = False  # close_ended looked at its person while its check ran: the check may be out of date


class OpenSockets:
    def __init__(self, engine: Engine, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.engine = engine
        self.sweep_seconds = sweep_seconds
        self._open: set[OpenSocket] = set()
        self._lock = threading.Lock()  # the set is read from worker threads
        self._sweeper: asyncio.Task[None] | None = None

    def count(self, user_id: int | None = None) -> int:
        """How many sockets are held (of one user)."""
        with self._lock:
            return sum(1 for entry in self._open if user_id is None or entry.user_id == user_id)

    @asynccontextmanager
    async def holding(self, websocket: WebSocket, user_id: int, sign_in: str) -> AsyncIterator[OpenSocket]:
        """Hold the socket while the block runs (the block is the handler, in the handler's task). Entered before the
        sign-in is checked, so a sign-in that ends after that check finds the socket here. When its sign-in ends,
        the block is cancelled, and the socket closed with 4401 once the block's own cleanup has run."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a socket is held from its handler's task")
        entry = OpenSocket(user_id, sign_in, task, asyncio.get_running_loop())
        with self._lock:
            self._open.add(entry)
        try:
            yield entry
        except asyncio.CancelledError:
            # Ours (the sign-in ended) is swallowed; any other cancellation (the server stopping) goes on.
            if not entry.ended or task.uncancel() > 0:
                raise
        else:
            if entry.ended and task.cancelling():
                task.uncancel()  # the handler swallowed our cancellation itself; it is spent all the same
        finally:
            with self._lock:  # before any await: from here on the registry no longer ends this task
                self._open.discard(entry)
        if entry.ended:
            await close_quietly(websocket, CLOSE_UNAUTHORIZED, ENDED_REASON)

    def close_ended(self, user_id: int | None = None) -> int:
        """End the held sockets (of one user, or all) whose sign-in has ended or whose user is gone or has another
        role now; how many. Reads the database in the calling thread: from the event loop, use `sweep`."""
        with self._lock:
            candidates = [entry for entry in self._open if user_id is None or entry.user_id == user_id]
        if not candidates:
            return 0
        standing: dict[tuple[int, str], str | None] = {}  # (user, sign-in) -> the user's role, None if it ended
        with Session(self.engine) as session:
            for key in {(entry.user_id, entry.sign_in) for entry in candidates}:
                user = live_user(session, *key)
                standing[key] = user.role if user is not None else None
        ended: list[OpenSocket] = []
        with self._lock:  # against settle(): a check either settled before this look, or reads the person again
            for entry in candidates:
                role = standing[(entry.user_id, entry.sign_in)]
                if role is None or entry.role not in (None, role):
                    ended.append(entry)
                elif entry.role is None:
                    entry.recheck = True
        for entry in ended:
            with contextlib.suppress(RuntimeError):  # its loop has closed: the socket went with it
                entry.loop.call_soon_threadsafe(self._end, entry)
        return len(ended)

    def settle(self, entry: OpenSocket, role: str) -> bool:
        """Record the role the socket's check found; False if its person was looked at while it checked (a role
        change may have landed after the check read the database), and the check must read them again."""
        with self._lock:
            if entry.recheck:
                entry.recheck = False
                return False
            entry.role = role
            return True

    async def sweep(self) -> int:
        """close_ended for every held socket, off the event loop."""
        return await asyncio.to_thread(self.close_ended)

    def _end(self, entry: OpenSocket) -> None:
        """On the socket's loop: cancel its handler, unless it has ended already."""
        with self._lock:
            if entry not in self._open or entry.ended:
                return
            entry.ended = True
        entry.task.cancel()

    def start(self) -> None:
        """Sweep every sweep_seconds until stop() (from the app's lifespan)."""
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                await self.sweep()
            except Exception:  # a busy or failing database: the next sweep tries again
                log.exception("could not check the open WebSockets' sign-ins")


async def close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    """Close the socket unless it is closed already (by us or by the browser)."""
    if websocket.application_state == WebSocketState.DISCONNECTED:
        return
    with contextlib.suppress(Exception):  # the browser went at the same moment
        await websocket.close(code, reason)
