"""The log stream (backlog, then live, no gap, no duplicate) and the per-user event stream."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from controlplane.models import Agent, Project
from controlplane.realtime.logs import LogHub
from controlplane.realtime.protocol import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_TOO_SLOW
from tests.controlplane.realtime.test_tickets import ticket_for, wait_subscribed
from tests.support.app import Account


def make_project(app: FastAPI, owner: Account, name: str = "Eshop") -> int:
    with Session(app.state.engine) as session:
        agent = Agent(user_id=owner.id, name=f"coder-{name}", type="coding", model="openai/gpt-5.3-codex")
        session.add(agent)
        session.flush()
        project = Project(user_id=owner.id, agent_id=agent.id, name=name, slug=name.lower())
        session.add(project)
        session.commit()
        return project.id or 0


def write(app: FastAPI, owner: Account, project_id: int, message: str, level: str = "info") -> int:
    return app.state.logs.write(user_id=owner.id, project_id=project_id, level=level, message=message)["id"]


def test_backlog_then_live_with_no_gap_or_duplicate_under_concurrent_writes(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    project = make_project(app, alice)
    first = [write(app, alice, project, f"early {i}") for i in range(30)]
    after = first[9]
    writers_go = threading.Event()
    per_writer, writers = 150, 4

    def writer(index: int) -> None:
        writers_go.wait(10)
        for n in range(per_writer):
            write(app, alice, project, f"w{index}-{n}", level="action")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    expected_total = 30 + writers * per_writer
    received: list[int] = []
    with client.websocket_connect(f"/ws/project/{project}/logs?after={after}&ticket={ticket_for(client, alice)}") as ws:
        writers_go.set()  # the writers race the backlog read and the switch to live
        while len(received) < expected_total - 10:
            entry = ws.receive_json()
            assert {"id", "level", "message", "timestamp"} <= set(entry)
            received.append(entry["id"])
    for thread in threads:
        thread.join(30)
    assert received == sorted(received), "in id order"
    assert len(received) == len(set(received)), "no duplicates"
    assert received[0] == after + 1 and received[-1] - received[0] + 1 == len(received), "no gaps"


def test_a_slow_subscriber_is_dropped_and_resumes_without_loss(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    app.state.logs = LogHub(app.state.engine, queue_limit=10)
    project = make_project(app, alice)

    def burst() -> None:  # runs on the server's loop: the subscriber cannot drain in between
        for n in range(50):
            write(app, alice, project, f"burst {n}")

    seen: list[int] = []
    with client.websocket_connect(f"/ws/project/{project}/logs?ticket={ticket_for(client, alice)}") as ws:
        write(app, alice, project, "first")
        seen.append(ws.receive_json()["id"])
        client.portal.call(burst)  # type: ignore[union-attr]
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                seen.append(ws.receive_json()["id"])
        assert closed.value.code == CLOSE_TOO_SLOW
    with client.websocket_connect(
        f"/ws/project/{project}/logs?after={seen[-1]}&ticket={ticket_for(client, alice)}"
    ) as ws:
        while len(seen) < 51:
            seen.append(ws.receive_json()["id"])
    assert seen == list(range(seen[0], seen[0] + 51)), "every entry exactly once, in order"


def test_another_users_project_closes_with_4404(client: TestClient, app: FastAPI, alice: Account, bob: Account) -> None:
    project = make_project(app, alice)
    for url in (f"/ws/project/{project}/logs", "/ws/project/999999/logs"):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(f"{url}?ticket={ticket_for(client, bob)}") as ws,
        ):
            ws.receive_json()
        assert closed.value.code == CLOSE_NOT_FOUND


def test_events_are_per_user_and_admins_may_watch_all_sandboxes(
    client: TestClient, app: FastAPI, admin: Account, alice: Account, bob: Account
) -> None:
    hub = app.state.events
    with (
        client.websocket_connect(f"/ws/events?ticket={ticket_for(client, alice)}") as alice_ws,
        client.websocket_connect(f"/ws/events?scope=all&ticket={ticket_for(client, admin)}") as admin_ws,
    ):
        wait_subscribed(app, alice.id)
        wait_subscribed(app, admin.id)
        client.portal.call(hub.publish, bob.id, {"type": "sandbox.state", "user_id": bob.id, "state": "running"})  # type: ignore[union-attr]
        client.portal.call(hub.publish, alice.id, {"type": "project.status", "user_id": alice.id, "status": "running"})  # type: ignore[union-attr]
        client.portal.call(hub.publish, admin.id, {"type": "sandbox.state", "user_id": admin.id, "state": "stopped"})  # type: ignore[union-attr]
        assert alice_ws.receive_json()["type"] == "project.status", "alice sees only her own events"
        assert admin_ws.receive_json() == {"type": "sandbox.state", "user_id": bob.id, "state": "running"}
        assert admin_ws.receive_json()["user_id"] == admin.id, "own event exactly once"
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/events?scope=all&ticket={ticket_for(client, alice)}") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == CLOSE_FORBIDDEN
