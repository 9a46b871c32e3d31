"""Live streams to the browser: WebSocket tickets, the terminal relay, log and event fan-out."""
