"""The identity a user has inside their sandbox: a distinct uid and a passwd entry for it.

The container runs as UID:GID with no entry in the image's /etc/passwd, which breaks `whoami` and
Python's getpass; we generate passwd and group files per user and mount them read-only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxUser

HOME_IN_SANDBOX = "/home/agent"


def sandbox_uid(settings: Settings, user: SandboxUser) -> int:
    """Distinct per user and never reused: user ids are AUTOINCREMENT."""
    return settings.sandbox_uid_base + user.id


def write_identity_files(settings: Settings, user: SandboxUser) -> tuple[Path, Path]:
    """DATA_DIR/sandbox-etc/<username>/{passwd,group}, owned by the control plane, not the user."""
    uid = sandbox_uid(settings, user)
    directory = settings.sandbox_etc_dir / user.username
    directory.mkdir(parents=True, exist_ok=True)
    passwd = directory / "passwd"
    group = directory / "group"
    _write(passwd, f"root:x:0:0:root:/root:/usr/sbin/nologin\n{user.username}:x:{uid}:{uid}:AutoCode:"
                   f"{HOME_IN_SANDBOX}:/bin/bash\n")  # fmt: skip
    _write(group, f"root:x:0:\n{user.username}:x:{uid}:\n")
    return passwd, group


def _write(path: Path, content: str) -> None:
    """Atomic and safe when several starts race: each writer has its own temporary file."""
    if path.exists() and path.read_text() == content:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
