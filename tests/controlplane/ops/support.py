"""Helpers for the backup and restore tests: a data directory with people's files, running the two in-process or as
the real `autocode` command, and reading an archive back."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from controlplane.config import Settings
from controlplane.ops.backup import Backup, BackupResult
from controlplane.ops.restore import Restore, RestoreResult
from tests.support.live_server import AUTOCODE, autocode_env


def backup(settings: Settings, dest: Path, *, include_secret_key: bool = False) -> tuple[BackupResult, list[str]]:
    said: list[str] = []
    result = Backup(settings, said.append).run(dest, include_secret_key=include_secret_key)
    return result, said


def restore(settings: Settings, source: Path, **options: Any) -> tuple[RestoreResult, list[str]]:
    said: list[str] = []
    result = Restore(settings, said.append).run(source, **options)
    return result, said


def fresh(settings: Settings, data_dir: Path, **changes: Any) -> Settings:
    """The same installation's settings over another data directory (a new server); made anew, so no key read from
    the old data directory comes along."""
    return Settings(**{**settings.model_dump(), "data_dir": data_dir, **changes})


def members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: member for member in tar.getmembers()}


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return dict(json.loads(handle.read()))


def autocode(data_dir: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command, as an administrator runs it."""
    return subprocess.run(
        [str(AUTOCODE), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=autocode_env(data_dir, **env),
        timeout=300,
    )
