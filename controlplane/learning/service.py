"""Subjects and courses for the routes: CRUD, views with due counts, the course chat, and deletion (instances
stopped, directories removed through the runner, then rows).

Blocking functions take the request's database session; the async ones run their database work in worker
threads with it, and reach the sandbox through the supervisor (the instance) and its manager (files).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from autocode_runner.contract.learning import LevelScale, level_problem
from sqlmodel import Session, col, func, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.hub import ChatHub
from controlplane.db import in_worker
from controlplane.errors import Conflict, InvalidField
from controlplane.learning.kind import chat_target, conversation, course_key
from controlplane.learning.layout import course_dir, course_path, subject_dir
from controlplane.learning.spec import tutor_key
from controlplane.models import Agent, LearningCourse, LearningSubject, ReviewCard
from controlplane.models.base import utcnow
from controlplane.runtime import instance_rows
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.safe_files import remove_folder
from controlplane.schemas.learning import (
    CourseCreate,
    CourseDetail,
    CourseDue,
    CourseMessageBody,
    CoursePublic,
    CourseUpdate,
    LearningDue,
    SubjectCreate,
    SubjectPublic,
    SubjectUpdate,
)
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned
from controlplane.services.slugs import unique_slug

SUBJECT = "Subject"
COURSE = "Course"


# -- due counts -------------------------------------------------------------------------------------------
def due_counts(
    session: Session, user_id: int, now: datetime, course_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Cards due at `now` per course of the user (courses with none are absent)."""
    query = (
        select(ReviewCard.course_id, func.count())
        .where(ReviewCard.user_id == user_id, col(ReviewCard.due) <= now)
        .group_by(col(ReviewCard.course_id))
    )
    if course_ids is not None:
        query = query.where(col(ReviewCard.course_id).in_(list(course_ids)))
    return {course_id: count for course_id, count in session.exec(query).all()}


# -- views ------------------------------------------------------------------------------------------------
def course_view(session: Session, course: LearningCourse, subject: LearningSubject, due: int) -> CoursePublic:
    course_id = course.id or 0
    pending = store.pending_turn(session, conversation(course.user_id, course_id))
    running = instance_rows.running_id(session, course.user_id, course_key(course_id)) is not None
    fields = set(CoursePublic.model_fields) - {"subject", "agent_id", "answering", "running", "due", "directory"}
    return CoursePublic(
        **course.model_dump(include=fields),
        subject=subject.name,
        agent_id=subject.agent_id,
        answering=pending is not None,
        running=running,
        due=due,
        directory=course_path(subject.slug, course.slug),
    )


def _courses_of(session: Session, user_id: int, subject_id: int) -> list[LearningCourse]:
    query = select(LearningCourse).where(LearningCourse.user_id == user_id, LearningCourse.subject_id == subject_id)
    return list(session.exec(query.order_by(col(LearningCourse.id))).all())


def subject_view(session: Session, subject: LearningSubject, now: datetime) -> SubjectPublic:
    courses = _courses_of(session, subject.user_id, subject.id or 0)
    due = due_counts(session, subject.user_id, now, [course.id or 0 for course in courses])
    views = [course_view(session, course, subject, due.get(course.id or 0, 0)) for course in courses]
    return SubjectPublic(
        id=subject.id or 0,
        agent_id=subject.agent_id,
        name=subject.name,
        slug=subject.slug,
        due=sum(view.due for view in views),
        courses=views,
        created_at=subject.created_at,
    )


def course_and_subject(session: Session, user_id: int, course_id: int) -> tuple[LearningCourse, LearningSubject]:
    course = owned(session, LearningCourse, course_id, user_id, COURSE)
    return course, owned(session, LearningSubject, course.subject_id, user_id, COURSE)


def course_public(session: Session, user_id: int, course_id: int, now: datetime) -> CoursePublic:
    course, subject = course_and_subject(session, user_id, course_id)
    return course_view(session, course, subject, due_counts(session, user_id, now, [course_id]).get(course_id, 0))


def detail(session: Session, user_id: int, course_id: int, now: datetime) -> CourseDetail:
    session.expire_all()  # the supervisor and the hub write through their own sessions
    view = course_public(session, user_id, course_id, now)
    rows = store.messages(session, conversation(user_id, course_id))
    return CourseDetail(**view.model_dump(), messages=[store.public(row) for row in rows])


def learning_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != "learning":
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only learning agents have subjects")
    return agent


def subjects_of_agent(session: Session, user_id: int, agent_id: int, now: datetime) -> list[SubjectPublic]:
    learning_agent(session, user_id, agent_id)
    query = select(LearningSubject).where(LearningSubject.user_id == user_id, LearningSubject.agent_id == agent_id)
    return [subject_view(session, row, now) for row in session.exec(query.order_by(col(LearningSubject.id))).all()]


def courses_of_subject(session: Session, user_id: int, subject_id: int, now: datetime) -> list[CoursePublic]:
    subject = owned(session, LearningSubject, subject_id, user_id, SUBJECT)
    return subject_view(session, subject, now).courses


def due_overview(session: Session, user_id: int, now: datetime) -> LearningDue:
    """How many cards are due, per course, for the dashboard."""
    due = due_counts(session, user_id, now)
    courses: list[CourseDue] = []
    for course_id, count in sorted(due.items()):
        course, subject = course_and_subject(session, user_id, course_id)
        courses.append(
            CourseDue(
                course_id=course_id,
                course=course.name,
                subject_id=subject.id or 0,
                subject=subject.name,
                agent_id=subject.agent_id,
                due=count,
            )
        )
    return LearningDue(total=sum(due.values()), courses=courses)


# -- CRUD -------------------------------------------------------------------------------------------------
def create_subject(session: Session, user_id: int, agent_id: int, body: SubjectCreate, now: datetime) -> SubjectPublic:
    learning_agent(session, user_id, agent_id)
    slug = unique_slug(session, LearningSubject, body.name, user_id=user_id)
    subject = LearningSubject(user_id=user_id, agent_id=agent_id, name=body.name, slug=slug)
    session.add(subject)
    session.commit()
    session.refresh(subject)
    return subject_view(session, subject, now)


def rename_subject(
    session: Session, user_id: int, subject_id: int, body: SubjectUpdate, now: datetime
) -> SubjectPublic:
    subject = owned(session, LearningSubject, subject_id, user_id, SUBJECT)
    subject.name = body.name
    session.add(subject)
    session.commit()
    session.refresh(subject)
    return subject_view(session, subject, now)


def create_course(session: Session, user_id: int, subject_id: int, body: CourseCreate, now: datetime) -> CoursePublic:
    subject = owned(session, LearningSubject, subject_id, user_id, SUBJECT)
    slug = unique_slug(session, LearningCourse, body.name, subject_id=subject_id)
    course = LearningCourse(
        user_id=user_id,
        subject_id=subject_id,
        name=body.name,
        slug=slug,
        instructions=body.instructions,
        level_scale=body.level_scale.value,
    )
    session.add(course)
    session.commit()
    session.refresh(course)
    return course_view(session, course, subject, 0)


def update_course(session: Session, user_id: int, course_id: int, body: CourseUpdate, now: datetime) -> CoursePublic:
    course, _ = course_and_subject(session, user_id, course_id)
    changes = body.model_dump(exclude_unset=True)
    scale = LevelScale(changes.get("level_scale", course.level_scale))
    level = changes.get("level", course.level)
    if level:
        problem = level_problem(scale, level)
        if problem is not None:
            if "level" in changes:
                raise InvalidField("level", problem, level)
            level = ""  # the scale changed and the old level says nothing on the new one
    for field in ("name", "instructions"):
        if field in changes:
            setattr(course, field, changes[field])
    course.level_scale, course.level = scale.value, level
    course.updated_at = utcnow()
    session.add(course)
    session.commit()
    return course_public(session, user_id, course_id, now)


# -- deletion ---------------------------------------------------------------------------------------------
async def _stop_tutors(supervisor: InstanceSupervisor, user: SandboxUser, course_ids: list[int]) -> None:
    for course_id in course_ids:
        await supervisor.discard(user, course_key(course_id))


def _delete_rows(
    session: Session, model: type[LearningSubject] | type[LearningCourse], user_id: int, item_id: int
) -> None:
    session.delete(owned(session, model, item_id, user_id, SUBJECT if model is LearningSubject else COURSE))
    session.commit()  # its courses, cards and chats by cascade and trigger


async def delete_course(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, course_id: int
) -> None:
    """Stop its tutor, remove its directory inside the sandbox, then its rows (cards and chat with them)."""
    course, subject = await in_worker(session, lambda s: course_and_subject(s, user.id, course_id))
    if supervisor is not None:
        await _stop_tutors(supervisor, user, [course_id])
        await remove_folder(supervisor.manager, user, course_dir(subject.slug, course.slug), "the course's files")
    await in_worker(session, lambda s: _delete_rows(s, LearningCourse, user.id, course_id))
    hub.forget(conversation(user.id, course_id))


async def delete_subject(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, subject_id: int
) -> None:
    """Stop its courses' tutors, remove its directory, then its rows."""
    subject = await in_worker(session, lambda s: owned(s, LearningSubject, subject_id, user.id, SUBJECT))
    courses = await in_worker(session, lambda s: [c.id or 0 for c in _courses_of(s, user.id, subject_id)])
    if supervisor is not None:
        await _stop_tutors(supervisor, user, courses)
        await remove_folder(supervisor.manager, user, subject_dir(subject.slug), "the subject's files")
    await in_worker(session, lambda s: _delete_rows(s, LearningSubject, user.id, subject_id))
    for course_id in courses:
        hub.forget(conversation(user.id, course_id))


# -- the chat ---------------------------------------------------------------------------------------------
def ready_to_talk(session: Session, box: SecretBox, user_id: int, course_id: int) -> LearningCourse:
    """The course may take a message: its agent is there, with a key for its model's provider."""
    course, subject = course_and_subject(session, user_id, course_id)
    agent = session.get(Agent, subject.agent_id)
    if agent is None:
        raise Conflict("The course's agent is gone")
    tutor_key(session, box, user_id, agent)
    return course


async def say(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    course_id: int,
    outgoing: chat_service.Outgoing | None,
    *,
    retry_of: int | None = None,
) -> int:
    """Store a message (or a failed one again) and deliver it to the course's tutor; the stored message's id."""
    turn = await chat_service.send_message(
        session,
        supervisor,
        hub,
        user,
        chat_target(user.id, course_id),
        ready=lambda s: ready_to_talk(s, box, user.id, course_id),
        retry_of=retry_of,
        compose=None if outgoing is None else chat_service.fixed(outgoing),
    )
    await in_worker(session, lambda s: _touch(s, user.id, course_id))
    return turn


def _touch(session: Session, user_id: int, course_id: int) -> None:
    course = owned(session, LearningCourse, course_id, user_id, COURSE)
    course.last_activity_at = utcnow()
    session.add(course)
    session.commit()


async def send_message(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    course_id: int,
    body: CourseMessageBody,
    now: datetime,
) -> CourseDetail:
    """Store the message (pending), then deliver it; the reply streams on /ws/course/{id}/chat."""
    chat_service.check_words_only(body.text, body.retry_of)
    outgoing = None if body.retry_of is not None else chat_service.Outgoing(text=body.text)
    await say(session, box, supervisor, hub, user, course_id, outgoing, retry_of=body.retry_of)
    return await in_worker(session, lambda s: detail(s, user.id, course_id, now))


async def interrupt(
    session: Session,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    course_id: int,
    now: datetime,
) -> CourseDetail:
    """Stop the reply being written; what it said so far is kept."""
    await in_worker(session, lambda s: course_and_subject(s, user.id, course_id))
    await chat_service.interrupt(session, supervisor, hub, user, chat_target(user.id, course_id))
    return await in_worker(session, lambda s: detail(s, user.id, course_id, now))
