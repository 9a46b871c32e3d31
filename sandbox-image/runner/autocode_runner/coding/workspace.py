"""The project's workspace on disk: its directories and git, and evidence for evaluations (CLAUDE.md: context.py)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

EVIDENCE_LIMIT = 6000


def prepare(workspace: Path) -> None:
    """Create the workspace, .claude/ and .nanobot/, and its git repository."""
    (workspace / ".claude").mkdir(parents=True, exist_ok=True)
    (workspace / ".nanobot").mkdir(parents=True, exist_ok=True)
    ignore = workspace / ".gitignore"
    if ".nanobot/" not in read_text(ignore).splitlines():
        # The manager's sessions and history are not the project's code: keep them out of its commits.
        with ignore.open("a", encoding="utf-8") as file:
            file.write(".nanobot/\n")
    if not (workspace / ".git").exists():
        _git(workspace, "init", "-q")
        # Claude Code commits after steps; git refuses to without an identity.
        _git(workspace, "config", "user.name", "AutoCode agent")
        _git(workspace, "config", "user.email", "agent@autocode.invalid")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return ""


def _git(workspace: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-c", "safe.directory=*", *args],  # noqa: S607 - git from the image's PATH
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"(git {' '.join(args)} failed: {error})"
    return (result.stdout + result.stderr).strip()


def _files(workspace: Path, limit: int = 200) -> list[str]:
    skip = {".git", ".nanobot", "node_modules", "__pycache__", ".venv"}
    found: list[str] = []
    for path in sorted(workspace.rglob("*")):
        parts = path.relative_to(workspace).parts
        if any(part in skip for part in parts):
            continue
        if path.is_file():
            found.append("/".join(parts))
            if len(found) >= limit:
                break
    return found


async def evidence(workspace: Path) -> str:
    """What changed in the workspace, for the manager's evaluation: git status, diff stat and file list."""

    def collect() -> str:
        status = _git(workspace, "status", "--short")
        diff = _git(workspace, "diff", "--stat")
        files = "\n".join(_files(workspace))
        text = f"git status --short:\n{status or '(clean)'}\n\ngit diff --stat:\n{diff or '(none)'}\n\nfiles:\n{files}"
        return text[:EVIDENCE_LIMIT]

    return await asyncio.to_thread(collect)
