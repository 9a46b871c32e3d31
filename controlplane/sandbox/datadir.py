"""At start-up in a container: is the data directory at the same absolute path on the host?

The engine resolves a bind mount's source on the host, not in the container that asks for it. The control plane
bind-mounts DATA_DIR/users/<name> into each sandbox, so when it runs in a container itself (docker-compose.yml),
DATA_DIR must be a bind mount of the host directory with the same path inside and outside; otherwise every sandbox
would get an empty (or someone else's) directory. `autocode serve` refuses to start then, saying what to change.

The container's own mounts come from the engine (the container is found by its id in /proc/self/mountinfo,
where the engine's per-container files are mounted from, or by its hostname). A container that the engine does
not know runs that engine itself (a development VM or container with its own dockerd): nothing to check then.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from controlplane.config import Settings

CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))
CONTAINER_ID = re.compile(r"/containers/([0-9a-f]{64})/")
FIX = (
    "mount the host directory at the same path, e.g. in docker-compose.yml `- {path}:{path}` with "
    "AUTOCODE_DATA_DIR={path} in .env (docs/deploy.md)"
)


def in_container() -> bool:
    return any(marker.exists() for marker in CONTAINER_MARKERS)


def own_container_ids(mountinfo: str, hostname: str) -> list[str]:
    """Candidates for this container's id: those in its mount table first, then its hostname."""
    found = list(dict.fromkeys(CONTAINER_ID.findall(mountinfo)))
    return [*found, hostname]


def mount_problem(data_dir: Path, mounts: Iterable[Mapping[str, Any]]) -> str | None:
    """Why the engine would not find data_dir at the same path on the host (None: it would).

    `mounts` are the container's mounts as the engine reports them (Type, Source, Destination).
    """
    covering = [m for m in mounts if m.get("Destination") and data_dir.is_relative_to(str(m["Destination"]))]
    if not covering:
        return f"the data directory {data_dir} is not mounted from the host (it would vanish with the container); " + (
            FIX.format(path=data_dir)
        )
    mount = max(covering, key=lambda m: len(str(m.get("Destination", ""))))
    destination = Path(str(mount["Destination"]))
    if mount.get("Type") != "bind":
        return (
            f"the data directory {data_dir} is on a {mount.get('Type')} mount, which sandboxes cannot share by path; "
            + FIX.format(path=data_dir)
        )
    on_host = Path(str(mount.get("Source", ""))) / data_dir.relative_to(destination)
    if on_host != data_dir:
        return (
            f"the data directory is {data_dir} in this container but {on_host} on the host, so sandboxes would "
            f"mount the wrong directories; " + FIX.format(path=on_host)
        )
    return None


def access_problem(data_dir: Path, socket_path: str | None) -> str | None:
    """What this process may not touch that it needs: the data directory, the engine's socket."""
    who = f"uid {os.getuid()}"
    if data_dir.exists() and not os.access(data_dir, os.W_OK | os.X_OK):
        return (
            f"the data directory {data_dir} is not writable by this process ({who}); give it to that user "
            f"(chown {os.getuid()}:{os.getgid()} {data_dir}, the directory itself only)"
        )
    if socket_path and os.path.exists(socket_path) and not os.access(socket_path, os.R_OK | os.W_OK):
        gid = os.stat(socket_path).st_gid
        return (
            f"this process ({who}) may not use the engine's socket {socket_path}, which belongs to group {gid}: "
            f"with docker compose set DOCKER_GID={gid} in .env; under systemd add that group to "
            "SupplementaryGroups= (docs/deploy.md)"
        )
    return None


def data_dir_problem(settings: Settings) -> str | None:
    """The start-up check: the data directory and the engine's socket usable, and in a container the data
    directory at the same path on the host. None when all is well (or there is no engine to ask)."""
    from controlplane.sandbox.backend import EngineUnavailable
    from controlplane.sandbox.docker_engine import connect_engine, engine_socket_path

    data_dir = Path(os.path.realpath(settings.data_dir))
    try:
        socket_path = engine_socket_path() if settings.sandboxes_enabled else None
    except EngineUnavailable:
        socket_path = None
    if problem := access_problem(data_dir, socket_path):
        return problem
    if not settings.sandboxes_enabled or not in_container():
        return None
    try:
        client = connect_engine()
    except EngineUnavailable:
        return None  # the health check reports the engine; nothing to compare against
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    except OSError:
        mountinfo = ""
    for candidate in own_container_ids(mountinfo, socket.gethostname()):
        try:
            attrs = client.api.inspect_container(candidate)
        except Exception:  # noqa: S112 (not this one; try the next candidate)
            continue
        return mount_problem(data_dir, attrs.get("Mounts") or [])
    # Not one of this engine's containers (a container or VM that runs its own engine): the engine sees this
    # filesystem as it is, and paths are the same.
    return None
