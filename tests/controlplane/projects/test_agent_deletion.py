"""Deleting an agent, or its user, while a project works: nothing of it is left running or on disk (real sandbox,
real Claude Code and nanobot manager, scripted providers inside the sandbox)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxState
from controlplane.services.users import create_user
from tests.support.app import login
from tests.support.coding_world import CodingWorld, plan_reply
from tests.support.engine import Harness

pytestmark = [pytest.mark.docker, pytest.mark.slow]
HANGING_TASK = {
    "rules": [
        {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"))},
        {"match": "TASK: compose_task", "reply": "Create the file hello.txt containing hello."},
    ]
}
CLAUDE_BUSY = {"turns": [{"match": "hello.txt", "responses": [{"hang": 300}]}], "default": "Done."}


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g", "project_poll_seconds": 0.5})


def _working_project(world: CodingWorld) -> dict[str, Any]:
    """A started project whose Claude Code is in the middle of its first task."""
    world.start_fakes(HANGING_TASK, CLAUDE_BUSY)
    world.add_keys()
    project = world.new_project("Greetings", "A file hello.txt")
    world.api("post", f"/api/projects/{project['id']}/start")
    world.wait(lambda: any(r.get("prompt") for r in world.requests("anthropic")), 90, "Claude Code to work on the task")
    return project


def _processes(world: CodingWorld) -> str:
    code, output = world.harness.sh(world.sandbox_user, "ps -eo args")  # type: ignore[attr-defined]
    assert code == 0, output
    return output


def test_deleting_an_agent_stops_its_projects_and_removes_their_workspaces(harness: Harness) -> None:
    world = CodingWorld.create(harness, "deleter")
    project = _working_project(world)
    workspace = world.home / "projects" / project["slug"]
    rules = world.home / ".autocode" / "agents" / str(world.agent_id)
    assert workspace.is_dir() and (rules / "RULES.md").is_file()
    running = _processes(world)
    assert "autocode_runner.coding.instance" in running and "claude" in running, running
    sessions = {s["name"] for s in harness.call(world.sandbox_user, "tmux.list")["sessions"]}  # type: ignore[attr-defined]
    assert f"project-{project['id']}" in sessions

    world.api("delete", f"/api/agents/{world.agent_id}", expect=204)

    left = _processes(world)
    assert "autocode_runner.coding.instance" not in left, left
    assert "claude" not in left.replace("fake-", ""), left
    sessions = {s["name"] for s in harness.call(world.sandbox_user, "tmux.list")["sessions"]}  # type: ignore[attr-defined]
    assert f"project-{project['id']}" not in sessions, sessions
    assert not workspace.exists()
    assert not rules.exists()
    world.api("get", f"/api/projects/{project['id']}", expect=404)
    world.api("get", f"/api/agents/{world.agent_id}", expect=404)
    # a reconciler pass brings nothing back
    harness.run(harness.app.state.reconciler.reconcile_once)
    assert "autocode_runner.coding.instance" not in _processes(world)


def test_deleting_a_user_while_their_project_works_leaves_nothing(harness: Harness) -> None:
    world = CodingWorld.create(harness, "leaver")
    _working_project(world)
    with Session(harness.app.state.engine) as session:
        create_user(session, harness.settings, "boss", "password-123", role="admin")
    admin = {"Authorization": f"Bearer {login(harness.client, 'boss', 'password-123')}"}
    leaver_id = world.api("get", "/api/auth/me")["id"]

    assert harness.client.delete(f"/api/users/{leaver_id}", headers=admin).status_code == 204

    assert harness.backend.status("leaver").state is SandboxState.MISSING
    assert not world.home.exists()
    report = harness.run(harness.app.state.reconciler.reconcile_once)  # nothing brings the sandbox back
    assert "leaver" not in report.started
    assert harness.backend.status("leaver").state is SandboxState.MISSING
