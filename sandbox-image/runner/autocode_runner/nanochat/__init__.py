"""A chat with a nanobot, for every chat kind that runs on nanobot (the tutor now; custom agents next): the kind
supplies each turn's transcript (system prompt, earlier messages, the new message) and its tools; this package
streams the reply into the chat glue's events (autocode_runner.chat)."""
