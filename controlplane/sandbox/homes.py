"""Giving a user's directory to their uid, and emptying it, without the control plane being root.

A user's files on the host belong to their sandbox uid (settings.sandbox_uid_base + id). A control plane that
runs as root (`make up`) gives the home away itself (userdirs.py). One that runs as its own unprivileged user
(the systemd unit in deploy/, the compose file's container) cannot, and needs no capability for it either: it
already holds the container engine, so it asks the engine for a short-lived helper container instead:

- this control plane's own sandbox image, labelled with its instance, named `<prefix>homes.<random>`
  (a dot, so never a sandbox's name), no network, read-only root filesystem, every capability dropped but
  CHOWN, FOWNER, DAC_OVERRIDE and DAC_READ_SEARCH, no-new-privileges;
- only the one home bind-mounted (at /home/target), so the helper cannot reach anything else;
- a fixed command: `chown -h` (never following a link) and `chmod 0700`, or `find -xdev -mindepth 1 -delete`
  (which never follows a link either).

The engine policy (engine_policy.py) allows exactly this shape and nothing wider. Why not a capability on the
control plane itself (CAP_CHOWN, CAP_DAC_OVERRIDE in the unit)? Those would apply to every file the process can
reach, for the whole life of a network-facing server; the helper has them for a second, on one directory.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
from docker.errors import DockerException
from docker.types import Mount

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxError
from controlplane.sandbox.engine_policy import HELPER_CAPABILITIES, LABEL_INSTANCE, LABEL_ROLE, ROLE_HOMES
from controlplane.services.userdirs import USER_SUBDIRS

TARGET = "/home/target"
HELPER_SECONDS = 60


def _run_helper(client: docker.DockerClient, settings: Settings, home: Path, script: list[str]) -> None:
    name = f"{settings.sandbox_name_prefix}homes.{secrets.token_hex(4)}"
    try:
        container: Any = client.containers.create(
            settings.sandbox_image,
            entrypoint=[],
            command=script,
            name=name,
            user="0:0",
            labels={LABEL_INSTANCE: settings.sandbox_instance, LABEL_ROLE: ROLE_HOMES},
            mounts=[Mount(TARGET, str(home.resolve()), type="bind")],
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            cap_add=sorted(HELPER_CAPABILITIES),
            security_opt=["no-new-privileges"],
            mem_limit="64m",
            pids_limit=32,
        )
    except DockerException as exc:
        raise SandboxError(f"could not start the helper for {home}: {exc}") from exc
    try:
        container.start()
        result = container.wait(timeout=HELPER_SECONDS)
        if result.get("StatusCode") != 0:
            output = container.logs().decode(errors="replace")[-1000:]
            raise SandboxError(f"the helper for {home} failed ({result.get('StatusCode')}): {output}")
    except (DockerException, OSError) as exc:  # OSError: the wait's read timeout
        raise SandboxError(f"the helper for {home} failed: {exc}") from exc
    finally:
        container.remove(force=True)


def give_home(client: docker.DockerClient, settings: Settings, home: Path, uid: int) -> None:
    """The standard subdirectories made, the home and they chowned (never following links) to uid, the home 0700."""
    owner = f"{uid}:{uid}"
    paths = [TARGET, *(f"{TARGET}/{subdir}" for subdir in USER_SUBDIRS)]
    # chmod follows links, but TARGET is the mount point itself: always the real directory.
    # A standard subdirectory the user deleted is made again (by the helper, then chowned with the rest).
    # Whatever the user left under a standard name (a link, even a dangling one) stays as it is.
    make = f'for d in {" ".join(USER_SUBDIRS)}; do [ -e "$d" ] || [ -L "$d" ] || mkdir "$d" || exit 1; done'
    script = f'cd {TARGET} && {make} && chown -h "$0" "$@" && chmod 0700 {TARGET}'
    _run_helper(client, settings, home, ["sh", "-c", script, owner, *paths])


def empty_home(client: docker.DockerClient, settings: Settings, home: Path) -> None:
    """Delete everything inside the home (never following links, never leaving its filesystem)."""
    _run_helper(client, settings, home, ["find", TARGET, "-xdev", "-mindepth", "1", "-delete"])


def home_emptier(settings: Settings) -> Callable[[Path], None] | None:
    """What remove_user_home calls when it may not delete a user's files itself: the helper, given an engine."""
    if not settings.sandboxes_enabled:
        return None

    def empty(home: Path) -> None:
        from controlplane.sandbox.docker_engine import connect_engine
        from controlplane.sandbox.engine_policy import EnginePolicy

        empty_home(connect_engine(EnginePolicy.from_settings(settings)), settings, home)

    return empty
