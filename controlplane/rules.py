"""Account field rules, each said in one sentence: the API's 422 (through SaidAs), the PWA's hints before
typing (the sentence travels as `x-rule` in OpenAPI into frontend/src/api/limits.ts) and the CLI all say it
the same way."""

from __future__ import annotations

from controlplane.security.passwords import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH
from controlplane.services.userdirs import USERNAME_PATTERN


def length_rule(min_length: int, max_length: int | None) -> str:
    """A length limit in words: "Use 1 to 80 characters."."""
    if max_length is None:
        return f"Use at least {min_length:,} characters."
    if min_length <= 0:
        return f"Use at most {max_length:,} characters."
    if min_length == max_length:
        return f"Use exactly {max_length:,} characters."
    return f"Use {min_length:,} to {max_length:,} characters."


# USERNAME_PATTERN in words.
USERNAME_RULE = "Use 2 to 32 characters: a lowercase letter first, then lowercase letters, digits, _ or -."
PASSWORD_RULE = length_rule(MIN_PASSWORD_LENGTH, MAX_PASSWORD_BYTES)
# bcrypt's limit is in bytes: a password within the length can still be too long in UTF-8.
PASSWORD_BYTES_RULE = "This password is too long: accented letters and emoji count as 2 to 4 characters each."  # noqa: S105
DISPLAY_NAME_MAX = 80
DISPLAY_NAME_RULE = f"Use at most {DISPLAY_NAME_MAX} characters, on one line."


def username_problem(username: str) -> str | None:
    return None if USERNAME_PATTERN.fullmatch(username) else USERNAME_RULE


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_RULE
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return PASSWORD_BYTES_RULE if len(password) <= MAX_PASSWORD_BYTES else PASSWORD_RULE
    return None


def display_name_problem(display_name: str) -> str | None:
    """For an already trimmed name; "" is allowed (no name: the username is shown)."""
    if len(display_name) > DISPLAY_NAME_MAX or any(not char.isprintable() for char in display_name):
        return DISPLAY_NAME_RULE
    return None
