"""The tutor's parts that need no model: which turns are folded into the summary, and its tools' rules (the
student's edit wins, grades only for the card being answered, levels on the course's scale)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from autocode_runner.contract.learning import CardKind, CourseReport, LevelScale, ReviewPrompt
from autocode_runner.learning.course_files import CourseFiles
from autocode_runner.learning.memory import fold_until
from autocode_runner.learning.tools import TurnState, TutorTools


def talk(*sizes: int) -> list[dict[str, Any]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "text": "x" * size} for i, size in enumerate(sizes)]


def test_folding_waits_for_the_threshold_then_keeps_the_recent_part_and_whole_exchanges() -> None:
    assert fold_until(talk(100, 100, 100, 100), 0, fold_above=1000, keep_recent=300) is None
    history = talk(400, 400, 400, 400, 400, 400)
    end = fold_until(history, 0, fold_above=1000, keep_recent=900)
    assert end == 4, "folds until what remains fits, starting again with the student's message"
    assert fold_until(history, end, fold_above=1000, keep_recent=900) is None, "nothing more to fold"
    assert fold_until(talk(5000, 5000), 0, fold_above=1000, keep_recent=100) is None, "the last exchange stays"


def tools(tmp_path: Path, scale: LevelScale = LevelScale.CEFR) -> tuple[TutorTools, list[CourseReport]]:
    reports: list[CourseReport] = []
    return TutorTools(CourseFiles(tmp_path), scale, TurnState(level=""), reports.append), reports


def test_the_students_edit_of_the_notes_wins_over_the_tutors_rewrite(tmp_path: Path) -> None:
    tutor, reports = tools(tmp_path)
    tutor.state.notes_seen = tutor.files.read_notes()  # what the model was shown when the turn began
    tutor.files.write_notes("Level: B1 (the student wrote this)\n")  # the student edits meanwhile
    refused = asyncio.run(tutor.update_student_notes("Level: A2\n"))
    assert refused.startswith("Error:") and "the student wrote this" in refused, "the current notes are returned"
    assert tutor.files.read_notes() == "Level: B1 (the student wrote this)\n" and reports == []
    assert asyncio.run(tutor.update_student_notes("Level: B1 (the student wrote this)\nWeak: articles\n")).startswith(
        "Saved"
    )
    assert [report.notes_changed for report in reports] == [True]


def test_a_link_at_the_notes_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    course = tmp_path / "course"
    course.mkdir()
    (course / "student_notes.md").symlink_to(outside)
    tutor, _ = tools(course)
    tutor.state.notes_seen = ""
    assert asyncio.run(tutor.update_student_notes("overwritten?")).startswith("Error:")
    assert outside.read_text() == "keep me"


def test_grades_are_for_the_card_being_answered_and_levels_fit_the_scale(tmp_path: Path) -> None:
    tutor, reports = tools(tmp_path)
    assert asyncio.run(tutor.grade_answer(card_id=3, rating=3)).startswith("Error:"), "no card is being answered"
    tutor.state.review = ReviewPrompt(card_id=3, kind=CardKind.WORD, front="dog", back="pes")
    assert asyncio.run(tutor.grade_answer(card_id=4, rating=3)).startswith("Error:"), "another card"
    assert asyncio.run(tutor.grade_answer(card_id=3, rating=5)).startswith("Error:"), "ratings are 1 to 4"
    assert asyncio.run(tutor.grade_answer(card_id=3, rating=4, feedback="Perfect")) == "Graded: easy (4)."
    assert asyncio.run(tutor.grade_answer(card_id=3, rating=4)).startswith("Error:"), "graded once"
    assert asyncio.run(tutor.set_level("B3")).startswith("Error:")
    assert asyncio.run(tutor.set_level("B2")) == "The course's level is now B2."
    assert [(r.grade.rating if r.grade else None, r.level) for r in reports] == [(4, None), (None, "B2")]
    free, _ = tools(tmp_path, LevelScale.FREE)
    assert asyncio.run(free.set_level("knows the basics of recursion")).startswith("The course's level")
