"""Sandboxes move to the release's image when idle, never while an agent works or somebody watches.

The "old release" is a tiny image derived from the current one with an older autocode.version label (so another
image id); the control plane of release N wants it, the next control plane wants the current image. A running
echo instance (tests/support/echo_kind.py) is the agent at work, `manager.viewing` a terminal viewer."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import docker
import pytest
from autocode_runner.contract.wire import InstanceKind, Method
from fastapi.testclient import TestClient
from sqlmodel import Session

from controlplane import __version__
from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.models import Agent
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.image import LABEL_VERSION
from controlplane.services.users import create_user
from tests.support.echo_kind import add_echo, create_table, plug_in
from tests.support.engine import Harness
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker
OLD_VERSION = "0.0.1-old"


@pytest.fixture
def old_image(engine_client: docker.DockerClient) -> Iterator[str]:
    tag = f"autocode-sandbox-old-test:{secrets.token_hex(4)}"
    dockerfile = f"FROM {Settings().sandbox_image}\nLABEL {LABEL_VERSION}={OLD_VERSION}\n"
    engine_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    yield tag
    engine_client.images.remove(tag, force=True)


@contextmanager
def control_plane(settings: Settings) -> Iterator[Harness]:
    app = create_app(settings)
    plug_in(app)
    with TestClient(app) as client:
        create_table(app.state.engine)
        yield Harness(client, app, settings)


def echo_pids(harness: Harness, user: SandboxUser, echo_id: int) -> list[int]:
    listed = harness.call(user, Method.INSTANCE_LIST)["instances"]
    return [item["pid"] for item in listed if (item["kind"], item["id"]) == ("echo", echo_id)]


def test_a_sandbox_on_an_older_image_moves_to_the_wanted_one_only_when_idle(
    sandbox_settings: Settings, old_image: str, engine_client: docker.DockerClient
) -> None:
    # Release N: its control plane wants the old image; erin's echo runs in her sandbox, with a file of hers.
    with control_plane(sandbox_settings.model_copy(update={"sandbox_image": old_image})) as release_n:
        with Session(release_n.app.state.engine) as session:
            account = create_user(session, sandbox_settings, "erin", "password-123")
            agent = Agent(user_id=account.id or 0, name="Echoer", type="custom", model="openai/gpt-test")
            session.add(agent)
            session.commit()
            user = SandboxUser(account.id or 0, "erin")
            echo_id = add_echo(release_n.app.state.engine, user.id, agent.id or 0)
        release_n.run(release_n.app.state.supervisor.start, user, (InstanceKind.ECHO, echo_id))
        release_n.call(user, Method.FS_WRITE, {"path": "projects/kept.txt", "content": "still mine"})
        old = release_n.container(user)
        assert old.labels[LABEL_VERSION] == OLD_VERSION
        [pid] = echo_pids(release_n, user, echo_id)

    # Release N+1 wants the current image, and moves a sandbox as soon as it is idle (the setting at 0 seconds).
    upgraded = sandbox_settings.model_copy(update={"sandbox_upgrade_idle_seconds": 0})
    with control_plane(upgraded) as release:
        reconciler, manager = release.app.state.reconciler, release.app.state.sandboxes
        wanted = release.backend.wanted_image()
        assert wanted is not None and wanted != old.image.id

        report = release.run(reconciler.reconcile_once)  # the echo is at work: the sandbox stays as it is
        assert "erin" not in report.upgraded and "erin" in report.adopted
        assert release.container(user).id == old.id and echo_pids(release, user, echo_id) == [pid]

        release.run(release.app.state.supervisor.stop, user, (InstanceKind.ECHO, echo_id))
        wait_until(lambda: not echo_pids(release, user, echo_id), 30, "the echo to stop")
        with manager.viewing(user):  # somebody watches the terminal: still not now
            report = release.run(reconciler.reconcile_once)
            assert "erin" not in report.upgraded
            assert release.container(user).id == old.id

        report = release.run(reconciler.reconcile_once)  # idle: no agent, nobody watching
        assert report.upgraded == ["erin"]
        new = release.container(user)
        assert new.id != old.id and new.image.id == wanted and new.status == "running"
        assert new.labels[LABEL_VERSION] == __version__
        assert release.call(user, Method.FS_READ, {"path": "projects/kept.txt"})["content"] == "still mine"
        assert release.backend.status("erin").image_version == __version__

        report = release.run(reconciler.reconcile_once)  # on the wanted image now: left alone
        assert report.upgraded == [] and release.container(user).id == new.id


def test_a_stopped_sandbox_on_an_older_image_starts_on_the_wanted_one(
    sandbox_settings: Settings, old_image: str
) -> None:
    with control_plane(sandbox_settings.model_copy(update={"sandbox_image": old_image})) as release_n:
        user = release_n.user("otto")
        release_n.call(user, Method.FS_WRITE, {"path": "notes.md", "content": "# mine"})
        release_n.run(release_n.app.state.sandboxes.stop, user)
        old = release_n.container(user)
    with control_plane(sandbox_settings) as release:
        release.call(user, Method.PING)  # the next use starts it
        new = release.container(user)
        assert new.id != old.id and new.image.id == release.backend.wanted_image()
        assert release.call(user, Method.FS_READ, {"path": "notes.md"})["content"] == "# mine"
