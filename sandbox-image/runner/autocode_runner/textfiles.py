"""Small text files an instance keeps in the user's folders (a chat's history, a course's notes): read without
following a link, written whole at once (a temporary file renamed over the old one), so a reader never sees half a
file and a planted link is never written through."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


class LinkRefused(OSError):
    """A link sits where one of our files should be."""


def read_no_follow(path: Path) -> str | None:
    """The file's text; None when it does not exist; LinkRefused when it is a link."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as error:
        if path.is_symlink():
            raise LinkRefused(f"{path.name} is a link; it is not followed") from error
        raise
    with os.fdopen(descriptor, encoding="utf-8") as handle:
        return handle.read()


def replace_text(path: Path, text: str) -> None:
    """Write `text` as the whole file: a new file renamed over the old one (a link there is replaced, never
    followed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
