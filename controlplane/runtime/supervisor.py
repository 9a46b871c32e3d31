"""The supervisor of agent instances of every kind: starts and stops them through the user's runner, and turns
what they report (logs, state, exits) into rows and live events through each kind's handler.

Each sandbox's runner channel gets one ordered consumer of its events, so an instance's logs and state land
in the order the instance sent them. After a channel opens (a sandbox start, a runner restart, a control
plane restart), and on every reconciler pass, the supervisor syncs: instances that should run but do not are
started again from their persisted state, and instances nobody wants (a stop, a deleted owner) are stopped.
One lock per user keeps a sync from judging an instance that a start or stop is halfway through.

A chat kind's instance found running when a channel opens (adopted after a control-plane restart, or over a
reopened channel) may have written events nobody heard: its handler's `after_start(resumed=True)` commands (the
message in flight) are sent to it again, and the instance answers with the reply still under way or, when it
had ended meanwhile, with that reply's ending again (autocode_runner.chat.loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from autocode_runner.contract.specs import encode_spec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import ErrorCode, Event, InstanceKey, InstanceKind, Method
from sqlalchemy import Engine
from sqlmodel import Session

from controlplane.errors import SANDBOXES_DISABLED, Conflict, NotFound, Unavailable
from controlplane.models.agents import InstanceStatus
from controlplane.realtime.events import EventHub
from controlplane.realtime.logs import LogHub
from controlplane.runtime import instance_rows
from controlplane.runtime.kinds import ChatKindHandler, KindHandler
from controlplane.sandbox.backend import SandboxError, SandboxState, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerChannel, RunnerError
from controlplane.sandbox.manager import SandboxManager

log = logging.getLogger(__name__)
T = TypeVar("T")
W = TypeVar("W", bound=StrEnum)
INSTANCE_EVENTS = frozenset({Event.INSTANCE_LOG, Event.INSTANCE_STATE, Event.INSTANCE_EXITED, Event.INSTANCE_CHAT})
RESTART_DELAY_SECONDS = 2.0
MAX_LOG_MESSAGE = 100_000
RunnerEvent = tuple[str, dict[str, Any]]


class LiveInstanceStatus(StrEnum):
    """The `status` of an `agent_instance.status` live event."""

    RUNNING = "running"
    EXITED = "exited"


class InstanceSupervisor:
    def __init__(
        self, manager: SandboxManager, engine: Engine, logs: LogHub, events: EventHub, kinds: Iterable[KindHandler]
    ) -> None:
        self.manager = manager
        self.engine = engine
        self.logs = logs
        self.events = events
        self.kinds: dict[InstanceKind, KindHandler] = {handler.kind: handler for handler in kinds}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: set[InstanceKey] = set()  # instances whose exit somebody asked for
        self._user_locks: dict[int, asyncio.Lock] = {}
        self._started_over: dict[InstanceKey, RunnerChannel] = {}  # the channel each instance was started over
        manager.on_channel_open(self.attach)

    # -- plumbing -----------------------------------------------------------------------------------
    def _db(self, work: Callable[[Session], T]) -> Coroutine[Any, Any, T]:
        """Run `work` with its own session in a worker thread; it commits what it wants kept."""

        def run() -> T:
            with Session(self.engine) as session:
                return work(session)

        return asyncio.to_thread(run)

    def _handler(self, kind: InstanceKind) -> KindHandler:
        return self.kinds[kind]

    def _lock(self, user: SandboxUser) -> asyncio.Lock:
        return self._user_locks.setdefault(user.id, asyncio.Lock())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _log(self, user: SandboxUser, key: InstanceKey, level: LogLevel, message: str) -> None:
        handler = self._handler(key[0])
        instance_id = await self._db(lambda session: instance_rows.running_id(session, user.id, key))
        # Awaited, so the line is in the table before this channel's next event is handled; lines of many
        # instances share the writer's batches meanwhile.
        await asyncio.wrap_future(
            self.logs.submit(
                user_id=user.id,
                level=level.value,
                message=message,
                agent_instance_id=instance_id,
                project_id=handler.owner_columns(key[1]).get("project_id"),
            )
        )

    def _publish_instance(self, user: SandboxUser, key: InstanceKey, status: LiveInstanceStatus) -> None:
        handler = self._handler(key[0])
        event = {"type": "agent_instance.status", "kind": key[0].value, "target_id": key[1], "status": status}
        self.events.publish(user.id, {**event, **handler.owner_columns(key[1])})

    # -- channel lifecycle --------------------------------------------------------------------------
    def attach(self, user: SandboxUser, channel: RunnerChannel) -> None:
        """Consume this channel's instance events in order, then sync the user's instances."""
        queue: asyncio.Queue[RunnerEvent] = asyncio.Queue()

        def on_event(name: str, data: dict[str, Any]) -> None:
            if name in INSTANCE_EVENTS:
                queue.put_nowait((name, data))

        channel.on_event(on_event)
        self._spawn(self._consume(user, channel, queue))
        self._spawn(self.sync(user, channel, adopting=True))

    async def _consume(self, user: SandboxUser, channel: RunnerChannel, queue: asyncio.Queue[RunnerEvent]) -> None:
        closed = asyncio.ensure_future(channel.wait_closed())
        getter: asyncio.Future[RunnerEvent] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    break
                await self._handle_safely(user, *getter.result())
            while not queue.empty():  # what arrived before the channel closed still counts
                await self._handle_safely(user, *queue.get_nowait())
        finally:
            closed.cancel()
            if getter is not None and not getter.done():
                getter.cancel()

    async def _handle_safely(self, user: SandboxUser, name: str, data: dict[str, Any]) -> None:
        try:
            await self._handle(user, name, data)
        except Exception:
            log.exception("handling %s from %s's runner failed", name, user.username)

    async def _handle(self, user: SandboxUser, name: str, data: dict[str, Any]) -> None:
        key = _key_of(data)
        if key is None or key[0] not in self.kinds:
            return
        handler = self._handler(key[0])
        if name == Event.INSTANCE_EXITED:  # also when its owner is gone: its rows close and the dashboard hears it
            await self._on_exit(user, key, data)
            return
        if not await self._db(lambda session: handler.exists(session, user.id, key[1])):
            return  # not this user's (or deleted meanwhile): a runner speaks only for its own user
        if name == Event.INSTANCE_LOG:
            level = _word_of(LogLevel, data.get("level")) or LogLevel.INFO
            await self._log(user, key, level, str(data.get("message", ""))[:MAX_LOG_MESSAGE])
        elif name == Event.INSTANCE_STATE:
            changes = await self._db(lambda session: handler.apply_state(session, user.id, key[1], data))
            for event in changes:
                self.events.publish(user.id, event)
        elif name == Event.INSTANCE_CHAT and isinstance(handler, ChatKindHandler):
            await self._db(lambda session: handler.chat(session, user.id, key[1], data))

    async def _on_exit(self, user: SandboxUser, key: InstanceKey, data: dict[str, Any]) -> None:
        handler = self._handler(key[0])
        asked = key in self._stopping or bool(data.get("requested"))
        self._stopping.discard(key)
        pid = data.get("pid") if isinstance(data.get("pid"), int) else None

        def record(session: Session) -> tuple[bool, bool, bool]:
            """(whether its end was wanted, whether its owner exists, whether a newer process already runs)"""
            exists = handler.exists(session, user.id, key[1])
            wanted = asked or not exists or handler.finished(session, user.id, key[1])
            status = InstanceStatus.STOPPED if wanted else InstanceStatus.CRASHED
            instance_rows.close(session, user.id, key, status, pid=pid)
            # An old process's late exit (a restart already started the next one) says nothing of the new one.
            superseded = instance_rows.running_id(session, user.id, key) is not None
            if exists and not superseded:
                handler.ended(session, user.id, key[1], wanted=wanted)
            session.commit()
            return wanted, exists, superseded

        wanted, exists, superseded = await self._db(record)
        if superseded:
            return
        self._publish_instance(user, key, LiveInstanceStatus.EXITED)
        if exists and not wanted:
            reason = str(data.get("reason") or f"exit code {data.get('code')}")
            message = f"The {handler.noun}'s process ended unexpectedly ({reason}); it will be started again"
            await self._log(user, key, LogLevel.ERROR, message)
            self._spawn(self._restart_later(user, key))

    async def _restart_later(self, user: SandboxUser, key: InstanceKey) -> None:
        await asyncio.sleep(RESTART_DELAY_SECONDS)
        handler = self._handler(key[0])
        async with self._lock(user):  # judged under the lock: a stop in the meantime wins
            if key[1] not in await self._db(lambda session: handler.wanted(session, user.id)):
                return
            try:
                await self._start_unlocked(user, key, resumed=True)
            except (NotFound, Conflict, Unavailable, ChannelClosed, RunnerError, SandboxError) as exc:
                log.warning("restarting %s %s failed: %s", key[0], key[1], exc)

    # -- sync ---------------------------------------------------------------------------------------
    async def sync(self, user: SandboxUser, channel: RunnerChannel, *, adopting: bool = False) -> None:
        """Make the runner's instances match what the database wants for this user. `adopting` (the channel just
        opened): chat instances already running that were not started over this channel get their message in
        flight again.

        Asks over the given channel, never through the manager: a sync must not start (or, while the user is
        being deleted, re-create) a sandbox by itself.
        """
        async with self._lock(user):
            try:
                listed = await channel.call(Method.INSTANCE_LIST)
            except (ChannelClosed, RunnerError) as exc:
                log.warning("could not list %s's instances: %s", user.username, exc)
                return
            running = {key for item in listed.get("instances", []) if (key := _key_of(item)) is not None}
            wanted = await self._db(lambda session: self._wanted(session, user.id))
            believed = await self._db(lambda session: instance_rows.running_keys(session, user.id))
            for key in believed - running:
                await self._db(partial(self._record_gone, user_id=user.id, key=key))
            for key in sorted(wanted - running):
                await self._resume(user, key, channel)
            for key in sorted(running - wanted):
                try:
                    await self._stop_instance(user, key, channel)
                except Exception:
                    log.exception("stopping unwanted %s %s of %s failed", key[0], key[1], user.username)
            adopted = {key for key in running & wanted if self._started_over.get(key) is not channel}
            for key in sorted(adopted if adopting else set()):
                try:
                    await self._send_after_start(user, key, channel, resumed=True)
                except Exception:
                    log.exception("resending to %s %s of %s failed", key[0], key[1], user.username)

    async def resync(self, user: SandboxUser) -> None:
        """After a kind's rows were deleted (or changed behind its back): sync over the open channel, if any."""
        channel = self.manager.open_channel(user)
        if channel is not None:
            await self.sync(user, channel)

    def _wanted(self, session: Session, user_id: int) -> set[InstanceKey]:
        return {(kind, target) for kind, handler in self.kinds.items() for target in handler.wanted(session, user_id)}

    def _record_gone(self, session: Session, user_id: int, key: InstanceKey) -> None:
        """Its row said running, but the runner does not know it (the sandbox restarted)."""
        instance_rows.close(session, user_id, key, InstanceStatus.CRASHED)
        if key[0] in self.kinds and self._handler(key[0]).exists(session, user_id, key[1]):
            self._handler(key[0]).ended(session, user_id, key[1], wanted=False)
        session.commit()

    async def _resume(self, user: SandboxUser, key: InstanceKey, channel: RunnerChannel) -> None:
        try:
            await self._start_unlocked(user, key, resumed=True, channel=channel)
        except (NotFound, Conflict, Unavailable) as exc:
            await self._log(user, key, LogLevel.ERROR, exc.message)
        except Exception:  # a background task: say it in the server log and carry on with the others
            log.exception("resuming %s %s of %s failed", key[0], key[1], user.username)

    # -- commands -----------------------------------------------------------------------------------
    async def start(self, user: SandboxUser, key: InstanceKey, *, resumed: bool = False) -> bool:
        """Start it (the sandbox too, when needed); False when it was running already."""
        async with self._lock(user):
            return await self._start_unlocked(user, key, resumed=resumed)

    async def _start_unlocked(
        self, user: SandboxUser, key: InstanceKey, *, resumed: bool, channel: RunnerChannel | None = None
    ) -> bool:
        """Start it over `channel` when given (a sync never starts a sandbox by itself), else through the
        manager, which starts the sandbox first when needed. A chat kind's new process then gets the commands
        its handler asks for (the message in flight). False when it was running already."""
        handler = self._handler(key[0])
        launch = await self._db(lambda session: handler.launch(session, user.id, key[1]))
        self._stopping.discard(key)  # whatever stop came before is over
        channel = channel or await self.manager.ensure_ready(user)
        for path, content in launch.files.items():
            await channel.call(Method.FS_WRITE, {"path": path, "content": content, "parents": True})
        params = {"kind": key[0].value, "id": key[1], "spec": encode_spec(launch.spec)}
        try:
            result = await channel.call(Method.INSTANCE_START, params)
        except RunnerError as exc:
            if exc.code != ErrorCode.EXISTS:
                raise Unavailable(f"The sandbox could not start the {handler.noun}: {exc.message}") from exc
            return False  # already running: starting is idempotent
        pid = result.get("pid") if isinstance(result.get("pid"), int) else None
        self._started_over[key] = channel

        def record(session: Session) -> str:
            instance_rows.open_row(session, user.id, launch.agent_id, key, pid, handler.owner_columns(key[1]))
            message = handler.started(session, user.id, key[1], resumed=resumed, pid=pid)
            session.commit()
            return message

        message = await self._db(record)
        await self._log(user, key, LogLevel.INFO, message)
        self._publish_instance(user, key, LiveInstanceStatus.RUNNING)
        await self._send_after_start(user, key, channel, resumed=resumed)
        return True

    async def _send_after_start(
        self, user: SandboxUser, key: InstanceKey, channel: RunnerChannel, *, resumed: bool
    ) -> None:
        """A chat kind's instance gets the commands its handler asks for: after a start, or when it was found
        running by a new channel (resumed), the message in flight."""
        handler = self._handler(key[0])
        if not isinstance(handler, ChatKindHandler):
            return
        commands = await self._db(lambda session: handler.after_start(session, user.id, key[1], resumed=resumed))
        for command in commands:
            await channel.call(Method.INSTANCE_SEND, {"kind": key[0].value, "id": key[1], "command": command})

    async def _stop_instance(self, user: SandboxUser, key: InstanceKey, channel: RunnerChannel | None = None) -> bool:
        """Stop the process (its exit event then records why); False when it was not running."""
        self._stopping.add(key)
        params = {"kind": key[0].value, "id": key[1]}
        try:
            if channel is not None:
                result = await channel.call(Method.INSTANCE_STOP, params)
            else:
                result = await self.manager.call(user, Method.INSTANCE_STOP, params)
        except RunnerError as exc:
            self._stopping.discard(key)
            if exc.code == ErrorCode.NOT_FOUND:
                return False
            noun = self._handler(key[0]).noun
            raise Unavailable(f"The sandbox could not stop the {noun}: {exc.message}") from exc
        except BaseException:  # no exit event may follow: a later crash must not pass for this stop
            self._stopping.discard(key)
            raise
        return bool(result.get("stopped"))

    async def stop(self, user: SandboxUser, key: InstanceKey) -> None:
        """The user stops it: the process ends and it is no longer wanted (start resumes it)."""
        handler = self._handler(key[0])
        async with self._lock(user):
            if not await self._db(lambda session: handler.exists(session, user.id, key[1])):
                raise NotFound(handler.noun.capitalize())
            if (await self.manager.status(user)).state is SandboxState.RUNNING:
                await self._stop_instance(user, key)

            def record(session: Session) -> None:
                instance_rows.close(session, user.id, key, InstanceStatus.STOPPED)
                handler.ended(session, user.id, key[1], wanted=True)
                session.commit()

            await self._db(record)
        await self._log(user, key, LogLevel.INFO, "Stopped by the user")

    async def restart(self, user: SandboxUser, key: InstanceKey) -> None:
        await self.stop(user, key)
        await self.start(user, key)

    async def send(self, user: SandboxUser, key: InstanceKey, command: dict[str, Any]) -> None:
        """A command for a running instance (pause, resume, reply, a new plan...)."""
        handler = self._handler(key[0])
        if not await self._db(lambda session: handler.exists(session, user.id, key[1])):
            raise NotFound(handler.noun.capitalize())
        params = {"kind": key[0].value, "id": key[1], "command": command}
        try:
            await self.manager.call(user, Method.INSTANCE_SEND, params)
        except RunnerError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                raise Conflict(f"The {handler.noun} is not running: start it first") from exc
            raise Unavailable(f"The sandbox refused: {exc.message}") from exc

    async def discard(self, user: SandboxUser, key: InstanceKey) -> None:
        """Its owner is about to be deleted: no longer wanted first (so no sync or restart brings it back while
        the deletion goes on), then its process stopped if it runs."""
        handler = self._handler(key[0])
        async with self._lock(user):

            def unwant(session: Session) -> None:
                if handler.exists(session, user.id, key[1]):
                    handler.ended(session, user.id, key[1], wanted=True)
                    session.commit()

            await self._db(unwant)
            if (await self.manager.status(user)).state is SandboxState.RUNNING:
                with contextlib.suppress(Unavailable):
                    await self._stop_instance(user, key)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _key_of(data: Any) -> InstanceKey | None:
    """The (kind, id) an event or list item names, or None when it names none we know."""
    if not isinstance(data, dict):
        return None
    kind, target = data.get("kind"), data.get("id")
    if kind not in {k.value for k in InstanceKind} or not isinstance(target, int) or isinstance(target, bool):
        return None
    return (InstanceKind(kind), target)


def _word_of(vocabulary: type[W], value: object) -> W | None:
    """The vocabulary's word for a value a runner sent, or None for anything else (even an unhashable one)."""
    if not isinstance(value, str):
        return None
    try:
        return vocabulary(value)
    except ValueError:
        return None


def require_supervisor(supervisor: InstanceSupervisor | None) -> InstanceSupervisor:
    """The supervisor, for work that needs a running instance; Unavailable when the server runs without sandboxes."""
    if supervisor is None:
        raise Unavailable(SANDBOXES_DISABLED)
    return supervisor
