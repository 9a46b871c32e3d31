"""What an instance tells the runner: one JSON line per event on stdout (see autocode_runner.instances)."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO


class EventSink:
    """Writes `project.log` and `project.state` lines; safe from any thread, flushed at once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()

    def emit(self, event: str, data: dict[str, Any]) -> None:
        line = json.dumps({"event": event, "data": data}, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def log(self, level: str, message: str) -> None:
        """level: info (what happens), action (what was sent to Claude Code), error, agent_decision."""
        self.emit("project.log", {"level": level, "message": message})
