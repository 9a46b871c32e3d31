"""Single-use, short-lived tickets that let a browser open a WebSocket.

Browsers cannot put an Authorization header on a WebSocket, and a long-lived token in a URL would end
up in logs and history; so an authenticated POST /api/ws-ticket hands out a random ticket valid for
30 seconds and good for one connection. Tickets live in memory: a restart simply voids them.
"""

from __future__ import annotations

import secrets
import threading
import time

TICKET_TTL_SECONDS = 30


class TicketStore:
    def __init__(self, ttl_seconds: float = TICKET_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._tickets: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: int) -> str:
        ticket = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            self._purge(now)
            self._tickets[ticket] = (user_id, now + self.ttl_seconds)
        return ticket

    def redeem(self, ticket: str | None) -> int | None:
        """The user id the ticket was issued to, once; None when unknown, used or expired."""
        if not ticket:
            return None
        with self._lock:
            entry = self._tickets.pop(ticket, None)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def _purge(self, now: float) -> None:
        for ticket in [t for t, (_, expires) in self._tickets.items() if expires < now]:
            del self._tickets[ticket]
