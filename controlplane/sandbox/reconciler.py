"""The reconciler: make the containers match what the database says, at start-up and on a timer.

- a labelled container whose user no longer exists (or whose name and id disagree) is removed;
- a sandbox that should run but whose container is stopped or missing is started again;
- a running sandbox whose runner does not answer a ping is restarted;
- a running sandbox with no viewers and no agent work, idle longer than the setting, is stopped;
- a running sandbox made from an image other than the wanted one (settings.sandbox_image: a new release, a
  rebuilt image) is made again from the wanted image once it is idle (the same definition as for the idle stop,
  over sandbox_upgrade_idle_seconds), never while an agent works or somebody watches; a stopped one is made again
  when it next starts (docker_engine.ensure_running);
- the observed state of each sandbox is recorded;
- first of all, the sandbox network is probed: while sandboxes could reach the host (no firewall, firewall.py),
  none is started and the log says what to run.
It adopts what already runs: a healthy running container is never recreated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from autocode_runner.contract.wire import Method
from sqlmodel import Session, select

from controlplane.models import SandboxRecord, User
from controlplane.models.base import DesiredState
from controlplane.sandbox.backend import SandboxError, SandboxState, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerChannel, RunnerError
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.users import sandbox_user

log = logging.getLogger(__name__)
PING_TIMEOUT = 5.0
HealthyCheck = Callable[[SandboxUser, RunnerChannel], Awaitable[None]]


class NoLongerWanted(Exception):
    """The sandbox was stopped after the reconcile pass read what is wanted: the pass leaves it alone."""


@dataclass
class ReconcileReport:
    removed: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    restarted: list[str] = field(default_factory=list)
    stopped_idle: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)  # made again from the wanted image
    adopted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    isolation_problem: str | None = None  # why sandboxes are not started (the firewall check), or None


class Reconciler:
    def __init__(self, manager: SandboxManager, on_healthy: list[HealthyCheck] | None = None) -> None:
        self.manager = manager
        # Run with each healthy sandbox's channel on every pass (the supervisor syncs its instances there).
        self.on_healthy = on_healthy or []
        self._task: asyncio.Task[None] | None = None

    def _wanted(self) -> tuple[dict[int, User], dict[int, str]]:
        with Session(self.manager.engine) as session:
            users = {u.id: u for u in session.exec(select(User)).all() if u.id is not None}
            desired = {r.user_id: r.desired_state for r in session.exec(select(SandboxRecord)).all()}
        return users, desired

    def _user_now(self, user_id: int | None) -> User | None:
        """The user as the database has it now: a sandbox listed after the pass read the users may belong to
        someone created in between (their sandbox started at once), who must not be taken for a deleted user."""
        if user_id is None:
            return None
        with Session(self.manager.engine) as session:
            return session.get(User, user_id)

    async def reconcile_once(self) -> ReconcileReport:
        report = ReconcileReport()
        manager = self.manager
        # Sandboxes must not reach the host (firewall.py): probed on every pass; while not, none is started.
        report.isolation_problem = await asyncio.to_thread(manager.backend.check_isolation)
        users, desired = await asyncio.to_thread(self._wanted)
        containers = await asyncio.to_thread(manager.backend.list_sandboxes)
        wanted_image = await asyncio.to_thread(manager.backend.wanted_image) if containers else None
        seen: set[int] = set()
        for status in containers:
            owner = users.get(status.user_id or -1)
            if owner is None or owner.username != status.username:  # or made since the users were read
                owner = await asyncio.to_thread(self._user_now, status.user_id)
            if owner is None or owner.username != status.username:
                log.info("removing sandbox %s: its user no longer exists", status.username)
                await manager.remove(status.username)
                report.removed.append(status.username)
                continue
            seen.add(owner.id or 0)
            user = sandbox_user(owner)
            outdated = wanted_image is not None and status.image_id not in (None, wanted_image)
            await self._converge(user, status.state, desired.get(user.id, DesiredState.STOPPED), report, outdated)
        for user_id, state in desired.items():
            if state == DesiredState.RUNNING and user_id not in seen and user_id in users:
                user = sandbox_user(users[user_id])
                await self._converge(user, SandboxState.MISSING, state, report)
        return report

    async def _converge(
        self, user: SandboxUser, observed: SandboxState, desired: str, report: ReconcileReport, outdated: bool = False
    ) -> None:
        manager = self.manager
        try:
            if desired != DesiredState.RUNNING:
                await asyncio.to_thread(manager.record, user, observed_state=observed.value)
                return
            if observed is not SandboxState.RUNNING:
                log.warning("sandbox of %s should run but is %s: starting it", user.username, observed.value)
                await manager.drop_channel(user.username)
                if await manager.ready_if_wanted(user) is None:
                    log.info("sandbox of %s was stopped meanwhile: left stopped", user.username)
                    return
                await asyncio.to_thread(self._count_restart, user)
                report.started.append(user.username)
                return
            if manager.is_idle(user, manager.settings.sandbox_idle_minutes * 60):
                log.info("stopping idle sandbox of %s", user.username)
                await manager.stop(user)
                report.stopped_idle.append(user.username)
                return
            if outdated and manager.is_idle(user, manager.settings.sandbox_upgrade_idle_seconds):
                log.info("making the idle sandbox of %s again from %s", user.username, manager.settings.sandbox_image)
                if await manager.move_to_image(user):
                    report.upgraded.append(user.username)
                    return
            try:
                channel = await self._runner_answers(user)
            except NoLongerWanted:
                return
            if channel is not None:
                report.adopted.append(user.username)
                await asyncio.to_thread(manager.record, user, observed_state=SandboxState.RUNNING.value)
                for check in self.on_healthy:
                    try:
                        await check(user, channel)
                    except Exception:  # one user's failing check must not end the pass for everybody
                        log.exception("a check of %s's healthy sandbox failed", user.username)
                return
            log.warning("the runner of %s does not answer: restarting the sandbox", user.username)
            await manager.restart(user, touch=False)
            await asyncio.to_thread(self._count_restart, user)
            report.restarted.append(user.username)
        except (SandboxError, RunnerError, ChannelClosed, OSError) as exc:
            log.error("could not reconcile the sandbox of %s: %s", user.username, exc)
            report.failed[user.username] = str(exc)

    async def _runner_answers(self, user: SandboxUser) -> RunnerChannel | None:
        """The channel to a runner that answered a ping, or None (the channel is dropped); NoLongerWanted when the
        sandbox was stopped since the pass began."""
        try:
            channel = await asyncio.wait_for(self.manager.ready_if_wanted(user), PING_TIMEOUT * 2)
            if channel is None:
                raise NoLongerWanted(user.username)
            await channel.call(Method.PING, timeout=PING_TIMEOUT)
        except (TimeoutError, SandboxError, RunnerError, ChannelClosed, OSError):
            await self.manager.drop_channel(user.username)
            return None
        return channel

    def _count_restart(self, user: SandboxUser) -> None:
        with Session(self.manager.engine) as session:
            row = session.get(SandboxRecord, user.id)
            if row is not None:
                row.restarts += 1
                session.add(row)
                session.commit()

    # -- the timer -----------------------------------------------------------------------------------
    def start(self, interval: float) -> None:
        self._task = asyncio.create_task(self._loop(interval), name="sandbox-reconciler")

    async def _loop(self, interval: float) -> None:
        while True:
            try:
                await self.reconcile_once()
            except Exception:
                log.exception("reconcile pass failed")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
