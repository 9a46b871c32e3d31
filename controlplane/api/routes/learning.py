"""The learning agent: subjects under their agent, courses under their subject, a course's chat, the student's
notes, review mode, and the due counts for the dashboard. The work is in controlplane.learning; the live chat is
the WebSocket /ws/course/{id}/chat (controlplane.api.ws). "Now" is the application's clock (app.state.clock)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SecretBoxDep, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.api.routes.research import chat_hub
from controlplane.learning import notes, review, service
from controlplane.schemas.learning import (
    CourseCreate,
    CourseDetail,
    CourseMessageBody,
    CoursePublic,
    CourseUpdate,
    LearningDue,
    NotesBody,
    NotesPublic,
    ReviewAnswer,
    ReviewCardPublic,
    ReviewOutcome,
    ReviewQueue,
    SubjectCreate,
    SubjectPublic,
    SubjectUpdate,
)

router = APIRouter(tags=["learning"])
# What the route cannot say by itself; its other errors follow from its dependencies (api/documented_errors.py).
REFUSED: Responses = {
    409: {"description": "Not possible now (a reply in flight, no key for the model, a link where the notes are...)"},
}


def clock_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()  # set by main.create_app; tests put their own clock there
    return now


NowDep = Annotated[datetime, Depends(clock_now)]


# -- subjects ---------------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/subjects", response_model=list[SubjectPublic], responses=REFUSED)
def list_subjects(agent_id: Id, session: SessionDep, user: CurrentUser, now: NowDep) -> list[SubjectPublic]:
    """The learning agent's subjects, each with its courses and how many cards are due."""
    return service.subjects_of_agent(session, user.id or 0, agent_id, now)


@router.post(
    "/agents/{agent_id}/subjects", response_model=SubjectPublic, status_code=status.HTTP_201_CREATED, responses=REFUSED
)
def create_subject(
    agent_id: Id, body: SubjectCreate, session: SessionDep, user: CurrentUser, now: NowDep
) -> SubjectPublic:
    """A new subject ("Angličtina"): a folder for its courses."""
    return service.create_subject(session, user.id or 0, agent_id, body, now)


@router.patch("/subjects/{subject_id}", response_model=SubjectPublic, responses=REFUSED)
def update_subject(
    subject_id: Id, body: SubjectUpdate, session: SessionDep, user: CurrentUser, now: NowDep
) -> SubjectPublic:
    """Rename it."""
    return service.rename_subject(session, user.id or 0, subject_id, body, now)


@router.delete("/subjects/{subject_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_subject(
    subject_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Stop its courses' tutors, remove its folder, then its courses, cards and chats."""
    await service.delete_subject(session, supervisor, chat_hub(request), me, subject_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- courses ----------------------------------------------------------------------------------------------
@router.get("/subjects/{subject_id}/courses", response_model=list[CoursePublic])
def list_courses(subject_id: Id, session: SessionDep, user: CurrentUser, now: NowDep) -> list[CoursePublic]:
    """The subject's courses."""
    return service.courses_of_subject(session, user.id or 0, subject_id, now)


@router.post(
    "/subjects/{subject_id}/courses",
    response_model=CoursePublic,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED,
)
def create_course(
    subject_id: Id, body: CourseCreate, session: SessionDep, user: CurrentUser, now: NowDep
) -> CoursePublic:
    """A new course ("Konverzace") with its own instructions; its first message starts its tutor."""
    return service.create_course(session, user.id or 0, subject_id, body, now)


@router.get("/courses/{course_id}", response_model=CourseDetail)
def get_course(course_id: Id, session: SessionDep, user: CurrentUser, now: NowDep) -> CourseDetail:
    """The course with its whole chat."""
    return service.detail(session, user.id or 0, course_id, now)


@router.patch("/courses/{course_id}", response_model=CoursePublic, responses=REFUSED)
def update_course(
    course_id: Id, body: CourseUpdate, session: SessionDep, user: CurrentUser, now: NowDep
) -> CoursePublic:
    """Change its name, instructions, level or level scale (the tutor sees them from its next start)."""
    return service.update_course(session, user.id or 0, course_id, body, now)


@router.delete("/courses/{course_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_course(
    course_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Stop its tutor, remove its folder, then its cards and chat."""
    await service.delete_course(session, supervisor, chat_hub(request), me, course_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- the chat ---------------------------------------------------------------------------------------------
@router.post("/courses/{course_id}/message", response_model=CourseDetail, responses=REFUSED)
async def send_message(
    course_id: Id,
    body: CourseMessageBody,
    request: Request,
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
    now: NowDep,
) -> CourseDetail:
    """Send a message, or a failed one again (`retry_of`). The message is stored first; the reply streams on
    /ws/course/{id}/chat. A delivery that fails leaves it failed, with a retry."""
    return await service.send_message(session, box, supervisor, chat_hub(request), me, course_id, body, now)


@router.post("/courses/{course_id}/interrupt", response_model=CourseDetail, responses=REFUSED)
async def interrupt_course(
    course_id: Id,
    request: Request,
    session: SessionDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
    now: NowDep,
) -> CourseDetail:
    """Stop the reply being written; what it said so far is kept."""
    return await service.interrupt(session, supervisor, chat_hub(request), me, course_id, now)


# -- the notes --------------------------------------------------------------------------------------------
@router.get("/courses/{course_id}/notes", response_model=NotesPublic, responses=REFUSED)
async def get_notes(
    course_id: Id, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> NotesPublic:
    """student_notes.md as Markdown (the empty template until the tutor or you write them)."""
    return await notes.get(session, supervisor, me, course_id)


@router.put("/courses/{course_id}/notes", response_model=NotesPublic, responses=REFUSED)
async def put_notes(
    course_id: Id, body: NotesBody, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> NotesPublic:
    """Replace the notes: your edit wins, and the tutor reads it on its next turn."""
    return await notes.put(session, supervisor, me, course_id, body.content)


# -- review -----------------------------------------------------------------------------------------------
@router.get("/courses/{course_id}/review", response_model=ReviewQueue)
def review_queue(course_id: Id, session: SessionDep, user: CurrentUser, now: NowDep) -> ReviewQueue:
    """The cards due now (and how many the course has in all)."""
    return review.queue(session, user.id or 0, course_id, now)


@router.get("/courses/{course_id}/review/{card_id}", response_model=ReviewCardPublic)
def get_card(course_id: Id, card_id: Id, session: SessionDep, user: CurrentUser) -> ReviewCardPublic:
    """One card as it is now (after the tutor graded it: its last rating and when it comes back)."""
    return review.public(review.card_of(session, user.id or 0, course_id, card_id))


@router.post("/courses/{course_id}/review/{card_id}", response_model=ReviewOutcome, responses=REFUSED)
async def answer_card(
    course_id: Id,
    card_id: Id,
    body: ReviewAnswer,
    request: Request,
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
    now: NowDep,
) -> ReviewOutcome:
    """`answer`: the tutor grades it in the chat, and its grade reschedules the card; `rating`: your own rating,
    and the card is rescheduled now."""
    return await review.answer(session, box, supervisor, chat_hub(request), me, course_id, card_id, body, now)


# -- the dashboard ----------------------------------------------------------------------------------------
@router.get("/learning/due", response_model=LearningDue)
def due_cards(session: SessionDep, user: CurrentUser, now: NowDep) -> LearningDue:
    """How many review cards are due now, per course."""
    return service.due_overview(session, user.id or 0, now)
