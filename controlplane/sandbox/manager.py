"""SandboxManager: starts sandboxes on first need, keeps one runner channel per sandbox, tracks activity.

Everything else in the control plane asks the manager, never the backend directly: it records the desired
state (so the reconciler knows what should run), waits for the runner to answer before saying a sandbox is
ready, and tells listeners about state changes (the dashboard's event stream builds on that).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from autocode_runner.contract.wire import ATTACH_COMMAND, ATTACH_WAIT_VARIABLE, ErrorCode, Method
from sqlalchemy import Engine
from sqlmodel import Session, select

from controlplane.config import Settings
from controlplane.models import AgentInstance, SandboxRecord, utcnow
from controlplane.models.agents import InstanceStatus
from controlplane.models.base import DesiredState
from controlplane.models.chat import ChatMessage, ChatRole, ChatStatus
from controlplane.sandbox.backend import (
    SandboxBackend,
    SandboxError,
    SandboxState,
    SandboxStatus,
    SandboxUser,
)
from controlplane.sandbox.channel import ChannelClosed, RunnerChannel, RunnerError

log = logging.getLogger(__name__)
StateListener = Callable[[SandboxUser, str], None]
# After a failed attach (an image older than ATTACH_WAIT_VARIABLE, a runner that crashed), the next try comes
# after this, doubling up to the cap.
RETRY_FIRST_SECONDS = 0.02
RETRY_MAX_SECONDS = 0.5


class SandboxManager:
    def __init__(self, settings: Settings, backend: SandboxBackend, engine: Engine) -> None:
        self.settings = settings
        self.backend = backend
        self.engine = engine
        self._channels: dict[str, RunnerChannel] = {}
        self._channel_locks: dict[str, asyncio.Lock] = {}
        self._viewers: dict[str, int] = {}
        self._last_active: dict[str, float] = {}
        self._listeners: list[StateListener] = []
        self._channel_listeners: list[Callable[[SandboxUser, RunnerChannel], None]] = []
        self.busy_checks: list[Callable[[SandboxUser], bool]] = [
            self._has_running_agent_work,
            self._has_reply_in_flight,
        ]

    # -- listeners and activity ---------------------------------------------------------------------
    def on_state_change(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    def on_channel_open(self, listener: Callable[[SandboxUser, RunnerChannel], None]) -> None:
        """Called (on the event loop) with every new runner channel, e.g. to subscribe to its events."""
        self._channel_listeners.append(listener)

    def _announce(self, user: SandboxUser, state: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(user, state)
            except Exception:
                log.exception("sandbox state listener failed")

    def touch(self, user: SandboxUser) -> None:
        self._last_active[user.username] = time.monotonic()

    @contextlib.contextmanager
    def viewing(self, user: SandboxUser) -> Iterator[None]:
        """While a viewer (a terminal, a log stream) is attached, the sandbox is not idle."""
        self._viewers[user.username] = self._viewers.get(user.username, 0) + 1
        try:
            yield
        finally:
            self._viewers[user.username] -= 1
            self.touch(user)

    def idle_seconds(self, user: SandboxUser) -> float:
        """Seconds since last use; a sandbox first seen now (e.g. adopted after a restart) starts at 0."""
        last = self._last_active.setdefault(user.username, time.monotonic())
        return time.monotonic() - last

    def is_busy(self, user: SandboxUser) -> bool:
        return self._viewers.get(user.username, 0) > 0 or any(check(user) for check in self.busy_checks)

    def is_idle(self, user: SandboxUser, for_seconds: float) -> bool:
        """Idle: nobody watching, no agent instance running, no reply in flight, and unused for this long.

        The one definition behind both the idle stop and the move to a new image."""
        return not self.is_busy(user) and self.idle_seconds(user) > for_seconds

    def _has_running_agent_work(self, user: SandboxUser) -> bool:
        with Session(self.engine) as session:
            query = select(AgentInstance.id).where(
                AgentInstance.user_id == user.id, AgentInstance.status == InstanceStatus.RUNNING
            )
            return session.exec(query).first() is not None

    def _has_reply_in_flight(self, user: SandboxUser) -> bool:
        """A chat's reply is being written (or its process is being started again to write it)."""
        with Session(self.engine) as session:
            query = select(ChatMessage.id).where(
                ChatMessage.user_id == user.id,
                ChatMessage.role == ChatRole.USER,
                ChatMessage.status == ChatStatus.PENDING,
            )
            return session.exec(query).first() is not None

    # -- desired state ------------------------------------------------------------------------------
    def record(self, user: SandboxUser, **fields: Any) -> None:
        with Session(self.engine) as session:
            row = session.get(SandboxRecord, user.id) or SandboxRecord(user_id=user.id)
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            session.commit()

    def desired_state(self, user: SandboxUser) -> str:
        with Session(self.engine) as session:
            row = session.get(SandboxRecord, user.id)
            return row.desired_state if row else DesiredState.STOPPED

    # -- lifecycle ----------------------------------------------------------------------------------
    async def ensure_ready(self, user: SandboxUser, *, touch: bool = True) -> RunnerChannel:
        """Start the sandbox if needed and return a channel to a runner that has answered hello.

        touch=False is for the reconciler's own health checks, which must not count as use.
        """
        if touch:
            self.touch(user)
        async with self._channel_lock(user):
            return await self._ready(user)

    async def ready_if_wanted(self, user: SandboxUser) -> RunnerChannel | None:
        """ensure_ready for the reconciler, or None when the sandbox is no longer wanted running. Decided under
        the channel lock: a stop that landed after a reconcile pass read what is wanted is not undone by it."""
        async with self._channel_lock(user):
            if await asyncio.to_thread(self.desired_state, user) != DesiredState.RUNNING:
                return None
            return await self._ready(user)

    def _channel_lock(self, user: SandboxUser) -> asyncio.Lock:
        """One per user: a start, a stop and a move to a new image never interleave."""
        return self._channel_locks.setdefault(user.username, asyncio.Lock())

    async def _ready(self, user: SandboxUser) -> RunnerChannel:
        """ensure_ready's work, under the user's channel lock."""
        channel = self._channels.get(user.username)
        if channel is not None and not channel.closed:
            return channel
        await asyncio.to_thread(self.record, user, desired_state=DesiredState.RUNNING, last_active_at=utcnow())
        was_running = (await asyncio.to_thread(self.backend.status, user.username)).state is SandboxState.RUNNING
        if not was_running:  # only real changes reach the dashboard, not a channel being reopened
            self._announce(user, SandboxState.STARTING)
        status = await asyncio.to_thread(self.backend.ensure_running, user)
        channel = await self._attach_when_ready(user)
        self._channels[user.username] = channel
        for listener in list(self._channel_listeners):
            try:
                listener(user, channel)
            except Exception:
                log.exception("runner channel listener failed")
        await asyncio.to_thread(self.record, user, observed_state=status.state.value, container_id=status.container_id)
        if not was_running:
            self._announce(user, SandboxState.RUNNING)
        return channel

    async def _attach_when_ready(self, user: SandboxUser) -> RunnerChannel:
        """The container may be up before its runner listens. The attach exec itself waits for the runner's
        socket (quietly, connecting the moment it appears), so a start takes one exec, no polling; should attach
        fail all the same, it is tried again with a backoff until the start timeout."""
        deadline = time.monotonic() + self.settings.sandbox_start_timeout
        last_error: Exception | None = None
        retry = RETRY_FIRST_SECONDS
        while time.monotonic() < deadline:
            try:
                wait = {ATTACH_WAIT_VARIABLE: f"{max(0.0, deadline - time.monotonic()):.3f}"}
                stream = await self.backend.exec_stream(user, list(ATTACH_COMMAND), env=wait)
                return await RunnerChannel.open(stream, timeout=max(1.0, deadline - time.monotonic()))
            except RunnerError as exc:
                if exc.code == ErrorCode.PROTOCOL_MISMATCH:
                    raise SandboxError(exc.message) from exc
                last_error = exc
            except (ChannelClosed, SandboxError, OSError) as exc:
                last_error = exc
            status = await asyncio.to_thread(self.backend.status, user.username)
            if status.state is not SandboxState.RUNNING:
                raise SandboxError(self._stopped_while_starting(user, status))
            await asyncio.sleep(retry)
            retry = min(retry * 2, RETRY_MAX_SECONDS)
        raise SandboxError(
            f"the runner in {user.username}'s sandbox did not answer within {self.settings.sandbox_start_timeout} s "
            f"({last_error}); {self._logs_hint(user)}"
        )

    def _stopped_while_starting(self, user: SandboxUser, status: SandboxStatus) -> str:
        """Why a sandbox ended before its runner answered, and what to do about it."""
        if status.oom_killed:
            return (
                f"the sandbox stopped while starting: it ran out of memory (its limit is "
                f"{self.settings.sandbox_memory}; raise AUTOCODE_SANDBOX_MEMORY), exit code {status.exit_code}"
            )
        return f"the sandbox stopped while starting (exit code {status.exit_code}); {self._logs_hint(user)}"

    def _logs_hint(self, user: SandboxUser) -> str:
        return f"see `docker logs {self.settings.sandbox_name_prefix}{user.username}`"

    def open_channel(self, user: SandboxUser) -> RunnerChannel | None:
        """The sandbox's channel when one is open; never starts anything."""
        channel = self._channels.get(user.username)
        return channel if channel is not None and not channel.closed else None

    async def call_if_open(self, user: SandboxUser, method: Method, params: dict[str, Any] | None = None) -> Any:
        """A runner request over the open channel, or None when there is none: for tidying up after a viewer,
        which must never start a sandbox that was just stopped (the stop is what ended the viewer)."""
        channel = self.open_channel(user)
        if channel is None:
            return None
        try:
            return await channel.call(method, params)
        except ChannelClosed:
            return None

    async def call(self, user: SandboxUser, method: Method, params: dict[str, Any] | None = None) -> Any:
        """A runner request, starting the sandbox first when needed; retried once if the channel broke."""
        channel = await self.ensure_ready(user)
        try:
            return await channel.call(method, params)
        except ChannelClosed:
            await self.drop_channel(user.username)
        channel = await self.ensure_ready(user)
        return await channel.call(method, params)

    async def drop_channel(self, username: str) -> None:
        channel = self._channels.pop(username, None)
        if channel is not None:
            await channel.close()

    async def stop(self, user: SandboxUser) -> None:
        """Under the channel lock: a start in flight finishes first, and none begins halfway through the stop."""
        async with self._channel_lock(user):
            await asyncio.to_thread(self.record, user, desired_state=DesiredState.STOPPED)
            await self.drop_channel(user.username)
            await asyncio.to_thread(self.backend.stop, user.username)
            await asyncio.to_thread(self.record, user, observed_state=SandboxState.STOPPED.value)
        self._announce(user, SandboxState.STOPPED)

    async def restart(self, user: SandboxUser, *, touch: bool = True) -> RunnerChannel:
        await self.drop_channel(user.username)
        await asyncio.to_thread(self.backend.stop, user.username)
        return await self.ensure_ready(user, touch=touch)

    async def move_to_image(self, user: SandboxUser) -> bool:
        """Make the sandbox again from the wanted image (its files are the bind mount and stay); False if it became
        busy meanwhile. Decided under the channel lock, so no new channel (a start, a viewer) opens halfway."""
        async with self._channel_lock(user):
            if self.is_busy(user):
                return False
            await self.drop_channel(user.username)
            await asyncio.to_thread(self.backend.remove, user.username)
        await self.ensure_ready(user, touch=False)
        return True

    async def remove(self, username: str) -> None:
        """Remove the container (files stay); used before a user's rows and directory are deleted."""
        await self.drop_channel(username)
        await asyncio.to_thread(self.backend.remove, username)

    async def status(self, user: SandboxUser) -> SandboxStatus:
        return await asyncio.to_thread(self.backend.status, user.username)

    async def close(self) -> None:
        for username in list(self._channels):
            await self.drop_channel(username)
