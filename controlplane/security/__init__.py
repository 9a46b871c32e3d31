"""Password hashing, tokens and encryption of secrets at rest."""
