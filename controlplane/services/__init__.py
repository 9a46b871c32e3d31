"""Domain operations used by the HTTP routes and the CLI alike."""
