"""`autocode-runner hook`: Claude Code's hook command, which turns each hook event into one line of a file.

Claude Code runs the command configured in its settings for every hook event (Stop, Notification,
UserPromptSubmit, ...) with the event's JSON on stdin, and waits for it. The driver that started Claude Code
names a file in AUTOCODE_HOOKS_FILE and reads the lines back: a structured signal beside the screen. The
command must never block or fail Claude Code, so every problem is swallowed and the exit code is always 0
(a non-zero code, 2 above all, would make Claude Code show an error or even refuse the action).
"""

from __future__ import annotations

import json
import os
import time
from typing import BinaryIO

HOOKS_FILE_VARIABLE = "AUTOCODE_HOOKS_FILE"
MAX_EVENT_BYTES = 1 << 20  # a hook event is small; a huge one is cut rather than slowing Claude Code


def record_hook_event(stdin: BinaryIO, hooks_file: str | None) -> int:
    """Append `{"time": unix seconds, "event": <the hook JSON>}` as one line to `hooks_file`; always 0."""
    if not hooks_file:
        return 0
    try:
        raw = stdin.read(MAX_EVENT_BYTES)
        try:
            event = json.loads(raw)
        except ValueError:
            event = {"unparsed": raw.decode(errors="replace")}
        line = json.dumps({"time": time.time(), "event": event}, ensure_ascii=False) + "\n"
        # One write() of an O_APPEND descriptor: lines of concurrent hooks do not interleave.
        descriptor = os.open(hooks_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode())
        finally:
            os.close(descriptor)
    except Exception:  # a hook must never fail Claude Code
        return 0
    return 0
