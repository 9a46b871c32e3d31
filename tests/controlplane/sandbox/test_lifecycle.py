"""Lifecycle: idempotent start, healing, adoption after a restart, workspaces that outlive containers."""

from __future__ import annotations

import os
import threading

import pytest
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.models.base import DesiredState
from controlplane.sandbox.backend import SandboxError, SandboxState
from controlplane.sandbox.docker_engine import LABEL_INSTANCE, DockerSandboxBackend
from controlplane.sandbox.reconciler import ReconcileReport
from tests.support.engine import Harness
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker


def _containers(harness: Harness) -> list:
    label = f"{LABEL_INSTANCE}={harness.settings.sandbox_instance}"
    return harness.backend.client.containers.list(all=True, filters={"label": label})


def test_concurrent_ensure_running_makes_one_container(harness: Harness) -> None:
    alice = harness.user("alice")
    backends = [harness.backend, DockerSandboxBackend(harness.settings)]  # two "processes" racing too
    results: list[str] = []
    barrier = threading.Barrier(6)

    def start(backend: DockerSandboxBackend) -> None:
        barrier.wait(timeout=10)
        results.append(backend.ensure_running(alice).container_id or "")

    threads = [threading.Thread(target=start, args=(backends[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 6 and len(set(results)) == 1
    assert len(_containers(harness)) == 1
    assert harness.backend.ensure_running(alice).container_id == results[0]


def test_a_killed_sandbox_is_healed_by_the_reconciler(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "fs.write", {"path": "kept.txt", "content": "still here"})
    harness.container(alice).kill()
    assert harness.backend.status("alice").state is SandboxState.STOPPED
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert "alice" in report.started
    assert harness.call(alice, "fs.read", {"path": "kept.txt"})["content"] == "still here"


def test_a_killed_runner_is_restarted(harness: Harness) -> None:
    alice = harness.user("alice")
    first_pid = harness.call(alice, "status")["pid"]
    harness.sh(alice, "pkill -f 'autocode-runner serve'; true")
    # The runner's death ends the container (it is the main process under tini); a runner still shutting down
    # could answer a ping, so reconcile once the container has stopped.
    wait_until(lambda: harness.container(alice).status != "running", 30, "the container to stop", interval=0.2)
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert "alice" in report.started + report.restarted
    status = harness.call(alice, "status")
    assert status["uptime"] < 60 and status["pid"] > 0
    assert first_pid > 0


def test_a_stopped_sandbox_ends_on_its_own_not_by_the_engines_kill(harness: Harness) -> None:
    """A stop asks the runner to end (SIGTERM) and waits SANDBOX_STOP_SECONDS, longer than the runner's own
    shutdown: it ends with 0 while a terminal session is open and tmux keeps its own process, not with 137."""
    alice = harness.user("alice")
    harness.call(alice, "tmux.new", {"name": "busy", "command": "sleep 600"})
    harness.run(harness.app.state.sandboxes.stop, alice)
    status = harness.backend.status("alice")
    assert status.state is SandboxState.STOPPED and (status.exit_code, status.oom_killed) == (0, False)


def test_a_reconcile_pass_does_not_undo_a_stop_that_landed_after_it_read_the_wants(harness: Harness) -> None:
    """A pass reads what is wanted, then converges each sandbox; a stop in between must win. Both of the pass's
    stale views are replayed against a stopped sandbox: 'stopped, should run' and 'running, should run'."""
    alice = harness.user("alice")
    harness.call(alice, "ping")
    harness.run(harness.app.state.sandboxes.stop, alice)
    reconciler = harness.app.state.reconciler
    for observed in (SandboxState.STOPPED, SandboxState.RUNNING):
        report = ReconcileReport()
        harness.run(reconciler._converge, alice, observed, DesiredState.RUNNING, report)
        assert (report.started, report.restarted, report.failed) == ([], [], {})
        assert harness.backend.status("alice").state is SandboxState.STOPPED
    assert harness.app.state.sandboxes.desired_state(alice) == DesiredState.STOPPED


def test_a_reconcile_pass_keeps_the_sandbox_of_a_person_made_after_it_read_the_users(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass reads the users, then lists the containers. Someone created in between whose sandbox started at once
    was taken for a deleted user and their sandbox force-removed: a sandbox killed (137) 25 ms after it started,
    seen in whole runs. The pass's early read is replayed: the users as they were before alice existed."""
    reconciler = harness.app.state.reconciler
    read_before_alice = reconciler._wanted()
    alice = harness.user("alice")
    harness.call(alice, "ping")
    started = harness.backend.status("alice")
    monkeypatch.setattr(reconciler, "_wanted", lambda: read_before_alice)
    report = harness.run(reconciler.reconcile_once)
    assert report.removed == []
    now = harness.backend.status("alice")
    assert now.state is SandboxState.RUNNING and now.container_id == started.container_id


def test_a_control_plane_restart_adopts_running_sandboxes(sandbox_settings: Settings) -> None:
    with TestClient(create_app(sandbox_settings)) as first:
        harness = Harness(first, first.app, sandbox_settings)  # type: ignore[arg-type]
        alice = harness.user("alice")
        harness.call(alice, "ping")
        before = harness.container(alice).attrs
    with TestClient(create_app(sandbox_settings)) as second:  # the control plane restarted
        harness = Harness(second, second.app, sandbox_settings)  # type: ignore[arg-type]
        report = harness.run(harness.app.state.reconciler.reconcile_once)
        assert "alice" in report.adopted
        after = harness.container(alice).attrs
        assert after["Id"] == before["Id"]
        assert after["State"]["StartedAt"] == before["State"]["StartedAt"], "adopted, not restarted"
        assert harness.call(alice, "ping")["pong"] is True


def test_a_sandbox_too_small_for_its_runner_says_it_ran_out_of_memory(sandbox_settings: Settings) -> None:
    """6 MB (the engine's least) cannot hold the runner: the kernel kills it as the sandbox starts, and the error
    says so, with the setting to raise, instead of a bare exit code."""
    tiny = sandbox_settings.model_copy(update={"sandbox_memory": "6m"})
    with TestClient(create_app(tiny)) as client:
        harness = Harness(client, client.app, tiny)  # type: ignore[arg-type]
        alice = harness.user("alice")
        with pytest.raises(SandboxError) as refused:
            harness.call(alice, "ping")
        status = harness.backend.status("alice")
    assert status.state is SandboxState.STOPPED and status.oom_killed and status.exit_code == 137
    assert "ran out of memory" in str(refused.value) and "AUTOCODE_SANDBOX_MEMORY" in str(refused.value)


def test_containers_of_deleted_users_are_removed(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    with harness.app.state.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM users WHERE username = 'alice'")
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert report.removed == ["alice"]
    assert _containers(harness) == []


def test_workspace_survives_container_removal_and_recreation(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "fs.write", {"path": "projects/app/main.py", "content": "print('hi')", "parents": True})
    first_id = harness.container(alice).id
    harness.run(harness.manager.remove, "alice")
    assert _containers(harness) == []
    assert harness.call(alice, "fs.read", {"path": "projects/app/main.py"})["content"] == "print('hi')"
    assert harness.container(alice).id != first_id


def test_idle_sandboxes_are_stopped_but_not_while_viewed(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    harness.settings.sandbox_idle_minutes = 1e-6  # everything counts as idle
    with harness.manager.viewing(alice):
        report = harness.run(harness.app.state.reconciler.reconcile_once)
        assert report.stopped_idle == []
        assert harness.backend.status("alice").state is SandboxState.RUNNING
    harness.manager._last_active["alice"] -= 1  # viewing just ended; make the idle time measurable
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert report.stopped_idle == ["alice"]
    assert harness.backend.status("alice").state is SandboxState.STOPPED
    assert harness.manager.desired_state(alice) == "stopped"
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert report.started == [], "an idle-stopped sandbox stays stopped until it is needed"


def test_symlinks_planted_in_a_home_are_never_followed(harness: Harness, tmp_path: os.PathLike) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "host-file").write_text("host")
    before = os.stat(outside)
    home = harness.settings.users_dir / "alice"
    alice = harness.user("alice")
    (home / "projects").rmdir()
    (home / "projects").symlink_to(outside)  # a subdirectory swapped for a link to a host directory
    (home / "config" / "passwd-link").symlink_to("/etc/passwd")
    harness.call(alice, "ping")  # starting the sandbox prepares (chowns) the home
    after = os.stat(outside)
    assert (after.st_uid, after.st_mode) == (before.st_uid, before.st_mode), "the link target was not touched"
    assert os.stat("/etc/passwd").st_uid == 0
    with pytest.raises(Exception, match="forbidden_path"):
        harness.call(alice, "fs.read", {"path": "config/passwd-link"})


def test_racing_processes_create_one_sandbox_network(harness: Harness) -> None:
    name = f"{harness.settings.sandbox_name_prefix}net"
    settings = harness.settings.model_copy(update={"sandbox_network": name})
    backends = [DockerSandboxBackend(settings) for _ in range(4)]
    barrier = threading.Barrier(len(backends))
    chosen: list[str] = []

    def ensure(backend: DockerSandboxBackend) -> None:
        barrier.wait(timeout=10)
        chosen.append(backend._ensure_network()["network"])

    threads = [threading.Thread(target=ensure, args=(backend,)) for backend in backends]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        networks = [n for n in harness.backend.client.networks.list(names=[name]) if n.name == name]
        assert len(networks) == 1, "one network, not one per racer"
        assert chosen == [networks[0].id] * len(backends)
    finally:
        for network in harness.backend.client.networks.list(names=[name]):
            network.remove()
