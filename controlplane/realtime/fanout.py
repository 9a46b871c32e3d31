"""Bounded fan-out from any thread to WebSocket subscribers on the event loop.

Each subscriber has its own queue of at most `limit` items. A subscriber that falls that far behind is
marked overflowed and dropped (its socket is closed with CLOSE_TOO_SLOW) instead of letting the server's
memory grow; the log stream can resume with after=<last id> and lose nothing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_QUEUE_LIMIT = 1000


class Overflowed(Exception):
    """The subscriber was too slow and has been dropped."""


class Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=limit)
        self.overflowed = False

    def _offer(self, item: Any) -> None:  # runs on the subscriber's loop
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self._queue.empty():  # free the memory now; the subscriber is going away
                self._queue.get_nowait()
            self._queue.put_nowait(Overflowed)

    def _offer_all(self, items: list[Any]) -> None:
        for item in items:
            self._offer(item)

    def offer_all(self, items: list[Any]) -> None:
        """Thread-safe; one wake-up of the subscriber's loop for the lot (a batch of log lines to 20 viewers would
        otherwise be 20 wake-ups a line)."""
        self._loop.call_soon_threadsafe(self._offer_all, items)

    async def get(self) -> Any:
        item = await self._queue.get()
        if item is Overflowed:
            raise Overflowed()
        return item


Accepts = Callable[[Any], bool]


def _everything(_item: Any) -> bool:
    return True


class FanOut:
    """Subscribers registered under keys (a project id, a user id), each registration with a filter."""

    def __init__(self, limit: int = DEFAULT_QUEUE_LIMIT) -> None:
        self.limit = limit
        self._subscribers: dict[Hashable, dict[Subscriber, Accepts]] = {}
        self._lock = threading.Lock()

    def subscribe(
        self, key: Hashable, accepts: Accepts = _everything, subscriber: Subscriber | None = None
    ) -> Subscriber:
        """Register a new subscriber, or add another key to an existing one (one queue, several sources)."""
        subscriber = subscriber or Subscriber(asyncio.get_running_loop(), self.limit)
        with self._lock:
            self._subscribers.setdefault(key, {})[subscriber] = accepts
        return subscriber

    def unsubscribe(self, key: Hashable, subscriber: Subscriber) -> None:
        with self._lock:
            group = self._subscribers.get(key, {})
            group.pop(subscriber, None)
            if not group:
                self._subscribers.pop(key, None)

    def publish(self, key: Hashable, item: Any) -> None:
        self.publish_many(key, [item])

    def publish_many(self, key: Hashable, items: list[Any]) -> None:
        """Publish items in order, each subscriber getting its accepted ones in one hand-over."""
        with self._lock:
            registrations = list(self._subscribers.get(key, {}).items())
        for subscriber, accepts in registrations:
            accepted = [item for item in items if accepts(item)]
            if accepted:
                subscriber.offer_all(accepted)

    def count(self, key: Hashable) -> int:
        with self._lock:
            return len(self._subscribers.get(key, ()))
