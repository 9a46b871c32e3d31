"""The research kind: a chat over one Claude Code session per research, run in print mode (stream-json) in the
research's own workspace (`claude_print`), its output mapped to chat events (`mapping`), served by the shared
chat glue (autocode_runner.chat) from the process entry `instance`."""
