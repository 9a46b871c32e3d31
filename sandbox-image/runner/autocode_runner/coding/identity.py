"""The manager's identity: global RULES + the project's CLAUDE.md + goal + architecture + plan (issue 6).

Rebuilt whenever one of them changes, so the manager always reasons from the current plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from autocode_runner.contract.plan import PlanStep


def compose_identity(
    agent_identity: str,
    rules: str,
    claude_md: str,
    goal: str,
    architecture: str,
    details: str,
    steps: Sequence[PlanStep],
    advice: Sequence[str] = (),
) -> str:
    parts = [agent_identity.strip() or "You are a senior engineer who manages Claude Code to deliver a project."]
    if rules.strip():
        parts.append("## Global rules (apply to every project)\n" + rules.strip())
    if claude_md.strip():
        parts.append("## Project configuration (.claude/CLAUDE.md)\n" + claude_md.strip())
    parts.append("## Goal\n" + goal.strip())
    if architecture.strip():
        parts.append("## Requested architecture\n" + architecture.strip())
    if details.strip():
        parts.append("## Details\n" + details.strip())
    if steps:
        lines = [f"{i + 1}. [{s.status}] {s.title}" for i, s in enumerate(steps)]
        parts.append("## Implementation plan\n" + "\n".join(lines))
    if advice:
        parts.append("## Options Claude Code suggested (asked in a side conversation)\n" + "\n\n".join(advice))
    return "\n\n".join(parts) + "\n"
