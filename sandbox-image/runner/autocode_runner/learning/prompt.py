"""The tutor's system prompt, rebuilt for every request from the course and the notes as they are on disk."""

from __future__ import annotations

from autocode_runner.contract.learning import CEFR_LEVELS, NOTES_FILE, LevelScale, ReviewPrompt
from autocode_runner.contract.specs import CourseSpec

TOOLS_GUIDE = f"""\
# Your tools
- update_student_notes: rewrite the whole of {NOTES_FILE} whenever you learn something about the student: level,
  strengths, weaknesses, last lesson, topics covered, recurring mistakes with their corrections. Keep the
  sections, keep it short, and keep what the student wrote there themselves.
- add_review_card: save something worth practising later (a word or phrase with its meaning, a mistake with its
  correction, or a question about a concept). The app asks these cards again on a spaced schedule.
- grade_answer: when a message says the student is answering a review card, grade the answer (1 = wrong or
  forgotten, 2 = right with effort or a small slip, 3 = right, 4 = right and effortless), then tell the student
  briefly how it went and the right answer if needed.
- set_level: when you have assessed the student's level, or it has changed.
- read_file / write_file (when you have them): files in this course's folder, such as exercises or word lists."""


def level_line(spec: CourseSpec, level: str) -> str:
    scale = (
        f"CEFR, one of {', '.join(CEFR_LEVELS)}"
        if spec.level_scale == LevelScale.CEFR
        else "a short description of your choice"
    )
    return f"Level: {level or 'not assessed yet'} (scale: {scale})"


def system_prompt(spec: CourseSpec, level: str, notes: str, summary: str) -> str:
    parts = [spec.system_prompt.strip()]
    course = [f"# This course\nSubject: {spec.subject}\nCourse: {spec.course}", level_line(spec, level)]
    if spec.instructions.strip():
        course.append(
            f"The course's own instructions (they come before your general habits):\n{spec.instructions.strip()}"
        )
    parts.append("\n".join(course))
    parts.append(TOOLS_GUIDE)
    parts.append(f"# Student notes ({NOTES_FILE}, as they are now; the student may edit them too)\n{notes.strip()}")
    if summary.strip():
        parts.append(f"# Summary of the earlier lessons\n{summary.strip()}")
    return "\n\n".join(part for part in parts if part)


def review_text(review: ReviewPrompt, answer: str) -> str:
    """What the model is given when the student answers a review card."""
    return (
        f"[Review card {review.card_id} ({review.kind.value}). Asked: {review.front}\n"
        f"Expected answer: {review.back}]\n"
        f"The student's answer: {answer}\n"
        f"Grade it with grade_answer (card_id {review.card_id}), then tell the student how it went."
    )
