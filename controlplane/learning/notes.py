"""The student's notes (student_notes.md in the course's directory), read and written through the runner,
never following a link.

The control plane never opens a user's files itself. Before it reads or writes the notes it walks the path down
from the home through `fs.list`: every folder on the way must be listed by its parent as a real `dir`, and the
notes as a real `file` (or absent); anything listed as a `symlink` is refused (409). A folder that is missing is
made by the write (`parents`), which the runner does without following links either.
"""

from __future__ import annotations

from typing import Any

from autocode_runner.contract.learning import MAX_NOTES_CHARS, NOTES_FILE, NOTES_TEMPLATE
from autocode_runner.contract.wire import ErrorCode, Method
from sqlmodel import Session

from controlplane.db import in_worker
from controlplane.errors import Conflict, Unavailable
from controlplane.learning.layout import LEARNING_DIR
from controlplane.learning.service import course_and_subject
from controlplane.runtime.supervisor import InstanceSupervisor, require_supervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.channel import RunnerError
from controlplane.sandbox.manager import SandboxManager
from controlplane.schemas.learning import NotesPublic

IS_A_LINK = "The course's notes or one of its folders is a link; links are never followed, so fix it in a terminal."
NOT_A_FILE = "The course's notes are not a plain file; fix it in a terminal."


async def _entries(manager: SandboxManager, user: SandboxUser, path: str) -> dict[str, str] | None:
    """name -> type of the folder's entries; None when the folder does not exist."""
    try:
        listed = await manager.call(user, Method.FS_LIST, {"path": path})
    except RunnerError as exc:
        if exc.code in (ErrorCode.NOT_FOUND, ErrorCode.NOT_A_DIRECTORY):
            return None
        if exc.code == ErrorCode.FORBIDDEN_PATH:
            raise Conflict(IS_A_LINK) from exc
        raise Unavailable(f"The course's notes could not be read: {exc.message}") from exc
    items: list[Any] = listed.get("entries", [])
    return {str(item.get("name")): str(item.get("type")) for item in items if isinstance(item, dict)}


async def _notes_file(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str) -> str | None:
    """The notes' path under the home, walked without following links: None while the notes (or a folder on
    the way) do not exist yet; Conflict when a link or something else stands where they should be."""
    parent = ""
    chain = (LEARNING_DIR, subject_slug, course_slug, NOTES_FILE)
    for index, name in enumerate(chain):
        entries = await _entries(manager, user, parent)
        if entries is None or name not in entries:
            return None
        kind = entries[name]
        if kind == "symlink":
            raise Conflict(IS_A_LINK)
        expected = "file" if index == len(chain) - 1 else "dir"
        if kind != expected:
            raise Conflict(NOT_A_FILE)
        parent = f"{parent}/{name}" if parent else name
    return parent


async def read(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str) -> tuple[str, bool]:
    """(the notes, whether they exist); a course without notes yet reads as the empty template."""
    path = await _notes_file(manager, user, subject_slug, course_slug)
    if path is None:
        return NOTES_TEMPLATE, False
    try:
        read = await manager.call(user, Method.FS_READ, {"path": path, "max_bytes": MAX_NOTES_CHARS * 4})
    except RunnerError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            return NOTES_TEMPLATE, False
        if exc.code == ErrorCode.FORBIDDEN_PATH:
            raise Conflict(IS_A_LINK) from exc
        raise Unavailable(f"The course's notes could not be read: {exc.message}") from exc
    if read.get("encoding") == "base64":
        raise Conflict(NOT_A_FILE)
    return str(read.get("content", "")), True


async def write(manager: SandboxManager, user: SandboxUser, subject_slug: str, course_slug: str, content: str) -> None:
    """Replace the notes (the user's edit wins: the tutor reads them afresh on its next turn)."""
    path = f"{LEARNING_DIR}/{subject_slug}/{course_slug}/{NOTES_FILE}"
    await _notes_file(manager, user, subject_slug, course_slug)  # refuses a link on the way, before writing
    params = {"path": path, "content": content, "parents": True}
    try:
        await manager.call(user, Method.FS_WRITE, params)
    except RunnerError as exc:
        if exc.code == ErrorCode.FORBIDDEN_PATH:
            raise Conflict(IS_A_LINK) from exc
        raise Unavailable(f"The course's notes could not be saved: {exc.message}") from exc


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
