"""The coding agent's Claude Code side: seeding its home, driving it in tmux, reading its screen."""
