"""Per-user events for the dashboard: sandbox state changes, project and agent status, escalations.

Admins may also subscribe to every user's sandbox events.
"""

from __future__ import annotations

from typing import Any

from controlplane.realtime.fanout import FanOut, Subscriber

ALL_SANDBOXES = "all-sandboxes"


class EventHub:
    def __init__(self, queue_limit: int = 1000) -> None:
        self.fanout = FanOut(queue_limit)

    def publish(self, user_id: int, event: dict[str, Any]) -> None:
        """Thread-safe. Sandbox events also go to admins watching every sandbox."""
        self.fanout.publish(user_id, event)
        if str(event.get("type", "")).startswith("sandbox."):
            self.fanout.publish(ALL_SANDBOXES, event)

    def subscribe(self, user_id: int, *, all_sandboxes: bool = False) -> Subscriber:
        """One queue: the user's own events, plus (for admins who ask) other users' sandbox events."""
        subscriber = self.fanout.subscribe(user_id)
        if all_sandboxes:
            self.fanout.subscribe(ALL_SANDBOXES, lambda event: event.get("user_id") != user_id, subscriber)
        return subscriber

    def unsubscribe(self, user_id: int, subscriber: Subscriber) -> None:
        self.fanout.unsubscribe(user_id, subscriber)
        self.fanout.unsubscribe(ALL_SANDBOXES, subscriber)
