"""The control plane refuses to ask the engine for anything but its own containers (engine_policy.py).

Through the real engine client the backend uses: a container shaped like a sandbox is created, and each single
change that would make it something else (another image, privileged, a host namespace, a bind mount outside the
data root, an added capability, root with a network, a device...) is refused before the request leaves the process,
and no container of that name exists afterwards.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.errors import NotFound
from docker.types import Mount

from controlplane.config import Settings
from controlplane.sandbox.docker_engine import DockerSandboxBackend
from controlplane.sandbox.engine_policy import EnginePolicyViolation

pytestmark = pytest.mark.docker


def sandbox_shaped(settings: Settings, home: Path) -> dict[str, Any]:
    """The keyword arguments of a container the policy accepts: what _create asks for, in short."""
    return {
        "image": settings.sandbox_image,
        "command": ["true"],
        "name": f"{settings.sandbox_name_prefix}policy-{secrets.token_hex(3)}",
        "user": "100001:100001",
        "labels": {"autocode.managed": "true", "autocode.instance": settings.sandbox_instance},
        "mounts": [Mount("/home/agent", str(home), type="bind")],
        "read_only": True,
        "tmpfs": {"/tmp": "rw,nosuid,nodev,size=16m"},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "mem_limit": "64m",
        "network_mode": "none",
    }


@pytest.fixture
def guarded(sandbox_settings: Settings) -> docker.DockerClient:
    return DockerSandboxBackend(sandbox_settings).client


@pytest.fixture
def home(sandbox_settings: Settings) -> Path:
    path = sandbox_settings.users_dir / "policy"
    path.mkdir(parents=True)
    return path


def test_a_container_shaped_like_a_sandbox_is_created(
    guarded: docker.DockerClient, sandbox_settings: Settings, home: Path
) -> None:
    kwargs = sandbox_shaped(sandbox_settings, home)
    container = guarded.containers.create(**kwargs)
    try:
        assert container.name == kwargs["name"]
    finally:
        container.remove(force=True)


def _outside(settings: Settings) -> dict[str, Any]:
    link = settings.data_dir / "users" / "sneaky"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("/etc")
    return {"mounts": [Mount("/home/agent", str(link), type="bind")]}


REFUSED: dict[str, Any] = {
    "another image": lambda s: {"image": "autocode-base:bookworm"},
    "privileged": lambda s: {"privileged": True},
    "the host's network": lambda s: {"network_mode": "host"},
    "the host's pid namespace": lambda s: {"pid_mode": "host"},
    "the host's ipc namespace": lambda s: {"ipc_mode": "host"},
    "the host's user namespace": lambda s: {"userns_mode": "host"},
    "the host's uts namespace": lambda s: {"uts_mode": "host"},
    "another container's network": lambda s: {"network_mode": "container:autocode-admin"},
    "a bind mount of /": lambda s: {"mounts": [Mount("/host", "/", type="bind")]},
    "the engine's socket": lambda s: {"mounts": [Mount("/var/run/docker.sock", "/var/run/docker.sock", type="bind")]},
    "a path escaping the data root": lambda s: {
        "mounts": [Mount("/home/agent", f"{s.data_dir}/users/../../../etc", type="bind")]
    },
    "a symlink in the data root pointing out": _outside,
    "the data root itself": lambda s: {"mounts": [Mount("/data", str(s.data_dir), type="bind")]},
    "a named volume": lambda s: {"mounts": [Mount("/data", "autocode-anything", type="volume")]},
    "old-style binds": lambda s: {"volumes": {"/etc": {"bind": "/host-etc", "mode": "ro"}}},
    "a device": lambda s: {"devices": ["/dev/sda:/dev/sda:rwm"]},
    "an added capability": lambda s: {"cap_add": ["SYS_ADMIN"]},
    "file capabilities with a network": lambda s: {"cap_add": ["CHOWN"], "network_mode": "bridge"},
    "capabilities kept": lambda s: {"cap_drop": []},
    "seccomp off": lambda s: {"security_opt": ["no-new-privileges", "seccomp=unconfined"]},
    "no no-new-privileges": lambda s: {"security_opt": []},
    "root with a network": lambda s: {"user": "0:0", "network_mode": "bridge"},
    "root, writable": lambda s: {"user": "root", "read_only": False},
    "the image's default user": lambda s: {"user": None},
    "a published port": lambda s: {"ports": {"22/tcp": 2222}},
    "another instance's label": lambda s: {"labels": {"autocode.instance": "someone-else"}},
    "a name without the prefix": lambda s: {"name": f"notours-{secrets.token_hex(3)}"},
    "a sysctl": lambda s: {"sysctls": {"net.ipv4.ip_forward": "1"}},
}


@pytest.mark.parametrize("change", sorted(REFUSED))
def test_anything_else_is_refused_and_never_created(
    change: str, guarded: docker.DockerClient, sandbox_settings: Settings, home: Path
) -> None:
    kwargs = {**sandbox_shaped(sandbox_settings, home), **REFUSED[change](sandbox_settings)}
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    with pytest.raises(EnginePolicyViolation, match="refused to create a container"):
        guarded.containers.create(**kwargs)
    with pytest.raises(NotFound):
        docker.from_env().containers.get(kwargs["name"])
    assert os.stat("/etc").st_uid == 0


def test_privileged_or_root_execs_are_refused(
    guarded: docker.DockerClient, sandbox_settings: Settings, home: Path
) -> None:
    container = guarded.containers.create(**{**sandbox_shaped(sandbox_settings, home), "command": ["sleep", "60"]})
    try:
        container.start()
        with pytest.raises(EnginePolicyViolation, match="privileged exec"):
            guarded.api.exec_create(container.id, ["id"], privileged=True, user="100001:100001")
        with pytest.raises(EnginePolicyViolation, match="as root"):
            guarded.api.exec_create(container.id, ["id"], user="0")
        with pytest.raises(EnginePolicyViolation, match="as root"):
            container.exec_run(["id"])  # the high-level call goes through the same check (default user: root)
        exit_code, output = container.exec_run(["id", "-u"], user="100001:100001")
        assert (exit_code, output.strip()) == (0, b"100001")
    finally:
        container.remove(force=True)
