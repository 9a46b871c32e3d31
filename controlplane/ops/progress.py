"""A progress line for long copies: files and bytes done of the totals counted first, printed at most once a
second on a terminal (rewritten in place) and every few seconds otherwise (one line each, for logs and cron)."""

from __future__ import annotations

import time
from collections.abc import Callable

Say = Callable[[str], None]
Clock = Callable[[], float]


def human_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"  # pragma: no cover - the loop returns at GB


class Progress:
    def __init__(
        self,
        line: Say,
        total_files: int,
        total_bytes: int,
        *,
        every_seconds: float = 5.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.line = line
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.files = 0
        self.bytes = 0
        self.every_seconds = every_seconds
        self._clock = clock
        self._last = clock()

    def advance(self, nbytes: int, files: int = 1) -> None:
        self.files += files
        self.bytes += nbytes
        now = self._clock()
        if now - self._last >= self.every_seconds:
            self._last = now
            self.line(self.text())

    def text(self) -> str:
        share = self.bytes / self.total_bytes if self.total_bytes else 1.0
        return (
            f"{self.files}/{self.total_files} files, {human_bytes(self.bytes)} of {human_bytes(self.total_bytes)} "
            f"({min(share, 1.0):.0%})"
        )

    def finish(self) -> None:
        self.line(self.text())
