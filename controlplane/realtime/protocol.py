"""Close codes and message types of the /ws endpoints (documented in docs/websockets.md).

The frontend keeps a copy of the terminal's message types in frontend/src/terminal/protocol.ts and of the close
codes in frontend/src/realtime/closeCodes.ts; a test checks that they agree.
"""

from __future__ import annotations

from enum import StrEnum

CLOSE_NORMAL = 1000
CLOSE_UNAUTHORIZED = 4401  # missing, expired, reused or unknown ticket
CLOSE_FORBIDDEN = 4403  # signed in, but not allowed (e.g. a non-admin asking for everybody's events)
CLOSE_NOT_FOUND = 4404  # no such resource for this user (another user's resource looks the same)
CLOSE_TOO_SLOW = 4408  # the subscriber fell too far behind; reconnect (logs: with after=<last id>)
CLOSE_UNAVAILABLE = 4503  # the sandbox could not be started or reached


class TerminalClientMessage(StrEnum):
    """Terminal: the browser sends text frames holding JSON objects of these types ..."""

    INPUT = "input"
    RESIZE = "resize"
    PING = "ping"


class TerminalServerMessage(StrEnum):
    """... and receives raw terminal output as binary frames, plus text frames of these types."""

    PONG = "pong"
    ERROR = "error"
    EXIT = "exit"


# Each message type with its fields, as the browser's copy lists them.
TERMINAL_CLIENT_MESSAGES = {
    TerminalClientMessage.INPUT: {"data": "str"},
    TerminalClientMessage.RESIZE: {"cols": "int", "rows": "int"},
    TerminalClientMessage.PING: {},
}
TERMINAL_SERVER_MESSAGES = {
    TerminalServerMessage.PONG: {},
    TerminalServerMessage.ERROR: {"message": "str"},
    TerminalServerMessage.EXIT: {"reason": "str"},
}
