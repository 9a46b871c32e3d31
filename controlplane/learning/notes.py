"""The student's notes (student_notes.md in the course's directory), read and written through the runner,
never following a link.

The control plane never opens a user's files itself: the course's folder is a `SafeFolder`
(controlplane/sandbox/safe_files.py), walked through `fs.list` without following a link; a link where the notes
or a folder on the way should be is refused (409), and the runner refuses one swapped in later too.
"""

from __future__ import annotations

from autocode_runner.contract.learning import MAX_NOTES_CHARS, NOTES_FILE, NOTES_TEMPLATE
from sqlmodel import Session

from controlplane.db import in_worker
from controlplane.errors import Conflict, InvalidField, NotFound
from controlplane.learning.layout import course_dir
from controlplane.learning.service import course_and_subject
from controlplane.runtime.supervisor import InstanceSupervisor, require_supervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.safe_files import LinkRefused, SafeFolder
from controlplane.schemas.learning import NotesPublic

IS_A_LINK = "The course's notes or one of its folders is a link; links are never followed, so fix it in a terminal."
NOT_A_FILE = "The course's notes are not a plain file; fix it in a terminal."


def _folder(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str) -> SafeFolder:
    return SafeFolder(manager, user, course_dir(subject_slug, course_slug), "the course's folder")


async def read(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str) -> tuple[str, bool]:
    """(the notes, whether they exist); a course without notes yet reads as the empty template."""
    try:
        data = await _folder(manager, user, subject_slug, course_slug).read(NOTES_FILE, MAX_NOTES_CHARS * 4)
    except NotFound:
        return NOTES_TEMPLATE, False
    except LinkRefused as exc:
        raise Conflict(IS_A_LINK) from exc
    except InvalidField as exc:  # too large to be the notes
        raise Conflict(NOT_A_FILE) from exc
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError as exc:
        raise Conflict(NOT_A_FILE) from exc


async def write(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str, content: str) -> None:
    """Replace the notes (the user's edit wins: the tutor reads them afresh on its next turn)."""
    try:
        await _folder(manager, user, subject_slug, course_slug).write(NOTES_FILE, content.encode("utf-8"))
    except LinkRefused as exc:
        raise Conflict(IS_A_LINK) from exc
    except InvalidField as exc:  # a folder where the notes should be
        raise Conflict(NOT_A_FILE) from exc


# -- for the routes ---------------------------------------------------------------------------------------
async def get(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, course_id: int
) -> NotesPublic:
    course, subject = await in_worker(session, lambda s: course_and_subject(s, user.id, course_id))
    content, saved = await read(require_supervisor(supervisor).manager, user, subject.slug, course.slug)
    return NotesPublic(content=content, saved=saved)


async def put(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, course_id: int, content: str
) -> NotesPublic:
    course, subject = await in_worker(session, lambda s: course_and_subject(s, user.id, course_id))
    await write(require_supervisor(supervisor).manager, user, subject.slug, course.slug, content)
    return NotesPublic(content=content, saved=True)
