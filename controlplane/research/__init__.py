"""The research agent on the control-plane side: one chat over one Claude Code session per research."""
