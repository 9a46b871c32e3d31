"""Single-use, short-lived tickets that let a browser open a WebSocket.

Browsers cannot put an Authorization header on a WebSocket, and a long-lived token in a URL would end
up in logs and history; so an authenticated POST /api/ws-ticket hands out a random ticket valid for
30 seconds and good for one connection. Tickets live in memory: a restart simply voids them.

A ticket names the user and the sign-in (the access token's `sid`) it was issued to, so a ticket issued
before signing out, a password reset or a password change opens nothing after it (api/ws.py checks the
sign-in when the ticket is redeemed). It is not bound to a route: each route checks its resource's owner.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TICKET_TTL_SECONDS = 30


@dataclass(frozen=True)
class TicketHolder:
    user_id: int
    session_id: str  # the sign-in the ticket was issued under


class TicketStore:
    def __init__(self, ttl_seconds: float = TICKET_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock  # seconds, monotonic; tests move it
        self._tickets: dict[str, tuple[TicketHolder, float]] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: int, session_id: str) -> str:
        ticket = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            self._purge(now)
            self._tickets[ticket] = (TicketHolder(user_id, session_id), now + self.ttl_seconds)
        return ticket

    def redeem(self, ticket: str | None) -> TicketHolder | None:
        """Who the ticket was issued to, once; None when unknown, used or expired."""
        if not ticket:
            return None
        with self._lock:
            entry = self._tickets.pop(ticket, None)
        if entry is None or entry[1] < self.clock():
            return None
        return entry[0]

    def _purge(self, now: float) -> None:
        for ticket in [t for t, (_, expires) in self._tickets.items() if expires < now]:
            del self._tickets[ticket]
