"""The sandbox HTTP API, the health report and user deletion, against the real engine."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from controlplane.sandbox.backend import SandboxState
from tests.support.app import login
from tests.support.engine import Harness

pytestmark = pytest.mark.docker


def _signed_in(harness: Harness, username: str, role: str = "user") -> dict[str, str]:
    from sqlmodel import Session

    from controlplane.services.users import create_user

    with Session(harness.app.state.engine) as session:
        create_user(session, harness.settings, username, "password-123", role=role)
    return {"Authorization": f"Bearer {login(harness.client, username, 'password-123')}"}


def test_user_starts_and_stops_their_sandbox(harness: Harness) -> None:
    client: TestClient = harness.client
    headers = _signed_in(harness, "alice")
    assert client.get("/api/sandbox", headers=headers).json()["state"] == "missing"
    started = client.post("/api/sandbox/start", headers=headers)
    assert started.status_code == 200, started.text
    assert started.json()["state"] == "running" and started.json()["desired_state"] == "running"
    assert started.json()["uptime_seconds"] >= 0
    stopped = client.post("/api/sandbox/stop", headers=headers).json()
    assert (stopped["state"], stopped["desired_state"]) == ("stopped", "stopped")
    assert client.get("/api/sandbox").status_code == 401


def test_admin_sees_and_controls_every_sandbox(harness: Harness) -> None:
    client: TestClient = harness.client
    admin = _signed_in(harness, "root", role="admin")
    alice = _signed_in(harness, "alice")
    alice_id = client.get("/api/auth/me", headers=alice).json()["id"]
    assert client.post(f"/api/admin/sandboxes/{alice_id}/start", headers=admin).json()["state"] == "running"
    listing = {row["username"]: row for row in client.get("/api/admin/sandboxes", headers=admin).json()}
    assert listing["alice"]["state"] == "running" and listing["alice"]["memory_bytes"] > 0
    assert listing["alice"]["memory_limit_bytes"] == 256 * 1024 * 1024
    assert listing["root"]["state"] == "missing"
    restarted = client.post(f"/api/admin/sandboxes/{alice_id}/restart", headers=admin).json()
    assert restarted["state"] == "running"
    assert client.post(f"/api/admin/sandboxes/{alice_id}/stop", headers=admin).json()["state"] == "stopped"
    assert client.post("/api/admin/sandboxes/99999/start", headers=admin).status_code == 404
    assert client.post(f"/api/admin/sandboxes/{alice_id}/explode", headers=admin).status_code == 422
    assert client.get("/api/admin/sandboxes", headers=alice).status_code == 403
    assert client.post(f"/api/admin/sandboxes/{alice_id}/stop", headers=alice).status_code == 403


def test_health_reports_the_engine(harness: Harness) -> None:
    body = harness.client.get("/api/health").json()
    assert body["container_engine"]["state"] == "ok"
    assert body["container_engine"]["version"]


def test_deleting_a_user_removes_the_container_then_the_directory(harness: Harness) -> None:
    client: TestClient = harness.client
    admin = _signed_in(harness, "root", role="admin")
    alice = _signed_in(harness, "alice")
    alice_id = client.get("/api/auth/me", headers=alice).json()["id"]
    client.post("/api/sandbox/start", headers=alice)
    assert harness.backend.status("alice").state is SandboxState.RUNNING
    assert client.delete(f"/api/users/{alice_id}", headers=admin).status_code == 204
    assert harness.backend.status("alice").state is SandboxState.MISSING
    assert not (harness.settings.users_dir / "alice").exists()


def test_sandbox_state_changes_reach_the_event_stream(harness: Harness) -> None:
    client: TestClient = harness.client
    alice = _signed_in(harness, "alice")
    ticket = client.post("/api/ws-ticket", headers=alice).json()["ticket"]
    with client.websocket_connect(f"/ws/events?ticket={ticket}") as events:
        deadline = time.monotonic() + 10
        while harness.app.state.events.fanout.count(client.get("/api/auth/me", headers=alice).json()["id"]) == 0:
            assert time.monotonic() < deadline, "the events socket never subscribed"
            time.sleep(0.01)
        assert client.post("/api/sandbox/start", headers=alice).status_code == 200
        states = [events.receive_json(), events.receive_json()]
        assert [(e["type"], e["username"], e["state"]) for e in states] == [
            ("sandbox.state", "alice", "starting"),
            ("sandbox.state", "alice", "running"),
        ]
        client.post("/api/sandbox/stop", headers=alice)
        assert events.receive_json()["state"] == "stopped"
