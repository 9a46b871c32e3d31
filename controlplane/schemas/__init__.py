"""Request and response bodies of the HTTP API (the tables never leave the server directly)."""
