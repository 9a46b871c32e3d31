"""bcrypt password hashing, with a dummy hash so unknown usernames cost as much as wrong passwords."""

from __future__ import annotations

from functools import cache

import bcrypt

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything past 72 bytes; refuse rather than silently truncate


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    encoded = password.encode()
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(encoded, password_hash.encode())


@cache
def dummy_hash(rounds: int) -> str:
    """A hash of a random password at the configured cost, checked when the username is unknown."""
    return hash_password("unknown-user-" + bcrypt.gensalt().decode(), rounds)
