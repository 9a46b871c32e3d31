"""Where a coding project lives inside the user's sandbox (paths relative to /home/agent)."""

from __future__ import annotations

SANDBOX_HOME = "/home/agent"


def workspace_dir(slug: str) -> str:
    """The project's workspace: Claude Code works here; .nanobot/ holds the manager's own files."""
    return f"projects/{slug}"


def rules_file(agent_id: int) -> str:
    """The agent's global rules, shared by all its projects."""
    return f".autocode/agents/{agent_id}/RULES.md"


def claude_session_name(project_id: int) -> str:
    """The tmux session running the project's Claude Code (also what /ws/project/{id}/terminal shows)."""
    return f"project-{project_id}"
