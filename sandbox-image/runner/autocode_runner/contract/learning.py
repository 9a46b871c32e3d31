"""The learning kind's own words, shared by the tutor (runner) and the control plane: review cards, ratings,
levels, the student's notes, and the facts a course instance reports as `state`.

A course instance is a chat instance (contract.chat); besides its chat events it writes `state` lines of one
`CourseReport` each, as its tools act: a card the tutor created, a grade it gave to a review answer, the
course's new level, the notes it rewrote. The control plane stores cards and schedules them with FSRS;
the files (`student_notes.md`, `chat_history.json`) stay in the course's directory in the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

NOTES_FILE = "student_notes.md"
HISTORY_FILE = "chat_history.json"
TUTOR_DIR = ".tutor"  # the tutor's own state in the course directory (the rolling summary); not the student's
PROTECTED_FILES = (NOTES_FILE, HISTORY_FILE)  # the file tools never write these: each has its own way

# The notes a new course starts with: the specification's sections, for the tutor to fill in.
NOTES_TEMPLATE = """\
# Student notes

Level: (not assessed yet)
Strengths:
Weaknesses:
Last lesson:
Covered:
Recurring mistakes:
"""

MAX_NOTES_CHARS = 20_000  # the notes go into every request: the tutor keeps them short
MAX_CARD_SIDE_CHARS = 500
MAX_LEVEL_CHARS = 40


class CardKind(StrEnum):
    """What a review card asks."""

    WORD = "word"  # a word or phrase and its meaning
    MISTAKE = "mistake"  # something the student got wrong, and its correction
    CONCEPT = "concept"  # a question about an idea


class Rating(IntEnum):
    """How well a review answer went: FSRS's four ratings."""

    AGAIN = 1  # wrong, or not remembered
    HARD = 2  # right, with real effort or a small slip
    GOOD = 3  # right
    EASY = 4  # right at once, effortlessly


class LevelScale(StrEnum):
    """A course's level: CEFR for a language, or a short free text for any other subject."""

    CEFR = "cefr"
    FREE = "free"


CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
_FREE_LEVEL = re.compile(rf"[^\r\n\t]{{1,{MAX_LEVEL_CHARS}}}")


def level_problem(scale: LevelScale, level: str) -> str | None:
    """Why `level` cannot be a level on `scale`, in plain words; None when it can."""
    if scale == LevelScale.CEFR:
        return None if level in CEFR_LEVELS else f"A language level is one of {', '.join(CEFR_LEVELS)}."
    if not _FREE_LEVEL.fullmatch(level) or not level.strip():
        return f"A level is one line of at most {MAX_LEVEL_CHARS} characters."
    return None


@dataclass(frozen=True)
class NewCard:
    """A card the tutor created. `uid` is the tutor's own id for it, so a report that arrives twice makes one
    card."""

    uid: str
    kind: CardKind
    front: str  # what the student is asked
    back: str  # the expected answer, or the correction


@dataclass(frozen=True)
class CardGrade:
    """The tutor's grade of the student's answer to card `card_id` (the control plane's id)."""

    card_id: int
    rating: Rating
    feedback: str = ""


@dataclass(frozen=True)
class ReviewPrompt:
    """A review card the student is answering in a turn: the tutor sees it with the answer, and grades it."""

    card_id: int
    kind: CardKind
    front: str
    back: str


@dataclass(frozen=True)
class CourseReport:
    """One `state` line of a course instance: what a tool did, as it happened. `turn` is the message it
    happened in."""

    turn: int = 0
    card: NewCard | None = None
    grade: CardGrade | None = None
    level: str | None = None
    notes_changed: bool = False
