"""The learning kind's handler for the runtime: courses are its targets, their chat its output, and the tutor's
tools report cards, grades and levels as `state` lines (contract.learning.CourseReport).

A course's tutor runs from its first message until it has been idle for a while and ends by itself; a tutor
that dies mid-reply is started again and given the message again, so a message is never lost (as research).
Every method touches only the given user's rows: a runner can speak only for its own user, and a grade names
a card of this very course or nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from autocode_runner.contract.convert import ContractError, from_dict
from autocode_runner.contract.learning import (
    MAX_CARD_SIDE_CHARS,
    CardGrade,
    CourseReport,
    LevelScale,
    NewCard,
    level_problem,
)
from autocode_runner.contract.specs import LEARNING_IDLE_SECONDS
from autocode_runner.contract.wire import InstanceKey, InstanceKind
from sqlmodel import Session, select

from controlplane.chat import service as chat_service
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.chat.kind import ChatKind
from controlplane.chat.service import ChatTarget
from controlplane.errors import NotFound
from controlplane.learning import scheduling
from controlplane.learning.layout import history_path, notes_path
from controlplane.learning.scheduling import Clock
from controlplane.learning.spec import course_spec, tutor_key
from controlplane.models import Agent, LearningCourse, LearningSubject, ReviewCard
from controlplane.models.base import utcnow
from controlplane.models.learning import MAX_CARD_UID_CHARS
from controlplane.runtime.kinds import Launch, LiveEvent
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned_or_none

log = logging.getLogger(__name__)
SESSION_TYPE = "learning"  # chat_messages.session_type of a course's messages
NOUN = "course"
COURSE_CHANGED = "course.changed"  # the live event a report causes: the PWA refreshes the course's notes, level, due


def conversation(user_id: int, course_id: int) -> Conversation:
    return LearningKind.conversation(user_id, course_id)


def course_key(course_id: int) -> InstanceKey:
    return (InstanceKind.LEARNING, course_id)


def chat_target(user_id: int, course_id: int) -> ChatTarget:
    return ChatTarget(key=course_key(course_id), conversation=conversation(user_id, course_id), noun=NOUN)


def _card(session: Session, user_id: int, course_id: int, new: NewCard, clock: Clock) -> bool:
    """The tutor's new card, once: a report that arrives again (same uid) changes nothing."""
    if not new.uid or len(new.uid) > MAX_CARD_UID_CHARS or not new.front.strip():
        log.warning("course %s reported a card without a usable uid or front: %r", course_id, new.uid[:80])
        return False
    taken = session.exec(
        select(ReviewCard.id).where(ReviewCard.course_id == course_id, ReviewCard.uid == new.uid)
    ).first()
    if taken is not None:
        return False
    state, due = scheduling.new_schedule(clock())
    session.add(
        ReviewCard(
            user_id=user_id,
            course_id=course_id,
            uid=new.uid,
            kind=new.kind.value,
            front=new.front[:MAX_CARD_SIDE_CHARS],
            back=new.back[:MAX_CARD_SIDE_CHARS],
            fsrs=state,
            due=due,
        )
    )
    return True


def _grade(session: Session, user_id: int, course_id: int, grade: CardGrade, clock: Clock) -> bool:
    """FSRS reviews the card with the tutor's rating, when it is a card of this course."""
    card = session.get(ReviewCard, grade.card_id)
    if card is None or card.user_id != user_id or card.course_id != course_id:
        log.warning("course %s graded card %s, which is not one of its cards", course_id, grade.card_id)
        return False
    scheduling.review(card, grade.rating, clock())
    session.add(card)
    return True


def _level(course: LearningCourse, level: str) -> bool:
    level = level.strip()
    if level_problem(LevelScale(course.level_scale), level) is not None:
        log.warning("course %s reported a level that does not fit its scale: %r", course.id, level[:80])
        return False
    course.level = level
    return True


@dataclass
class LearningKind(ChatKind[LearningCourse]):
    table: ClassVar[type[LearningCourse]] = LearningCourse
    session_type: ClassVar[str] = SESSION_TYPE
    box: SecretBox
    chat_hub: ChatHub
    clock: Clock = utcnow
    idle_seconds: float = LEARNING_IDLE_SECONDS
    kind: InstanceKind = InstanceKind.LEARNING
    noun: str = NOUN

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        course = self.row(session, user_id, target_id)
        subject = owned_or_none(session, LearningSubject, course.subject_id, user_id) if course else None
        agent = session.get(Agent, subject.agent_id) if subject is not None else None
        if course is None or subject is None or agent is None:
            raise NotFound("Course")
        key = tutor_key(session, self.box, user_id, agent)
        history = self.history_before_pending(session, user_id, target_id)
        spec = course_spec(course, subject, agent, key, history, self.idle_seconds)
        return Launch(agent_id=agent.id or 0, spec=spec)

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        course = self.row(session, user_id, target_id)
        subject = owned_or_none(session, LearningSubject, course.subject_id, user_id) if course else None
        if course is None or subject is None:
            raise NotFound("Course")
        self.mark_running(course)
        course.student_notes_path = notes_path(subject.slug, course.slug)
        course.chat_history_path = history_path(subject.slug, course.slug)
        course.updated_at = utcnow()
        session.add(course)
        return f"{'Resumed' if resumed else 'Started'} the tutor of the course '{course.name}' (pid {pid})"

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        """One CourseReport: a new card, a grade, a level, or the notes rewritten (the PWA rereads them)."""
        course = self.row(session, user_id, target_id)
        if course is None:
            return []
        try:
            report = from_dict(CourseReport, {k: v for k, v in data.items() if k not in chat_service.STAMPED})
        except ContractError as exc:
            log.warning("course %s sent a report that does not fit: %s", target_id, exc)
            return []
        changed: list[str] = []
        if report.card is not None and _card(session, user_id, target_id, report.card, self.clock):
            changed.append("card")
        if report.grade is not None and _grade(session, user_id, target_id, report.grade, self.clock):
            changed.append("grade")
        if report.level is not None and _level(course, report.level):
            changed.append("level")
        if report.notes_changed:
            changed.append("notes")
        course.last_activity_at = utcnow()
        session.add(course)
        session.commit()
        if not changed:
            return []
        return [{"type": COURSE_CHANGED, "course_id": target_id, "subject_id": course.subject_id, "changed": changed}]
