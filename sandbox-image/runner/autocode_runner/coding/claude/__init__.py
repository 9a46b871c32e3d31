"""Claude Code's side: seeding its home, driving it in tmux (`driver`), reading its screen (`screen`)."""
