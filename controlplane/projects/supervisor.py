"""The supervisor of coding-project instances: starts and stops them through the user's runner, and turns
what they report (logs, state, exits) into database rows and live events.

Each sandbox's runner channel gets one ordered consumer of its events, so a project's logs and state land
in the order the instance sent them. After a channel opens (a sandbox start, a runner restart, a control
plane restart) the supervisor syncs: instances that should run but do not are started again from the
persisted plan and step, and instances nobody wants are stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.models import Agent, Project
from controlplane.projects import store
from controlplane.projects.keys import MissingKey, project_keys
from controlplane.projects.layout import SANDBOX_HOME, claude_session_name, rules_file, workspace_dir
from controlplane.projects.spec import instance_spec
from controlplane.realtime.events import EventHub
from controlplane.realtime.logs import LogHub
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerChannel, RunnerError
from controlplane.sandbox.manager import SandboxManager
from controlplane.security.secretbox import SecretBox

log = logging.getLogger(__name__)
LOG_LEVELS = ("info", "action", "error", "agent_decision")
PROJECT_EVENTS = ("project.log", "project.state", "project.exited")


class ProjectError(Exception):
    """A request the supervisor refuses, with the HTTP status and a message that says what to do."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class ProjectSupervisor:
    def __init__(
        self,
        manager: SandboxManager,
        engine: Engine,
        logs: LogHub,
        events: EventHub,
        box: SecretBox,
        settings: Settings,
    ) -> None:
        self.manager = manager
        self.engine = engine
        self.logs = logs
        self.events = events
        self.box = box
        self.settings = settings
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: set[int] = set()  # project ids whose exit the user asked for
        manager.on_channel_open(self.attach)

    # -- channel lifecycle --------------------------------------------------------------------------
    def attach(self, user: SandboxUser, channel: RunnerChannel) -> None:
        """Consume this channel's project events in order, then sync the user's instances."""
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

        def on_event(name: str, data: dict[str, Any]) -> None:
            if name in PROJECT_EVENTS:
                queue.put_nowait((name, data))

        channel.on_event(on_event)
        self._spawn(self._consume(user, channel, queue))
        self._spawn(self.sync(user, channel))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _consume(
        self, user: SandboxUser, channel: RunnerChannel, queue: asyncio.Queue[tuple[str, dict[str, Any]]]
    ) -> None:
        closed = asyncio.ensure_future(channel.wait_closed())
        getter: asyncio.Future[tuple[str, dict[str, Any]]] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    break
                name, data = getter.result()
                try:
                    await self._handle(user, name, data)
                except Exception:
                    log.exception("handling %s from %s's runner failed", name, user.username)
            while not queue.empty():  # what arrived before the channel closed still counts
                name, data = queue.get_nowait()
                await self._handle(user, name, data)
        finally:
            closed.cancel()
            if getter is not None and not getter.done():
                getter.cancel()

    async def _handle(self, user: SandboxUser, name: str, data: dict[str, Any]) -> None:
        project_id = data.get("project_id")
        if not isinstance(project_id, int):
            return
        if name == "project.log":
            level = data.get("level") if data.get("level") in LOG_LEVELS else "info"
            message = str(data.get("message", ""))[:100_000]
            if await asyncio.to_thread(self._status_of, user.id, project_id) is not None:
                instance_id = await asyncio.to_thread(store.running_instance_id, self.engine, project_id)
                await asyncio.to_thread(
                    self.logs.write,
                    user_id=user.id,
                    project_id=project_id,
                    level=level,
                    message=message,
                    agent_instance_id=instance_id,
                )
        elif name == "project.state":
            change = await asyncio.to_thread(store.apply_state, self.engine, user.id, data)
            if change is not None:
                self._publish_status(user, change)
        elif name == "project.exited":
            status = await asyncio.to_thread(self._status_of, user.id, project_id)
            wanted = project_id in self._stopping or bool(data.get("requested")) or status in store.FINAL_STATUSES
            self._stopping.discard(project_id)
            await asyncio.to_thread(store.record_stop, self.engine, user.id, project_id, wanted=wanted)
            reason = str(data.get("reason") or f"exit code {data.get('code')}")
            self.events.publish(
                user.id, {"type": "agent_instance.status", "project_id": project_id, "status": "exited"}
            )
            if not wanted and status is not None:
                await asyncio.to_thread(
                    self.logs.write,
                    user_id=user.id,
                    project_id=project_id,
                    level="error",
                    message=f"The project's manager process ended unexpectedly ({reason}); it will be started again",
                )
                self._spawn(self._restart_later(user, project_id))

    def _publish_status(self, user: SandboxUser, change: store.StateChange) -> None:
        self.events.publish(
            user.id,
            {
                "type": "project.status",
                "project_id": change.project_id,
                "agent_id": change.agent_id,
                "status": change.status,
                "current_step": change.current_step,
                "steps_done": change.steps_done,
                "steps_total": change.steps_total,
            },
        )
        if change.new_escalation:
            self.events.publish(
                user.id, {"type": "escalation", "project_id": change.project_id, "message": change.new_escalation}
            )

    async def _restart_later(self, user: SandboxUser, project_id: int) -> None:
        await asyncio.sleep(2.0)
        wanted = await asyncio.to_thread(store.wanted_running, self.engine, user.id)
        if project_id in wanted:
            try:
                await self.start(user, project_id)
            except (ProjectError, ChannelClosed, RunnerError) as exc:
                log.warning("restarting project %s failed: %s", project_id, exc)

    def _status_of(self, user_id: int, project_id: int) -> str | None:
        """The project's status, or None when it is not this user's (runner reports are checked against it)."""
        with Session(self.engine) as session:
            project = session.get(Project, project_id)
            return project.status if project is not None and project.user_id == user_id else None

    async def sync(self, user: SandboxUser, channel: RunnerChannel) -> None:
        """Make the runner's instances match what the database wants for this user.

        Asks over the channel that just opened, never through the manager: a sync must not start (or, while
        the user is being deleted, re-create) a sandbox by itself.
        """
        try:
            listed = await channel.call("project.list")
        except (ChannelClosed, RunnerError) as exc:
            log.warning("could not list %s's projects: %s", user.username, exc)
            return
        running = {item["project_id"] for item in listed.get("projects", []) if isinstance(item, dict)}
        wanted = set(await asyncio.to_thread(store.wanted_running, self.engine, user.id))
        believed = set(await asyncio.to_thread(store.instance_rows_running, self.engine, user.id))
        for project_id in believed - running:
            await asyncio.to_thread(store.record_stop, self.engine, user.id, project_id, wanted=False)
        for project_id in sorted(wanted - running):
            try:
                await self.start(user, project_id, resumed=True)
            except ProjectError as exc:
                await asyncio.to_thread(
                    self.logs.write, user_id=user.id, project_id=project_id, level="error", message=exc.message
                )
            except Exception:  # a background task: say it in the server log and carry on with the others
                log.exception("resuming project %s of %s failed", project_id, user.username)
        for project_id in sorted(running - wanted):
            try:
                await self._stop_instance(user, project_id)
            except Exception:
                log.exception("stopping unwanted project %s of %s failed", project_id, user.username)

    # -- commands -----------------------------------------------------------------------------------
    def _load(self, user_id: int, project_id: int) -> tuple[Project, Agent, dict[str, Any]]:
        with Session(self.engine) as session:
            project = session.get(Project, project_id)
            if project is None or project.user_id != user_id:
                raise ProjectError(404, "Project not found")
            agent = session.get(Agent, project.agent_id)
            if agent is None:
                raise ProjectError(404, "Project not found")
            try:
                keys = project_keys(session, self.box, user_id, agent.model)
            except MissingKey as exc:
                raise ProjectError(409, str(exc)) from exc
            session.expunge_all()
            return project, agent, instance_spec(project, agent, keys, self.settings)

    async def start(self, user: SandboxUser, project_id: int, *, resumed: bool = False) -> None:
        project, agent, spec = await asyncio.to_thread(self._load, user.id, project_id)
        channel = await self.manager.ensure_ready(user)
        await channel.call(
            "fs.write", {"path": rules_file(agent.id or 0), "content": agent.global_rules, "parents": True}
        )
        try:
            result = await channel.call("project.start", {"project_id": project_id, "spec": spec})
        except RunnerError as exc:
            if exc.code != "exists":
                raise ProjectError(503, f"The sandbox could not start the project: {exc.message}") from exc
            return  # already running: starting is idempotent
        status = project.status if project.status in store.ACTIVE_STATUSES else "running"
        if not project.implementation_plan:
            status = "planning"
        await asyncio.to_thread(
            store.record_start,
            self.engine,
            user.id,
            project_id,
            result.get("pid"),
            status=status,
            escalation="",
            tmux_session=claude_session_name(project_id),
            workspace_path=f"{SANDBOX_HOME}/{workspace_dir(project.slug)}",
        )
        word = "Resumed" if resumed else "Started"
        await asyncio.to_thread(
            self.logs.write,
            user_id=user.id,
            project_id=project_id,
            level="info",
            message=f"{word} the project's manager (pid {result.get('pid')}) at step {project.current_step + 1}",
        )
        self.events.publish(user.id, {"type": "agent_instance.status", "project_id": project_id, "status": "running"})

    async def _stop_instance(self, user: SandboxUser, project_id: int) -> bool:
        self._stopping.add(project_id)
        try:
            result = await self.manager.call(user, "project.stop", {"project_id": project_id})
        except RunnerError as exc:
            self._stopping.discard(project_id)
            if exc.code == "not_found":
                return False
            raise ProjectError(503, f"The sandbox could not stop the project: {exc.message}") from exc
        return bool(result.get("stopped"))

    async def stop(self, user: SandboxUser, project_id: int) -> None:
        await asyncio.to_thread(self._load_owned, user.id, project_id)
        status = await self.manager.status(user)
        if status.state.value == "running":
            await self._stop_instance(user, project_id)
        await asyncio.to_thread(store.record_stop, self.engine, user.id, project_id, wanted=True)
        await asyncio.to_thread(
            self.logs.write, user_id=user.id, project_id=project_id, level="info", message="Stopped by the user"
        )

    async def restart(self, user: SandboxUser, project_id: int) -> None:
        await self.stop(user, project_id)
        await self.start(user, project_id)

    async def send(self, user: SandboxUser, project_id: int, command: dict[str, Any]) -> None:
        """Pause, resume, reply or a new plan for a running instance."""
        await asyncio.to_thread(self._load_owned, user.id, project_id)
        try:
            await self.manager.call(user, "project.send", {"project_id": project_id, "command": command})
        except RunnerError as exc:
            if exc.code == "not_found":
                raise ProjectError(409, "The project is not running: start it first") from exc
            raise ProjectError(503, f"The sandbox refused: {exc.message}") from exc

    def _load_owned(self, user_id: int, project_id: int) -> Project:
        with Session(self.engine) as session:
            project = session.get(Project, project_id)
            if project is None or project.user_id != user_id:
                raise ProjectError(404, "Project not found")
            return project

    async def write_rules(self, user: SandboxUser, agent_id: int, content: str) -> None:
        """Refresh RULES.md now when the sandbox runs; a start always writes it anyway."""
        if (await self.manager.status(user)).state.value != "running":
            return
        await self.manager.call(user, "fs.write", {"path": rules_file(agent_id), "content": content, "parents": True})

    async def remove_workspace(self, user: SandboxUser, project_id: int, slug: str) -> None:
        """Stop the instance and delete the workspace (inside the sandbox, where symlinks cannot escape)."""
        with contextlib.suppress(ProjectError):
            await self._stop_instance(user, project_id)
        if await self._has_session(user, project_id):
            await self.manager.call(user, "tmux.kill", {"name": claude_session_name(project_id)})
        try:
            await self.manager.call(user, "fs.remove", {"path": workspace_dir(slug), "recursive": True})
        except RunnerError as exc:
            if exc.code != "not_found":
                raise ProjectError(503, f"The workspace could not be removed: {exc.message}") from exc

    async def _has_session(self, user: SandboxUser, project_id: int) -> bool:
        listed = await self.manager.call(user, "tmux.list")
        return any(item.get("name") == claude_session_name(project_id) for item in listed.get("sessions", []))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
