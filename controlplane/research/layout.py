"""Where a research lives inside the user's sandbox (paths relative to /home/agent), and its Claude Code files."""

from __future__ import annotations

import re

from controlplane.projects.layout import SANDBOX_HOME

RESEARCH_DIR = "research"
ATTACHMENTS_DIR = "attachments"  # inside the workspace: files the user sent with a message


def workspace_dir(slug: str) -> str:
    """The research's workspace: Claude Code's working directory, where its reports are written."""
    return f"{RESEARCH_DIR}/{slug}"


def workspace_path(slug: str) -> str:
    return f"{SANDBOX_HOME}/{workspace_dir(slug)}"


def transcripts_dir(slug: str) -> str:
    """Claude Code's transcripts of every session run in the workspace (~/.claude/projects/<cwd, each
    non-alphanumeric character a dash>): one directory per workspace, so removing it removes only this
    research's sessions."""
    return f".claude/projects/{re.sub(r'[^A-Za-z0-9]', '-', workspace_path(slug))}"
