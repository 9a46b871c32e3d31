"""A second agent kind through the one runtime, end to end: the echo kind (its control-plane handler lives only in
tests/support/echo_kind.py; its process entry is autocode_runner.echo) started from the control plane, its events
on a real /ws/events socket, started again after a sandbox restart and after a control-plane restart, and stopped
when its owner's row goes. Nothing of the echo kind is in the supervisor or the runner's core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from autocode_runner.contract.wire import InstanceKind, Method
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.models import Agent, AgentInstance, Log
from controlplane.sandbox.backend import SandboxUser
from controlplane.services.users import create_user
from tests.support.echo_kind import HEARD_EVENT, add_echo, create_table, echo_row, plug_in
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker
PASSWORD = "password-123"


class EventLog:
    """Everything a /ws/events socket receives, read on a thread so tests can wait with a deadline."""

    def __init__(self, socket: Any) -> None:
        self.received: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._read, args=(socket,), daemon=True)
        self._thread.start()

    def _read(self, socket: Any) -> None:
        try:
            while True:
                self.received.append(socket.receive_json())
        except Exception:  # the socket closed at the end of the test
            return

    def wait_for(self, what: str, **fields: Any) -> dict[str, Any]:
        def match() -> dict[str, Any] | None:
            return next((e for e in self.received if all(e.get(k) == v for k, v in fields.items())), None)

        return wait_until(match, 30, what, interval=0.05, detail=lambda: f"received: {self.received}")

    def clear(self) -> None:
        self.received.clear()


class EchoWorld:
    """One control plane (it can be replaced, as by a restart) over one user's sandbox."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: TestClient | None = None

    @property
    def app(self) -> FastAPI:
        assert self.client is not None
        return self.client.app  # type: ignore[return-value]

    @contextmanager
    def control_plane(self) -> Iterator[TestClient]:
        app = create_app(self.settings)
        plug_in(app)
        with TestClient(app) as client:
            create_table(app.state.engine)
            self.client = client
            yield client

    def run(self, function: Any, *args: Any) -> Any:
        assert self.client is not None
        return self.client.portal.call(function, *args)  # type: ignore[union-attr]

    @contextmanager
    def events(self, headers: dict[str, str]) -> Iterator[EventLog]:
        assert self.client is not None
        ticket = self.client.post("/api/ws-ticket", headers=headers).json()["ticket"]
        with self.client.websocket_connect(f"/ws/events?ticket={ticket}") as socket:
            hub = self.app.state.events
            user_id = self.client.get("/api/auth/me", headers=headers).json()["id"]
            wait_until(lambda: hub.fanout.count(user_id) > 0, 10, "the events socket to subscribe")
            yield EventLog(socket)

    def runner_instances(self, user: SandboxUser) -> list[dict[str, Any]]:
        return self.run(self.app.state.sandboxes.call, user, Method.INSTANCE_LIST)["instances"]

    def echo_pids(self, user: SandboxUser, echo_id: int) -> list[int]:
        return [i["pid"] for i in self.runner_instances(user) if (i["kind"], i["id"]) == ("echo", echo_id)]

    def instance_rows(self, echo_id: int) -> list[AgentInstance]:
        with Session(self.app.state.engine) as session:
            query = select(AgentInstance).where(AgentInstance.kind == "echo", AgentInstance.target_id == echo_id)
            return list(session.exec(query.order_by(col(AgentInstance.id))).all())

    def log_lines(self, user: SandboxUser) -> list[str]:
        with Session(self.app.state.engine) as session:
            query = select(Log.message).where(Log.user_id == user.id).order_by(col(Log.id))
            return list(session.exec(query).all())


def test_the_echo_kind_runs_through_the_same_runtime(sandbox_settings: Settings, engine_client: Any) -> None:
    world = EchoWorld(sandbox_settings)
    with world.control_plane() as client:
        engine = world.app.state.engine
        with Session(engine) as session:
            account = create_user(session, sandbox_settings, "erin", PASSWORD)
            agent = Agent(user_id=account.id or 0, name="Echoer", type="custom", model="openai/gpt-test")
            session.add(agent)
            session.commit()
            user, agent_id = SandboxUser(account.id or 0, "erin"), agent.id or 0
        echo_id = add_echo(engine, user.id, agent_id)
        key = (InstanceKind.ECHO, echo_id)
        token = client.post("/api/auth/login", json={"username": "erin", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        # Started from the control plane; its events reach a WebSocket subscriber.
        with world.events(headers) as events:
            world.run(world.app.state.supervisor.start, user, key)
            running = events.wait_for(
                "the instance to run", type="agent_instance.status", kind="echo", target_id=echo_id
            )
            assert running["status"] == "running"
            events.wait_for("its first state", type=HEARD_EVENT, echo_id=echo_id, heard=0)
            world.run(world.app.state.supervisor.send, user, key, {"type": "say", "text": "first words"})
            events.wait_for("what it heard", type=HEARD_EVENT, echo_id=echo_id, heard=1)
        row = echo_row(engine, echo_id)
        assert row is not None and (row["desired_state"], row["heard"]) == ("running", 1)
        [first] = world.instance_rows(echo_id)
        assert (first.status, first.agent_id, first.project_id) == ("running", agent_id, None)
        wait_until(lambda: "first words" in world.log_lines(user), 10, "its log line")
        lines = world.log_lines(user)
        assert f"echo {echo_id} here" in lines and any(line.startswith(f"Started echo {echo_id}") for line in lines)
        assert len(world.echo_pids(user, echo_id)) == 1

        # A sandbox restart: the runner comes back without it, and the supervisor starts it again from its state.
        world.run(world.app.state.sandboxes.restart, user)
        wait_until(lambda: world.echo_pids(user, echo_id), 30, "the echo to run again after the sandbox restart")
        # The process shows in the sandbox a moment before the supervisor has recorded it: wait for the record.
        wait_until(
            lambda: [row.status for row in world.instance_rows(echo_id)] == ["crashed", "running"],
            10,
            "the crashed instance's row and the new one's",
            detail=lambda: str([row.status for row in world.instance_rows(echo_id)]),
        )
        wait_until(lambda: any(line.startswith("Resumed echo") for line in world.log_lines(user)), 10, "resumed")
        assert echo_row(engine, echo_id)["heard"] == 1  # type: ignore[index]

    # A control-plane restart while the sandbox restarted too (a reboot): the new control plane starts it again.
    engine_client.containers.get(f"{sandbox_settings.sandbox_name_prefix}erin").restart(timeout=5)
    with world.control_plane() as client:
        token = client.post("/api/auth/login", json={"username": "erin", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with world.events(headers) as events:
            wait_until(lambda: len(world.instance_rows(echo_id)) == 3, 60, "a third instance after the restarts")
            assert world.instance_rows(echo_id)[-1].status == "running"
            world.run(world.app.state.supervisor.send, user, key, {"type": "say", "text": "still here"})
            events.wait_for("it carries on counting", type=HEARD_EVENT, echo_id=echo_id, heard=2)

            # Its owner's row goes (here through the agent it was made from): nothing wants it, so it stops.
            assert client.delete(f"/api/agents/{agent_id}", headers=headers).status_code == 204
            assert echo_row(world.app.state.engine, echo_id) is None
            wait_until(lambda: not world.echo_pids(user, echo_id), 30, "the echo to stop")
            events.wait_for("its exit", type="agent_instance.status", kind="echo", target_id=echo_id, status="exited")
