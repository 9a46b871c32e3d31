"""Request and response bodies of the learning agent: subjects, courses with their chat, the student's notes,
review cards and the due counts. Cards' kinds, ratings, levels and the notes' limit are the contract's
(autocode_runner.contract.learning), so the tutor, the control plane and the PWA say the same."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from autocode_runner.contract.learning import MAX_LEVEL_CHARS, MAX_NOTES_CHARS, CardKind, LevelScale, Rating
from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from controlplane.api.ids import BodyId
from controlplane.rules import length_rule
from controlplane.schemas.chat import ChatMessagePublic
from controlplane.schemas.common import STRICT_BODY, SaidAs
from controlplane.schemas.research import MESSAGE_MAX

NAME_MAX = 120
INSTRUCTIONS_MAX = 20_000
ANSWER_MAX = 2_000
LearningName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    SaidAs(length_rule(1, NAME_MAX)),
]
Instructions = Annotated[
    str,
    StringConstraints(max_length=INSTRUCTIONS_MAX),
    SaidAs(f"Use at most {INSTRUCTIONS_MAX} characters."),
]
Level = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_LEVEL_CHARS),
    SaidAs(f"Use at most {MAX_LEVEL_CHARS} characters."),
]


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("Leave the field out instead of sending null.")
    return value


# -- subjects and courses ---------------------------------------------------------------------------------
class SubjectCreate(BaseModel):
    model_config = STRICT_BODY

    name: LearningName


class SubjectUpdate(BaseModel):
    """Rename it (its folder keeps its name: it is the subject's, not the name's)."""

    model_config = STRICT_BODY

    name: LearningName


class CourseCreate(BaseModel):
    model_config = STRICT_BODY

    name: LearningName
    instructions: Instructions = ""
    level_scale: LevelScale = Field(
        default=LevelScale.FREE, description="cefr: A1 to C2, for a language; free: a short text, for anything else"
    )


class CourseUpdate(BaseModel):
    """Change the name, the instructions, the level or its scale; a level must fit the (new) scale, and "" says
    not assessed yet."""

    model_config = STRICT_BODY

    name: LearningName | None = None
    instructions: Instructions | None = None
    level_scale: LevelScale | None = None
    level: Level | None = None

    _no_nulls = field_validator("name", "instructions", "level_scale", "level", mode="before")(_not_null)


class CoursePublic(BaseModel):
    id: int
    subject_id: int
    subject: str = Field(description="The subject's name")
    agent_id: int = Field(description="The learning agent the subject belongs to")
    name: str
    slug: str
    instructions: str
    level_scale: LevelScale
    level: str = Field(description="The tutor's (or your) assessment; empty until there is one")
    answering: bool = Field(description="A reply is being written (Stop interrupts it)")
    running: bool = Field(description="The tutor's process runs now (it ends by itself when idle)")
    due: int = Field(description="Review cards due now")
    directory: str = Field(description="The course's folder in the sandbox: notes, history, the tutor's files")
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CourseDetail(CoursePublic):
    messages: list[ChatMessagePublic] = Field(
        description="The whole chat, oldest first; open the stream with after = the largest seq here"
    )


class SubjectPublic(BaseModel):
    id: int
    agent_id: int
    name: str
    slug: str
    due: int = Field(description="Review cards due now in all its courses")
    courses: list[CoursePublic]
    created_at: datetime


# -- the chat ---------------------------------------------------------------------------------------------
class CourseMessageBody(BaseModel):
    """A new message, or (with `retry_of` and nothing else) a failed message sent again."""

    model_config = STRICT_BODY

    text: Annotated[str, StringConstraints(max_length=MESSAGE_MAX)] = ""
    retry_of: BodyId | None = Field(default=None, description="The id of a failed message of yours to send again")


# -- the notes --------------------------------------------------------------------------------------------
class NotesBody(BaseModel):
    model_config = STRICT_BODY

    content: Annotated[
        str,
        StringConstraints(max_length=MAX_NOTES_CHARS),
        SaidAs(f"Keep the notes under {MAX_NOTES_CHARS} characters."),
    ]


class NotesPublic(BaseModel):
    content: str = Field(description="student_notes.md, Markdown")
    saved: bool = Field(description="False while the course has no notes yet: content is the empty template")


# -- review -----------------------------------------------------------------------------------------------
class ReviewCardPublic(BaseModel):
    id: int
    course_id: int
    kind: CardKind
    front: str = Field(description="What the student is asked")
    back: str = Field(description="The expected answer, or the correction: show it after the answer")
    due: datetime
    reviews: int
    last_rating: Rating | None
    created_at: datetime


class ReviewQueue(BaseModel):
    cards: list[ReviewCardPublic] = Field(description="The cards due now, the longest overdue first")
    due: int = Field(description="How many cards are due now")
    total: int = Field(description="How many cards the course has")
    next_due: datetime | None = Field(
        default=None, description="When the next card not yet due comes due (none when every card is due or none exist)"
    )


class ReviewAnswer(BaseModel):
    """`answer`: the tutor grades it in the chat (a turn, its reply streams); or `rating`: rated by the student,
    the card rescheduled now. One of the two."""

    model_config = STRICT_BODY

    answer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=ANSWER_MAX)] | None = None
    rating: Rating | None = Field(default=None, description="1 Again, 2 Hard, 3 Good, 4 Easy")

    @model_validator(mode="after")
    def _one_of_the_two(self) -> ReviewAnswer:
        if (self.answer is None) == (self.rating is None):
            raise ValueError("Send an answer for the tutor to grade, or a rating of your own, not both.")
        if self.answer is not None and not self.answer:
            raise ValueError("Write an answer.")
        return self


class ReviewOutcome(BaseModel):
    card: ReviewCardPublic = Field(description="The card; rescheduled already after a rating")
    turn: int | None = Field(description="After an answer: the chat message the tutor is grading (its id)")


# -- the dashboard ----------------------------------------------------------------------------------------
class CourseDue(BaseModel):
    course_id: int
    course: str
    subject_id: int
    subject: str
    agent_id: int
    due: int


class LearningDue(BaseModel):
    total: int = Field(description="Review cards due now in all your courses")
    courses: list[CourseDue] = Field(description="The courses with cards due now")
