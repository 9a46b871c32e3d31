"""A whole research as one Markdown file: its name, then every message in order with who said it and when."""

from __future__ import annotations

from controlplane.models import ResearchSession
from controlplane.models.chat import ChatMessage, ChatRole, ChatStatus

SPEAKERS = {ChatRole.USER: "You", ChatRole.ASSISTANT: "Research agent", ChatRole.NOTICE: "Note"}


def _heading(row: ChatMessage) -> str:
    when = row.created_at.strftime("%Y-%m-%d %H:%M UTC")
    extra = {ChatStatus.FAILED: " (not answered)", ChatStatus.INTERRUPTED: " (stopped)"}.get(ChatStatus(row.status), "")
    return f"## {SPEAKERS[ChatRole(row.role)]}, {when}{extra}"


def research_markdown(research: ResearchSession, messages: list[ChatMessage]) -> str:
    parts = [f"# {research.name}"]
    for row in messages:
        section = [_heading(row), "", row.content.strip() or "*(nothing)*"]
        for attachment in row.attachments:
            section.append(f"\n*Attached:* `{attachment.get('path', attachment.get('name', ''))}`")
        for tool in row.tools:
            section.append(f"\n> {tool.get('name', '')}: {tool.get('summary', '')} ({tool.get('status', '')})")
        if row.error:
            section.append(f"\n> Error: {row.error}")
        parts.append("\n".join(section))
    return "\n\n".join(parts) + "\n"
