"""A course's directory: the student's notes, the whole conversation, and the tutor's rolling summary.

The notes are read and written without following a link (a link planted at student_notes.md is refused, never
written through), and every write replaces the file at once (autocode_runner.textfiles). The conversation itself
is a nanochat.history.ChatHistory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autocode_runner.contract.learning import HISTORY_FILE, NOTES_FILE, NOTES_TEMPLATE, TUTOR_DIR
from autocode_runner.textfiles import LinkRefused, now_text, read_no_follow, replace_text

SUMMARY_FILE = "summary.json"


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
