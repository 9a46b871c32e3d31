"""The glue every chat-shaped kind shares (research now; learning and custom agents next): a loop that takes
`message` commands one turn at a time, `interrupt` and `stop`, and exits when idle (`loop`), around a backend
that writes the replies (`backend`)."""
