"""Per-user sandbox containers: the backend contract, its Docker implementation, the runner channel."""
