"""Custom agents: each one's chats, answered by a nanobot built from the agent (docs/custom-agents.md)."""
