"""Review mode: the cards due now, and an answer to one of them.

An answer is a chat turn: the message carries the card as context (contract.learning.ReviewPrompt under
"review"), the tutor grades it with `grade_answer`, and its report reschedules the card (LearningKind). A rating
given by the student instead reschedules the card at once. Another user's card, or a card of another course,
is not found.
"""

from __future__ import annotations

from datetime import datetime

from autocode_runner.contract.convert import to_dict
from autocode_runner.contract.learning import CardKind, Rating, ReviewPrompt
from sqlmodel import Session, col, func, select

from controlplane.chat import service as chat_service
from controlplane.chat.hub import ChatHub
from controlplane.db import in_worker
from controlplane.errors import NotFound
from controlplane.learning import scheduling
from controlplane.learning import service as courses
from controlplane.models import ReviewCard
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.schemas.learning import ReviewAnswer, ReviewCardPublic, ReviewOutcome, ReviewQueue
from controlplane.security.secretbox import SecretBox

CARD = "Card"
MAX_QUEUE = 100
REVIEW_CONTEXT = "review"  # the key of the ReviewPrompt in a message's context


def public(card: ReviewCard) -> ReviewCardPublic:
    return ReviewCardPublic.model_validate(card, from_attributes=True)


def queue(session: Session, user_id: int, course_id: int, now: datetime) -> ReviewQueue:
    """The cards due at `now`, the longest overdue first, and how many there are in all."""
    courses.course_and_subject(session, user_id, course_id)  # the owner check
    mine = (col(ReviewCard.user_id) == user_id) & (col(ReviewCard.course_id) == course_id)
    due_query = select(ReviewCard).where(mine, col(ReviewCard.due) <= now).order_by(col(ReviewCard.due))
    due = list(session.exec(due_query.limit(MAX_QUEUE)).all())
    count_due = session.exec(select(func.count()).where(mine, col(ReviewCard.due) <= now)).one()
    total = session.exec(select(func.count()).where(mine)).one()
    later = select(func.min(ReviewCard.due)).where(mine, col(ReviewCard.due) > now)
    return ReviewQueue(
        cards=[public(card) for card in due], due=count_due, total=total, next_due=session.exec(later).one()
    )


def card_of(session: Session, user_id: int, course_id: int, card_id: int) -> ReviewCard:
    courses.course_and_subject(session, user_id, course_id)  # the owner check
    card = session.get(ReviewCard, card_id)
    if card is None or card.user_id != user_id or card.course_id != course_id:
        raise NotFound(CARD)
    return card


def rate(session: Session, user_id: int, course_id: int, card_id: int, rating: Rating, now: datetime) -> ReviewCard:
    """The student's own rating: FSRS reschedules the card from `now`."""
    card = card_of(session, user_id, course_id, card_id)
    scheduling.review(card, rating, now)
    session.add(card)
    session.commit()
    session.refresh(card)
    return card


def prompt_message(card: ReviewCard, answer: str) -> chat_service.Outgoing:
    """The chat turn of an answer: the student's words, and the card for the tutor to grade them against."""
    prompt = ReviewPrompt(card_id=card.id or 0, kind=CardKind(card.kind), front=card.front, back=card.back)
    return chat_service.Outgoing(text=answer, context={REVIEW_CONTEXT: to_dict(prompt)})


async def answer(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    course_id: int,
    card_id: int,
    body: ReviewAnswer,
    now: datetime,
) -> ReviewOutcome:
    """`rating`: rescheduled now. `answer`: a chat turn the tutor grades (its grade reschedules the card)."""
    if body.rating is not None:
        rating = body.rating
        card = await in_worker(session, lambda s: rate(s, user.id, course_id, card_id, rating, now))
        return ReviewOutcome(card=public(card), turn=None)
    card = await in_worker(session, lambda s: card_of(s, user.id, course_id, card_id))
    turn = await courses.say(session, box, supervisor, hub, user, course_id, prompt_message(card, body.answer or ""))
    return ReviewOutcome(card=public(card), turn=turn)
