"""The parts that let the control plane run unprivileged: the home helper through the engine (a symlink the user left
is never followed, nothing outside the one home is touched), and the start-up check of the data directory's path
(as the engine reports a container's mounts) and of what the process may use."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from controlplane.config import Settings
from controlplane.sandbox.datadir import access_problem, mount_problem, own_container_ids
from controlplane.sandbox.docker_engine import LABEL_INSTANCE, DockerSandboxBackend
from controlplane.sandbox.homes import empty_home, give_home
from controlplane.services.userdirs import create_user_home, remove_user_home

UID = 100_042


@pytest.mark.docker
def test_the_helper_gives_a_home_to_its_uid_without_following_links(sandbox_settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep me")
    home = create_user_home(sandbox_settings.users_dir, "carol")
    (home / "config").rmdir()
    (home / "config").symlink_to(outside)  # the user swapped a standard folder for a link
    (home / "learning").rmdir()  # and deleted another
    backend = DockerSandboxBackend(sandbox_settings)

    give_home(backend.client, sandbox_settings, home, UID)

    assert home.stat().st_uid == UID and stat.S_IMODE(home.stat().st_mode) == 0o700
    for subdir in ("projects", "research", "learning"):
        assert (home / subdir).lstat().st_uid == UID and (home / subdir).is_dir()
    assert (home / "config").lstat().st_uid == UID and (home / "config").is_symlink()  # the link itself
    assert outside.stat().st_uid == os.getuid() and (outside / "precious").stat().st_uid == os.getuid()

    (home / "projects" / "work.txt").write_text("made in the sandbox")
    os.chown(home / "projects" / "work.txt", UID, UID)
    empty_home(backend.client, sandbox_settings, home)
    assert list(home.iterdir()) == []
    assert (outside / "precious").read_text() == "keep me"  # the link was deleted, not followed
    assert remove_user_home(sandbox_settings.users_dir, "carol") and not home.exists()
    helpers = backend.client.containers.list(
        all=True, filters={"label": f"{LABEL_INSTANCE}={sandbox_settings.sandbox_instance}"}
    )
    assert helpers == []  # each helper is removed when it is done


@pytest.mark.parametrize(
    ("mounts", "expected"),
    [
        ([{"Type": "bind", "Source": "/srv/data", "Destination": "/srv/data"}], None),
        ([{"Type": "bind", "Source": "/srv", "Destination": "/srv"}], None),
        (
            [{"Type": "bind", "Source": "/home/admin/autocode", "Destination": "/srv/data"}],
            "/home/admin/autocode on the host",
        ),
        ([{"Type": "volume", "Source": "/var/lib/docker/volumes/x/_data", "Destination": "/srv/data"}], "volume mount"),
        ([{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock"}], "not mounted"),
        ([], "not mounted from the host"),
    ],
)
def test_the_data_directory_must_be_at_the_same_path_on_the_host(
    mounts: list[dict[str, str]], expected: str | None
) -> None:
    problem = mount_problem(Path("/srv/data"), mounts)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_the_container_is_found_by_the_id_in_its_mount_table() -> None:
    container = "4f" * 32
    mountinfo = f"612 590 0:31 /var/lib/docker/containers/{container}/hostname /etc/hostname rw - ext4 /dev/vda rw\n"
    assert own_container_ids(mountinfo, "web") == [container, "web"]
    assert own_container_ids("", "web") == ["web"]


def test_access_problems_are_none_when_all_is_usable(tmp_path: Path) -> None:
    assert access_problem(tmp_path, None) is None
    assert access_problem(tmp_path / "not-yet", None) is None  # made at start-up
    # (the unprivileged cases run in the control plane's container: tests/deploy/test_stack.py)
