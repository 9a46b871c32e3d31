"""Small readers for Meta's JSON: its times and counts come in more than one shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from controlplane.models.base import utcnow


def parse_time(value: object) -> datetime | None:
    """Meta's `2024-05-01T10:00:00+0000`, an ISO time with `Z`, or Unix seconds (as a number or a string)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC) if value > 0 else None
    if not isinstance(value, str) or not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_or_now(value: object) -> datetime:
    """A time Meta should always send; a missing one is shown as now rather than failing the whole list."""
    return parse_time(value) or utcnow()


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def summary_count(value: Any) -> int | None:
    """`reactions.summary(total_count)` and friends: `{"data": [...], "summary": {"total_count": n}}`."""
    if isinstance(value, dict):
        summary = value.get("summary")
        if isinstance(summary, dict):
            return as_int(summary.get("total_count"))
        return as_int(value.get("count"))  # shares: {"count": n}
    return None


def text(value: object) -> str:
    return value if isinstance(value, str) else ""
