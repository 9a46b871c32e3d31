"""A restore and the sandboxes of the server it runs on: the containers whose home is in the replaced data directory
go (they would keep the old directories mounted) and are made again from the restored files; a restore into another
directory (checking a backup on the live server) leaves the running sandboxes alone. Real engine, real sandboxes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
import pytest
from autocode_runner.contract.wire import Method
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.sandbox.backend import SandboxState
from tests.controlplane.ops.support import backup, fresh, restore
from tests.support.engine import Harness

pytestmark = pytest.mark.docker


@contextmanager
def control_plane(settings: Settings) -> Iterator[Harness]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield Harness(client, app, settings)


def test_a_restore_replaces_only_the_sandboxes_of_its_own_data_directory(
    sandbox_settings: Settings, engine_client: docker.DockerClient, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    with control_plane(sandbox_settings) as live:
        alice = live.user("alice")
        live.call(alice, Method.FS_WRITE, {"path": "note.md", "content": "in the backup"})
        archive = backup(sandbox_settings, backups)[0].path
        live.call(alice, Method.FS_WRITE, {"path": "note.md", "content": "after the backup"})
        container = live.container(alice)

        _, said = restore(fresh(sandbox_settings, tmp_path / "checked"), archive)  # elsewhere, while it runs
        assert not [line for line in said if "removed the old sandbox" in line]
        assert live.backend.status("alice").state is SandboxState.RUNNING
        assert live.call(alice, Method.FS_READ, {"path": "note.md"})["content"] == "after the backup"

    # The control plane stopped; its own data directory restored over (--force): alice's old container goes.
    _, said = restore(sandbox_settings, archive, force=True)
    assert "removed the old sandbox container of alice (made again when next needed)" in said
    assert not engine_client.containers.list(all=True, filters={"id": container.id})
    with control_plane(sandbox_settings) as restarted:
        assert restarted.call(alice, Method.FS_READ, {"path": "note.md"})["content"] == "in the backup"
