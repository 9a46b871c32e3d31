"""Claude Code's files in the sandbox's home, shared by every kind that runs it (coding in tmux, research in
print mode): seeding them so it starts without dialogs and keeps transcripts, and where a transcript lives.

Facts measured on Claude Code 2.1.330 (see /work/shared/notes/claude-code.md): a fresh home blocks on the
onboarding and trust dialogs unless `~/.claude.json` says they were done; transcripts older than
`cleanupPeriodDays` (default 30) are deleted whenever it starts, and a later `--resume` of one fails.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from autocode_runner.contract.specs import ModelAccess

# Keep transcripts for a century: a research is resumed after months away. 0 would stop them being written.
CLEANUP_PERIOD_DAYS = 36500


class ClaudeError(Exception):
    """Claude Code, or its files, did not do what the runner needed; the message says what in plain words."""


def read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8") or "{}")
    except ValueError as error:
        raise ClaudeError(f"{path} is not valid JSON ({error}); fix or remove it, it is left untouched") from None
    if not isinstance(value, dict):
        raise ClaudeError(f"{path} does not hold a JSON object; it is left untouched")
    return value


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Replace atomically, keeping the file private: ~/.claude.json may hold the user's credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(value, file, indent=2)
            file.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def settings_path(home: Path) -> Path:
    return home / ".claude" / "settings.json"


def seed_claude_home(home: Path, trusted_dir: Path) -> dict[str, Any]:
    """Make `claude` start straight away in `trusted_dir` and keep its transcripts; returns the settings
    written, for a caller that adds its own (the coding agent's hooks) and writes them again.

    Merges into what is there (keys the user set stay; invalid JSON raises rather than being overwritten):
    `~/.claude.json` gets `hasCompletedOnboarding` and the trust of `trusted_dir` (which covers its
    subdirectories); `~/.claude/settings.json` gets `skipDangerousModePermissionPrompt` and a very large
    `cleanupPeriodDays` (a smaller value the user set is raised: a lost transcript loses a conversation).
    Idempotent.
    """
    state_path = home / ".claude.json"
    state = read_json(state_path)
    state["hasCompletedOnboarding"] = True
    projects = state.setdefault("projects", {})
    projects.setdefault(str(trusted_dir), {})["hasTrustDialogAccepted"] = True
    write_json(state_path, state)

    settings = read_json(settings_path(home))
    settings["skipDangerousModePermissionPrompt"] = True
    current = settings.get("cleanupPeriodDays")
    if not isinstance(current, int) or current < CLEANUP_PERIOD_DAYS:
        settings["cleanupPeriodDays"] = CLEANUP_PERIOD_DAYS
    write_json(settings_path(home), settings)
    return settings


def transcript_path(home: Path, workdir: Path, session_id: str) -> Path:
    """Where Claude Code keeps a session's transcript: the cwd with every non-alphanumeric turned into '-'."""
    return home / ".claude" / "projects" / re.sub(r"[^A-Za-z0-9]", "-", str(workdir)) / f"{session_id}.jsonl"


def access_env(access: ModelAccess, max_retries: int | None) -> dict[str, str]:
    """The environment that points Claude Code at the user's key: a bearer token (ANTHROPIC_API_KEY would ask to
    be approved), the key's endpoint when it has one, and how often a failed request is retried (Claude Code's
    own default when None). The image's ENV already keeps it off the vendor's other services."""
    env = {"ANTHROPIC_AUTH_TOKEN": access.api_key}
    if access.base_url:
        env["ANTHROPIC_BASE_URL"] = access.base_url.rstrip("/")
    if max_retries is not None:
        env["CLAUDE_CODE_MAX_RETRIES"] = str(max_retries)
    return env
