"""The learning agent's review cards: what the tutor asked the student to remember, scheduled by FSRS.

A card belongs to a course (deleted with it) and to its user (every query filters by the owner). `uid` is the
tutor's own id for it, so a report that arrives twice makes one card; `fsrs` is the scheduler's card as JSON
(fsrs.Card.to_dict), and `due` is copied out of it so that "what is due now" is one indexed query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autocode_runner.contract.learning import MAX_CARD_SIDE_CHARS, CardKind
from autocode_runner.contract.vocab import values
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from controlplane.models.base import UTCDateTime, created_at_field, json_field, one_of, owner_field

MAX_CARD_UID_CHARS = 64


class ReviewCard(SQLModel, table=True):
    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("course_id", "uid", name="uq_review_cards_course_uid"),
        one_of("kind", values(CardKind), "ck_review_cards_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owner_field("users")
    course_id: int = owner_field("learning_courses")
    uid: str = Field(max_length=MAX_CARD_UID_CHARS)
    kind: str = Field(max_length=16)
    front: str = Field(max_length=MAX_CARD_SIDE_CHARS, sa_type=Text)
    back: str = Field(max_length=MAX_CARD_SIDE_CHARS, sa_type=Text)
    fsrs: dict[str, Any] = json_field(dict)
    due: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    last_rating: int | None = None  # contract.learning.Rating of the latest review; null before the first
    reviews: int = 0
    created_at: datetime = created_at_field()
