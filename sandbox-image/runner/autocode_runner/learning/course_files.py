"""A course's directory: the student's notes, the whole conversation, and the tutor's rolling summary.

The notes are read and written without following a link (a link planted at student_notes.md is refused, never
written through), and every write replaces the file at once (a temporary file renamed over it), so a reader never
sees half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autocode_runner.contract.learning import HISTORY_FILE, NOTES_FILE, NOTES_TEMPLATE, TUTOR_DIR

SUMMARY_FILE = "summary.json"


class LinkRefused(OSError):
    """A link sits where a course file should be."""


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


@dataclass(frozen=True)
class CourseFiles:
    directory: Path

    @property
    def notes(self) -> Path:
        return self.directory / NOTES_FILE

    @property
    def history(self) -> Path:
        return self.directory / HISTORY_FILE

    @property
    def tutor_dir(self) -> Path:
        return self.directory / TUTOR_DIR

    @property
    def summary(self) -> Path:
        return self.tutor_dir / SUMMARY_FILE

    def read_notes(self) -> str:
        """The notes as they are on disk now (the template for a new course, written so the student sees it)."""
        text = read_no_follow(self.notes)
        if text is None:
            replace_text(self.notes, NOTES_TEMPLATE)
            return NOTES_TEMPLATE
        return text

    def write_notes(self, text: str) -> None:
        if self.notes.is_symlink():
            raise LinkRefused(f"{NOTES_FILE} is a link; it is not written through")
        replace_text(self.notes, text)

    def read_history(self) -> list[dict[str, Any]] | None:
        """Every message of the course, oldest first; None when the file is missing or unreadable."""
        try:
            text = read_no_follow(self.history)
        except OSError:
            return None
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, list):
            return None
        return [item for item in data if isinstance(item, dict) and isinstance(item.get("text"), str)]

    def write_history(self, messages: list[dict[str, Any]]) -> None:
        replace_text(self.history, json.dumps(messages, ensure_ascii=False, indent=1) + "\n")

    def read_summary(self) -> tuple[str, int]:
        """(the rolling summary, how many messages of the history it covers); ("", 0) at first."""
        try:
            text = read_no_follow(self.summary)
            data = json.loads(text) if text else {}
        except (OSError, ValueError):
            data = {}
        summary = data.get("text") if isinstance(data, dict) else None
        covers = data.get("covers") if isinstance(data, dict) else None
        if not isinstance(summary, str) or not isinstance(covers, int) or covers < 0:
            return "", 0
        return summary, covers

    def write_summary(self, summary: str, covers: int) -> None:
        data = {"text": summary, "covers": covers, "updated_at": now_text()}
        replace_text(self.summary, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
