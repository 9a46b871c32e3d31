"""Where subjects and courses live inside the user's sandbox (paths relative to /home/agent), named by slugs."""

from __future__ import annotations

from autocode_runner.contract.learning import HISTORY_FILE, NOTES_FILE

from controlplane.projects.layout import SANDBOX_HOME

LEARNING_DIR = "learning"


def subject_dir(subject_slug: str) -> str:
    return f"{LEARNING_DIR}/{subject_slug}"


def course_dir(subject_slug: str, course_slug: str) -> str:
    """The course's directory: its notes, its whole history, and whatever the tutor writes."""
    return f"{subject_dir(subject_slug)}/{course_slug}"


def course_path(subject_slug: str, course_slug: str) -> str:
    return f"{SANDBOX_HOME}/{course_dir(subject_slug, course_slug)}"


def notes_path(subject_slug: str, course_slug: str) -> str:
    return f"{course_path(subject_slug, course_slug)}/{NOTES_FILE}"


def history_path(subject_slug: str, course_slug: str) -> str:
    return f"{course_path(subject_slug, course_slug)}/{HISTORY_FILE}"
