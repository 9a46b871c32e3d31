"""A coding project kept in its monitoring phase, shared by bench/project_monitoring.py and bench/load.py: the
scripts of the two scripted providers (tests/support/fakes/, run in the project's sandbox) under which the manager
plans one step, sends it to the real Claude Code and then watches it work, and how to read from the database
whether a project is really there.

The manager's side (the scripted OpenAI server) answers the plan and the step's task; Claude Code's side (the
scripted Anthropic server) answers that task with a reply streamed one piece a second for longer than the bench
needs: Claude Code stays busy and its screen keeps changing, as while it really works, so the project stays in
the monitoring phase (capture-pane every poll, classify, fingerprint). A silent hang is not it: Claude Code gives
up on a stream with no bytes after about a minute.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.coding_world import plan_reply

SENT = "Sent to Claude Code"  # the loop's log line when the step's task is in Claude Code's prompt
TASK = "Do the work for this project."
PIECE = "Working on it. "
TEXT_CHUNK = 12  # tests/support/fakes/anthropic_server.py's characters per delta
PIECE_SECONDS = 1.0


def busy_scripts(stream_seconds: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the OpenAI script, the Anthropic script): one step, whose task Claude Code is answered for about
    `stream_seconds` (one 12-character delta a second)."""
    openai = {
        "rules": [
            {"match": "TASK: plan", "reply": plan_reply(("Do the work", "all of it"))},
            {"match": "TASK: compose_task", "reply": TASK},
        ]
    }
    text = PIECE * math.ceil(stream_seconds / PIECE_SECONDS * TEXT_CHUNK / len(PIECE))
    anthropic = {
        "turns": [
            {
                "match": "Do the work",
                "repeat": True,
                # Several identical prompts in one sandbox look like retries of one to the server: serve each alike.
                "responses": [{"text": text, "chunk_delay": PIECE_SECONDS, "times": 1000}],
            }
        ]
    }
    return openai, anthropic


@dataclass(frozen=True)
class ProjectState:
    status: str
    phase: str  # the loop's phase as it last reported it ("monitoring" while it watches Claude Code)
    sent: bool  # SENT is in its log
    last_log_id: int

    @property
    def monitoring(self) -> bool:
        return self.status == "running" and self.phase == "monitoring" and self.sent


def project_states(database: Path, ids: list[int]) -> dict[int, ProjectState]:
    """Each project's status, loop phase and log as stored, read on a connection of its own (the control plane
    may be another process; nothing it serves is asked)."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        states = {}
        for project_id in ids:
            row = connection.execute(
                "SELECT status, json_extract(loop_state, '$.phase') FROM projects WHERE id = ?", (project_id,)
            ).fetchone()
            sent = connection.execute(
                "SELECT 1 FROM logs WHERE project_id = ? AND message LIKE ? LIMIT 1", (project_id, f"{SENT}%")
            ).fetchone()
            (last,) = connection.execute(
                "SELECT COALESCE(MAX(id), 0) FROM logs WHERE project_id = ?", (project_id,)
            ).fetchone()
            states[project_id] = ProjectState(str(row[0]), str(row[1] or ""), sent is not None, int(last))
        return states
    finally:
        connection.close()


def log_messages(database: Path, project_id: int, after: int = 0) -> list[str]:
    """The project's log lines past id `after`, as stored."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        rows = connection.execute(
            "SELECT level, message FROM logs WHERE project_id = ? AND id > ? ORDER BY id", (project_id, after)
        )
        return [f"[{level}] {message}" for level, message in rows]
    finally:
        connection.close()
