"""The tutor's own tools: the notes, review cards, grades and the level. Each acts on the course and reports what
it did as a `state` line (contract.learning.CourseReport), which the control plane stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from autocode_runner.contract.learning import (
    MAX_CARD_SIDE_CHARS,
    MAX_NOTES_CHARS,
    CardGrade,
    CardKind,
    CourseReport,
    LevelScale,
    NewCard,
    Rating,
    ReviewPrompt,
    level_problem,
)
from autocode_runner.learning.course_files import CourseFiles
from autocode_runner.nanochat.tools import ChatTool
from autocode_runner.textfiles import LinkRefused

Report = Callable[[CourseReport], None]


class TurnState:
    """What the tools need to know about the turn in progress."""

    def __init__(self, level: str) -> None:
        self.turn = 0
        self.review: ReviewPrompt | None = None
        self.notes_seen = ""  # the notes as the model was shown them: a different file means the student edited
        self.level = level


class TutorTools:
    def __init__(self, files: CourseFiles, scale: LevelScale, state: TurnState, report: Report) -> None:
        self.files = files
        self.scale = scale
        self.state = state
        self._report = report

    def report(self, **fields: Any) -> None:
        self._report(CourseReport(turn=self.state.turn, **fields))

    async def update_student_notes(self, content: str = "", **_: Any) -> str:
        if not content.strip():
            return "Error: the notes cannot be empty; send the whole notes, changed."
        if len(content) > MAX_NOTES_CHARS:
            return f"Error: the notes are {len(content)} characters; keep them under {MAX_NOTES_CHARS}."
        try:
            current = self.files.read_notes()
        except LinkRefused as error:
            return f"Error: {error}."
        if current != self.state.notes_seen:
            self.state.notes_seen = current
            return (
                "Error: the student changed the notes since this turn began, and their edit wins. Here they are now;"
                f" apply your change to these and call update_student_notes again:\n\n{current}"
            )
        try:
            self.files.write_notes(content)
        except LinkRefused as error:
            return f"Error: {error}."
        self.state.notes_seen = content
        self.report(notes_changed=True)
        return "Saved the student's notes."

    async def add_review_card(self, kind: str = "", front: str = "", back: str = "", **_: Any) -> str:
        if kind not in {member.value for member in CardKind}:
            return f"Error: kind is one of {', '.join(member.value for member in CardKind)}."
        if not front.strip() or not back.strip():
            return "Error: a card needs both a front (what is asked) and a back (the answer)."
        if max(len(front), len(back)) > MAX_CARD_SIDE_CHARS:
            return f"Error: keep each side of a card under {MAX_CARD_SIDE_CHARS} characters."
        card = NewCard(uid=uuid.uuid4().hex, kind=CardKind(kind), front=front.strip(), back=back.strip())
        self.report(card=card)
        return f"Saved a review card: {card.front}"

    async def grade_answer(self, card_id: int = 0, rating: int = 0, feedback: str = "", **_: Any) -> str:
        review = self.state.review
        if review is None or review.card_id != card_id:
            return "Error: only the review card the student is answering in this message can be graded."
        if rating not in {member.value for member in Rating}:
            return "Error: rating is 1 (again), 2 (hard), 3 (good) or 4 (easy)."
        grade = CardGrade(card_id=card_id, rating=Rating(rating), feedback=feedback.strip()[:MAX_CARD_SIDE_CHARS])
        self.report(grade=grade)
        self.state.review = None  # graded once
        return f"Graded: {grade.rating.name.lower()} ({grade.rating.value})."

    async def set_level(self, level: str = "", **_: Any) -> str:
        level = level.strip()
        problem = level_problem(self.scale, level)
        if problem:
            return f"Error: {problem}"
        self.state.level = level
        self.report(level=level)
        return f"The course's level is now {level}."

    def chat_tools(self) -> list[ChatTool]:
        return [
            ChatTool(
                "update_student_notes",
                "Replace student_notes.md with the whole notes, changed (level, strengths, weaknesses, last lesson,"
                " covered topics, recurring mistakes with corrections).",
                {
                    "type": "object",
                    "properties": {"content": {"type": "string", "description": "The whole notes, in Markdown."}},
                    "required": ["content"],
                },
                self.update_student_notes,
            ),
            ChatTool(
                "add_review_card",
                "Save a review card the app will ask again on a spaced schedule.",
                {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": [member.value for member in CardKind]},
                        "front": {"type": "string", "description": "What the student is asked."},
                        "back": {"type": "string", "description": "The expected answer, or the correction."},
                    },
                    "required": ["kind", "front", "back"],
                },
                self.add_review_card,
            ),
            ChatTool(
                "grade_answer",
                "Grade the student's answer to the review card of this message: 1 again, 2 hard, 3 good, 4 easy.",
                {
                    "type": "object",
                    "properties": {
                        "card_id": {"type": "integer"},
                        "rating": {"type": "integer", "minimum": 1, "maximum": 4},
                        "feedback": {"type": "string", "description": "One sentence for the student."},
                    },
                    "required": ["card_id", "rating"],
                },
                self.grade_answer,
            ),
            ChatTool(
                "set_level",
                "Set the course's level (CEFR A1-C2 for a language course, else a short description).",
                {
                    "type": "object",
                    "properties": {"level": {"type": "string"}},
                    "required": ["level"],
                },
                self.set_level,
            ),
        ]
