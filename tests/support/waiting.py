"""The one way tests wait: poll a condition until it holds, failing at a deadline with what was awaited."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

DEADLINE = 15.0


def wait_until(
    condition: Callable[[], Any],
    timeout: float = DEADLINE,
    what: str = "condition",
    interval: float = 0.02,
    detail: Callable[[], str] | None = None,
) -> Any:
    """Poll until `condition()` is truthy and return it; AssertionError naming `what` (and `detail()`, the state
    worth seeing in the failure) at the deadline. Slow probes (a docker exec) pass a longer `interval`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            message = f"timed out after {timeout}s waiting for {what}"
            raise AssertionError(f"{message}\n{detail()}" if detail else message)
        time.sleep(interval)
