"""FSRS for review cards: a new card is due at once; a review reschedules it from the moment it was rated.

"Now" is always the control plane's clock (`app.state.clock`, a callable returning an aware UTC datetime),
passed in, so a test can move time and watch cards come due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from autocode_runner.contract.learning import Rating
from fsrs import Card, Scheduler
from fsrs import Rating as FsrsRating

from controlplane.models.learning import ReviewCard

Clock = Callable[[], datetime]
_SCHEDULER = Scheduler()  # FSRS's default parameters, and its fuzzing (cards learnt together spread out)


def new_schedule(now: datetime) -> tuple[dict[str, Any], datetime]:
    """A new card's FSRS state and its due moment (now: the student meets it at the next review)."""
    card = Card(due=now.astimezone(UTC))
    return dict(card.to_dict()), card.due


def review(card: ReviewCard, rating: Rating, now: datetime) -> None:
    """Rate the card at `now`: its FSRS state, due moment, last rating and review count change."""
    state = Card.from_dict(card.fsrs) if card.fsrs else Card(due=card.due)  # type: ignore[arg-type]
    reviewed, _ = _SCHEDULER.review_card(state, FsrsRating(int(rating)), review_datetime=now.astimezone(UTC))
    card.fsrs = dict(reviewed.to_dict())
    card.due = reviewed.due
    card.last_rating = int(rating)
    card.reviews += 1
