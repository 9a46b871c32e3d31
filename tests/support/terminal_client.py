"""A test's side of a terminal WebSocket (the PWA's protocol: JSON text frames in, the terminal's bytes out)."""

from __future__ import annotations

import json
import time

from websockets.sync.client import ClientConnection

DEADLINE = 30.0


def send(ws: ClientConnection, **message: object) -> None:
    ws.send(json.dumps(message))


def type_line(ws: ClientConnection, line: str) -> None:
    send(ws, type="input", data=line + "\r")


def read_until(ws: ClientConnection, needle: str, deadline: float = DEADLINE) -> str:
    """Collect terminal output until `needle` appears (or fail at the deadline)."""
    seen = ""
    end = time.monotonic() + deadline
    while needle not in seen:
        remaining = end - time.monotonic()
        assert remaining > 0, f"{needle!r} did not appear; last output: {seen[-500:]!r}"
        try:
            frame = ws.recv(timeout=remaining)
        except TimeoutError:
            continue
        if isinstance(frame, bytes):
            seen += frame.decode(errors="replace")
    return seen
