"""The frontend's copy of the terminal protocol (TypeScript) must match the server's."""

from __future__ import annotations

import json
import re

from controlplane.config import PROJECT_ROOT
from controlplane.realtime import protocol

FRONTEND_COPY = PROJECT_ROOT / "frontend" / "src" / "terminal" / "protocol.ts"


def _object_literal(source: str, name: str) -> dict:
    """Read `export const NAME = {...} as const;` as JSON (keys quoted, trailing commas dropped)."""
    match = re.search(rf"export const {name} = (\{{.*?\n\}}) as const;", source, re.DOTALL)
    assert match, f"{name} is missing from {FRONTEND_COPY}"
    text = re.sub(r"(\w+):", r'"\1":', match.group(1))
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    return json.loads(text)


def test_message_types_match() -> None:
    source = FRONTEND_COPY.read_text()
    assert _object_literal(source, "TERMINAL_CLIENT_MESSAGES") == protocol.TERMINAL_CLIENT_MESSAGES
    assert _object_literal(source, "TERMINAL_SERVER_MESSAGES") == protocol.TERMINAL_SERVER_MESSAGES


def test_close_codes_match() -> None:
    codes = _object_literal(FRONTEND_COPY.read_text(), "CLOSE_CODES")
    server = {
        "normal": protocol.CLOSE_NORMAL,
        "unauthorized": protocol.CLOSE_UNAUTHORIZED,
        "forbidden": protocol.CLOSE_FORBIDDEN,
        "notFound": protocol.CLOSE_NOT_FOUND,
        "tooSlow": protocol.CLOSE_TOO_SLOW,
        "unavailable": protocol.CLOSE_UNAVAILABLE,
    }
    assert codes == server
