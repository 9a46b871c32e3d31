"""The frontend's copies of the socket protocol (TypeScript) must match the server's: the terminal's message
types in frontend/src/terminal/protocol.ts, the close codes every socket uses in frontend/src/realtime/closeCodes.ts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from controlplane.config import PROJECT_ROOT
from controlplane.realtime import protocol

FRONTEND_SRC = PROJECT_ROOT / "frontend" / "src"
MESSAGE_TYPES_COPY = FRONTEND_SRC / "terminal" / "protocol.ts"
CLOSE_CODES_COPY = FRONTEND_SRC / "realtime" / "closeCodes.ts"


def _object_literal(path: Path, name: str) -> dict:
    """Read `export const NAME = {...} as const;` from `path` as JSON (keys quoted, trailing commas dropped)."""
    match = re.search(rf"export const {name} = (\{{.*?\n\}}) as const;", path.read_text(), re.DOTALL)
    assert match, f"{name} is missing from {path}"
    text = re.sub(r"(\w+):", r'"\1":', match.group(1))
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    return json.loads(text)


def test_message_types_match() -> None:
    assert _object_literal(MESSAGE_TYPES_COPY, "TERMINAL_CLIENT_MESSAGES") == protocol.TERMINAL_CLIENT_MESSAGES
    assert _object_literal(MESSAGE_TYPES_COPY, "TERMINAL_SERVER_MESSAGES") == protocol.TERMINAL_SERVER_MESSAGES


def test_close_codes_match() -> None:
    codes = _object_literal(CLOSE_CODES_COPY, "CLOSE_CODES")
    server = {
        "normal": protocol.CLOSE_NORMAL,
        "unauthorized": protocol.CLOSE_UNAUTHORIZED,
        "forbidden": protocol.CLOSE_FORBIDDEN,
        "notFound": protocol.CLOSE_NOT_FOUND,
        "tooSlow": protocol.CLOSE_TOO_SLOW,
        "unavailable": protocol.CLOSE_UNAVAILABLE,
    }
    assert codes == server
