"""The backup archive's format, shared by `backup` and `restore` (docs/backup-and-upgrade.md, "The format").

One gzip-compressed tar file (PAX format, numeric owners) whose members are, in this order:

- `manifest.json`: what the archive holds (below); always first, so a restore checks it before writing anything;
- `autocode.db`: a consistent copy of the SQLite database made with SQLite's online backup API;
- `secret.key`: the server's secret, only when the backup was asked to include it;
- `users/` and everything under it: each person's directory with owners, modes and times; symbolic links are
  stored as links (never followed), other special files (sockets, pipes, devices) are left out;
- `social-media/` and everything under it: the social media manager's uploads.

A member outside these names, an absolute name, a `..` or `.` component, a hard link, a device or a link outside
`users/` is not something `backup` writes: `restore` refuses the whole archive when it meets one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

FORMAT = "autocode-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "autocode.db"
SECRET_KEY = "secret.key"  # noqa: S105 (a member name)
USERS = "users"
SOCIAL_MEDIA = "social-media"
TREES = (USERS, SOCIAL_MEDIA)
MAX_MANIFEST_BYTES = 1024 * 1024
KEY_CHECK_LABEL = b"autocode-backup-key-check\0"
KEY_FROM_FILE = "file"  # DATA_DIR/secret.key
KEY_FROM_ENVIRONMENT = "environment"  # AUTOCODE_SECRET_KEY
KEY_NONE = "none"


class ArchiveRefused(Exception):
    """The archive is not one `backup` makes, or not one this version can restore; the message says why."""


def key_check(secret: str) -> str:
    """A short digest that tells whether two secrets are the same, without revealing either.

    The database next to it holds Fernet tokens made with this secret, which allow the same offline guessing, so
    the digest adds no exposure; it lets a restore say whether the key in effect will open the stored secrets."""
    return hashlib.sha256(KEY_CHECK_LABEL + secret.encode()).hexdigest()[:16]


@dataclass
class Manifest:
    autocode_version: str
    schema_revision: str | None
    created_at: str
    parts: list[str]
    secret_key_included: bool
    secret_key_check: str
    secret_key_source: str  # KEY_FROM_FILE, KEY_FROM_ENVIRONMENT or KEY_NONE
    database_sha256: str
    database_bytes: int
    files: int = 0
    file_bytes: int = 0
    links: int = 0
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    notes: list[str] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            raw: Any = json.loads(data)
        except ValueError as exc:
            raise ArchiveRefused(f"its {MANIFEST} is not JSON ({exc})") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ArchiveRefused(f"its {MANIFEST} does not describe an AutoCode backup")
        version = raw.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ArchiveRefused(
                f"it is format version {version}, newer than this AutoCode reads ({FORMAT_VERSION}); "
                "restore it with the AutoCode release that made it, or a newer one"
            )
        try:
            return cls(**{key: raw[key] for key in cls.__dataclass_fields__ if key in raw})
        except TypeError as exc:
            raise ArchiveRefused(f"its {MANIFEST} lacks a field ({exc})") from exc


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def name_problem(name: str) -> str | None:
    """Why a member name cannot be restored, or None: only relative, normalised names under the known parts."""
    if not name or "\0" in name:
        return "an empty name"
    if name.startswith("/"):
        return "an absolute path"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "a '..', '.' or empty path component"
    if parts[0] not in (MANIFEST, DATABASE, SECRET_KEY, *TREES):
        return "a name outside the parts of a backup"
    if parts[0] in (MANIFEST, DATABASE, SECRET_KEY) and len(parts) > 1:
        return "a name inside a file"
    return None
