"""The rolling summary: which messages a request carries, and which to fold into the summary once the course
grows. Pure functions, so the policy is tested without a model."""

from __future__ import annotations

from typing import Any

SUMMARISER = """\
You keep the running summary of a tutoring course so that the tutor can continue it months later. Merge the
earlier summary and the new part of the conversation into one summary: what was taught, what the student
practised, how they did, mistakes they made and their corrections, what they asked for, and where the lessons
stand. Keep concrete examples and words the student learned. Write it as compact notes, at most about 600 words.
Answer with the summary only."""


def size(messages: list[dict[str, Any]]) -> int:
    return sum(len(str(message.get("text", ""))) for message in messages)


def fold_until(history: list[dict[str, Any]], covers: int, fold_above: int, keep_recent: int) -> int | None:
    """The new number of messages the summary should cover, or None when the recent part is small enough.

    Folds whole messages from the oldest recent one until at most `keep_recent` characters remain, always keeping
    the last exchange, and never leaves the recent part starting with the tutor's reply (its question would be
    gone)."""
    covers = min(max(covers, 0), len(history))
    if size(history[covers:]) <= fold_above:
        return None
    keep_from = max(covers, len(history) - 2)
    end, remaining = covers, size(history[covers:])
    while end < keep_from and remaining > keep_recent:
        remaining -= len(str(history[end].get("text", "")))
        end += 1
    while end < len(history) and history[end].get("role") == "assistant":
        end += 1
    return end if end > covers else None


def fold_request(summary: str, messages: list[dict[str, Any]]) -> str:
    """The summariser's message: the summary so far and the messages to fold into it."""
    lines = [f"{'Student' if m.get('role') == 'user' else 'Tutor'}: {m.get('text', '')}" for m in messages]
    earlier = summary.strip() or "(none yet: this is the course's first summary)"
    return f"Earlier summary:\n{earlier}\n\nNew part of the conversation:\n" + "\n\n".join(lines)
