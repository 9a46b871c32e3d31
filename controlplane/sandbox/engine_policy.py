"""What this control plane may ask the container engine to create: its own containers, and nothing else.

Whoever can talk to the engine's socket is root on the host (docs/security.md). The control plane needs that
socket, so it narrows what it asks for itself: every container-create and exec request its engine client sends
is checked here, as the JSON the engine would receive, before it leaves the process. A container must

- run this control plane's image (settings.sandbox_image) with its labels (autocode.instance = this instance)
  and a name with its prefix;
- bind-mount only paths under the data directory (no volumes, no other bind sources, no devices);
- never be privileged, never join a host namespace (network, pid, ipc, uts, user, cgroup) or another container's,
  never publish ports, never weaken seccomp/AppArmor, drop every capability, and add back at most the few
  file-ownership capabilities the home helper (homes.py) uses, and only without any network;
- run as a non-root user, unless it is that helper (labelled so, no network, read-only, the file capabilities only).

An exec must not be privileged and must not run as root. Anything else is refused with EnginePolicyViolation, so a
bug (or an injected parameter) cannot turn the control plane's engine access into root on the host.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxError

LABEL_INSTANCE = "autocode.instance"
LABEL_ROLE = "autocode.role"
ROLE_HOMES = "homes"  # the home helper (homes.py)
# The capabilities a container may add back after dropping ALL: ownership and permission bypass on files, which
# the home helper needs to give a home to its uid or empty it. Never with a network.
HELPER_CAPABILITIES = frozenset({"CHOWN", "FOWNER", "DAC_OVERRIDE", "DAC_READ_SEARCH"})
# HostConfig fields the control plane sets; any other one with a value is refused.
ALLOWED_HOST_CONFIG = frozenset(
    {
        "Mounts",
        "ReadonlyRootfs",
        "Tmpfs",
        "CapDrop",
        "CapAdd",
        "SecurityOpt",
        "Memory",
        "MemorySwap",
        "NanoCpus",
        "PidsLimit",
        "NetworkMode",
        "AutoRemove",
        "Init",
    }
)
HOST_NAMESPACE_FIELDS = ("PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode")


class EnginePolicyViolation(SandboxError):
    """The control plane was about to ask the engine for something other than one of its own containers."""


@dataclass(frozen=True)
class EnginePolicy:
    image: str
    instance: str
    name_prefix: str
    data_root: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> EnginePolicy:
        return cls(
            image=settings.sandbox_image,
            instance=settings.sandbox_instance,
            name_prefix=settings.sandbox_name_prefix,
            data_root=Path(os.path.realpath(settings.data_dir)),
        )

    # -- containers ------------------------------------------------------------------------------------------
    def check_container(self, config: Mapping[str, Any], name: str | None) -> None:
        """Raise EnginePolicyViolation unless `config` (the body of POST /containers/create) is one of ours."""
        problems = list(self._container_problems(config, name))
        if problems:
            raise EnginePolicyViolation(
                "refused to create a container that is not one of this control plane's own: " + "; ".join(problems)
            )

    def _container_problems(self, config: Mapping[str, Any], name: str | None) -> Iterable[str]:
        if config.get("Image") != self.image:
            yield f"image {config.get('Image')!r} is not {self.image!r}"
        labels = config.get("Labels") or {}
        if labels.get(LABEL_INSTANCE) != self.instance:
            yield f"label {LABEL_INSTANCE} is not {self.instance!r}"
        if not name or not name.startswith(self.name_prefix):
            yield f"name {name!r} does not start with {self.name_prefix!r}"
        if config.get("Volumes"):
            yield "anonymous volumes are not allowed"
        host = config.get("HostConfig") or {}
        yield from self._host_config_problems(host)
        capabilities_added = {_capability(c) for c in host.get("CapAdd") or []}
        no_network = host.get("NetworkMode") == "none"
        root = _is_root(config.get("User"))
        if capabilities_added and not no_network:
            yield "capabilities may be added only to a container without a network"
        helper = labels.get(LABEL_ROLE) == ROLE_HOMES
        if root and not (helper and no_network and host.get("ReadonlyRootfs")):
            yield "it would run as root (only the home helper may: no network, read-only, file capabilities only)"

    def _host_config_problems(self, host: Mapping[str, Any]) -> Iterable[str]:
        if host.get("Privileged"):
            yield "privileged mode is never allowed"
        unknown = sorted(key for key, value in host.items() if value and key not in ALLOWED_HOST_CONFIG)
        if unknown:
            yield f"host settings the control plane never uses: {', '.join(unknown)}"
        network = str(host.get("NetworkMode") or "")
        if network == "host" or network.startswith("container:"):
            yield f"network mode {network!r} shares another namespace"
        for field in HOST_NAMESPACE_FIELDS:
            value = str(host.get(field) or "")
            if value == "host" or value.startswith("container:"):
                yield f"{field} {value!r} shares another namespace"
        if "ALL" not in {_capability(c) for c in host.get("CapDrop") or []}:
            yield "every capability must be dropped (CapDrop ALL)"
        extra = {_capability(c) for c in host.get("CapAdd") or []} - HELPER_CAPABILITIES
        if extra:
            yield f"capabilities {', '.join(sorted(extra))} are never added"
        for option in host.get("SecurityOpt") or []:
            if option not in ("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"):
                yield f"security option {option!r} is not allowed"
        if "no-new-privileges" not in " ".join(host.get("SecurityOpt") or []):
            yield "no-new-privileges must be set"
        for mount in host.get("Mounts") or []:
            yield from self._mount_problems(mount)

    def _mount_problems(self, mount: Mapping[str, Any]) -> Iterable[str]:
        kind = mount.get("Type")
        if kind == "tmpfs":
            return
        if kind != "bind":
            yield f"a {kind} mount at {mount.get('Target')} is not allowed (bind mounts under the data root only)"
            return
        source = str(mount.get("Source") or "")
        resolved = Path(os.path.realpath(source)) if os.path.isabs(source) else None
        if resolved is None or not resolved.is_relative_to(self.data_root) or resolved == self.data_root:
            yield f"bind mount of {source!r} is outside the data root {self.data_root}"
        if (mount.get("BindOptions") or {}).get("Propagation") not in (None, "", "rprivate", "private"):
            yield f"bind mount of {source!r} asks for mount propagation"

    # -- execs -----------------------------------------------------------------------------------------------
    def check_exec(self, privileged: bool, user: str | None) -> None:
        if privileged:
            raise EnginePolicyViolation("refused a privileged exec")
        if _is_root(user):
            raise EnginePolicyViolation("refused an exec as root; commands run as the sandbox's user")


def _capability(name: str) -> str:
    return name.upper().removeprefix("CAP_")


def _is_root(user: str | None) -> bool:
    """An empty user is the image's default, which the policy cannot see: treated as root."""
    name = (user or "").split(":", 1)[0].strip()
    return name in ("", "0", "root")


class GuardedAPIClient(docker.APIClient):
    """The engine's low-level client with every container create and exec checked against the policy first."""

    def __init__(self, policy: EnginePolicy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy

    def create_container_from_config(self, config: Any, name: Any = None, platform: Any = None) -> Any:
        self.policy.check_container(config, name)
        return super().create_container_from_config(config, name, platform)  # type: ignore[no-untyped-call]

    def exec_create(
        self,
        container: Any,
        cmd: Any,
        stdout: bool = True,
        stderr: bool = True,
        stdin: bool = False,
        tty: bool = False,
        privileged: bool = False,
        user: str = "",
        environment: Any = None,
        workdir: Any = None,
        detach_keys: Any = None,
    ) -> Any:
        self.policy.check_exec(privileged, user)
        return super().exec_create(
            container, cmd, stdout, stderr, stdin, tty, privileged, user, environment, workdir, detach_keys
        )


class GuardedDockerClient(docker.DockerClient):
    """docker.DockerClient whose `api` is the guarded client: the high-level calls all go through it."""

    def __init__(self, policy: EnginePolicy, *args: Any, **kwargs: Any) -> None:
        self.api = GuardedAPIClient(policy, *args, **kwargs)
