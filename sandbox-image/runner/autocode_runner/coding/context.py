"""The project's context that stays true while it runs: its goal, architecture and details, and the agent's global
rules, in the workspace's CLAUDE.md (Claude Code's context) and the manager's identity.

The control plane writes an edited description, architecture or details to CONTEXT_FILE in the workspace; before
each step the loop reads it, rewrites AutoCode's block in .claude/CLAUDE.md (the user's own text around it is
kept) and rebuilds the manager's identity. The block is AutoCode's: an edit inside it is replaced by the next
refresh, so the project's fields and the agent's rules are where those are changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

CONTEXT_FILE = ".nanobot/project.json"  # relative to the workspace; .nanobot/ is kept out of the project's git
CLAUDE_MD = ".claude/CLAUDE.md"
BLOCK_BEGIN = "<!-- autocode:project — kept current by AutoCode: edit the project's description and architecture, "
BLOCK_BEGIN += "or the agent's global rules, instead of this part -->"
BLOCK_END = "<!-- /autocode:project -->"
BEGIN_MARK = "<!-- autocode:project"
NO_ARCHITECTURE = "No architecture was requested: choose a simple, conventional one."
DEFAULT_TAIL = """\
# Project instructions

- Work in this directory. Keep changes small and focused on the current task.
- Run the tests you add. Say plainly when something does not work.
"""


@dataclass(frozen=True)
class ProjectContext:
    goal: str
    architecture: str = ""
    details: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ProjectContext | None:
        """None for anything but an object with a text goal (a half-written or foreign file)."""
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("goal"), str):
            return None
        architecture, details = raw.get("architecture"), raw.get("details")
        return cls(
            goal=raw["goal"],
            architecture=architecture if isinstance(architecture, str) else "",
            details=details if isinstance(details, str) else "",
        )


def project_block(context: ProjectContext, rules: str) -> str:
    """AutoCode's part of CLAUDE.md: what Claude Code must know of the project in every session."""
    parts = [BLOCK_BEGIN, "## Goal\n" + context.goal.strip()]
    parts.append("## Architecture\n" + (context.architecture.strip() or NO_ARCHITECTURE))
    if context.details.strip():
        parts.append("## Details\n" + context.details.strip())
    if rules.strip():
        parts.append("## Global rules (apply to every project)\n" + rules.strip())
    parts.append(BLOCK_END)
    return "\n\n".join(parts)


def _split(text: str) -> tuple[str, str] | None:
    """(before, after) AutoCode's block, or None when the text has none (or only half of one)."""
    start = text.find(BEGIN_MARK)
    end = text.find(BLOCK_END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[:start], text[end + len(BLOCK_END) :]


def users_part(text: str) -> str:
    """CLAUDE.md without AutoCode's block: what the user wrote."""
    parts = _split(text)
    return text if parts is None else (parts[0].rstrip() + "\n\n" + parts[1].lstrip()).strip()


def with_block(text: str, block: str) -> str:
    """CLAUDE.md with AutoCode's block replaced, or put first when it has none (a new file gets the defaults)."""
    parts = _split(text)
    if parts is not None:
        return parts[0] + block + parts[1]
    rest = text.strip() or DEFAULT_TAIL.strip()
    return f"{block}\n\n{rest}\n"


def read_context(workspace: Path) -> ProjectContext | None:
    try:
        return ProjectContext.from_json((workspace / CONTEXT_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def write_context(workspace: Path, context: ProjectContext) -> None:
    path = workspace / CONTEXT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(context.to_json(), encoding="utf-8")


def sync_claude_md(workspace: Path, context: ProjectContext, rules: str) -> bool:
    """Bring AutoCode's block in CLAUDE.md up to date; True when the file changed."""
    path = workspace / CLAUDE_MD
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    except (OSError, UnicodeDecodeError):
        return False  # not a text file the user keeps: leave it alone
    updated = with_block(current, project_block(context, rules))
    if updated == current:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated, encoding="utf-8")
    return True
