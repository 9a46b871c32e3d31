"""controlplane.sandbox.safe_files.SafeFolder against a real sandbox and runner: the research workspace's files
(and a learning course's notes) are listed, read and written without ever following a link planted there."""

from __future__ import annotations

from typing import Any

import pytest

from controlplane.errors import InvalidField, NotFound
from controlplane.sandbox.safe_files import SafeFolder
from tests.support.engine import Harness

pytestmark = pytest.mark.docker
HOME = "/home/agent"
PLANTED = (
    f"mkdir -p {HOME}/notes/real/deep {HOME}/elsewhere && echo secret > {HOME}/elsewhere/secret.md && "
    f"echo mine > {HOME}/notes/real/deep/mine.md && "
    f"ln -s {HOME}/elsewhere/secret.md {HOME}/notes/leak.md && ln -s {HOME}/elsewhere {HOME}/notes/real/folder && "
    f"ln -s {HOME}/elsewhere {HOME}/linked-notes"
)


def refused_as_link(harness: Harness, call: Any) -> str:
    with pytest.raises(InvalidField) as refused:
        harness.run(call)
    assert "never followed" in str(refused.value), refused.value
    return str(refused.value)


def test_a_safe_folder_lists_reads_and_writes_without_following_links(harness: Harness) -> None:
    user = harness.user("nora")
    harness.run(harness.manager.ensure_ready, user)
    assert harness.sh(user, PLANTED)[0] == 0
    notes = SafeFolder(harness.manager, user, "notes", "the course's folder")

    # The tree lists links as links and does not descend into them.
    tree = {entry.path: entry.type for entry in harness.run(notes.tree)}
    assert tree == {
        "leak.md": "symlink",
        "real": "dir",
        "real/deep": "dir",
        "real/deep/mine.md": "file",
        "real/folder": "symlink",
    }

    # Reading: a real file reads; a link as the file or as a folder on the way is refused; a missing file is 404.
    assert harness.run(notes.read, "real/deep/mine.md") == b"mine\n"
    refused_as_link(harness, lambda: notes.read("leak.md"))
    refused_as_link(harness, lambda: notes.read("real/folder/secret.md"))
    with pytest.raises(NotFound):
        harness.run(notes.read, "real/missing.md")
    for escape in ("../elsewhere/secret.md", "/etc/passwd", "real/../leak.md", "real//deep", ""):
        with pytest.raises(InvalidField, match="inside the course's folder"):
            harness.run(notes.read, escape)

    # Writing: folders are made as needed; a link on the way, or as the file, is refused and left untouched.
    harness.run(notes.write, "student_notes.md", b"# Notes\n")
    harness.run(notes.write, "new/deeper/file.md", b"made")
    assert harness.run(notes.read, "student_notes.md") == b"# Notes\n"
    assert harness.run(notes.read, "new/deeper/file.md") == b"made"
    harness.run(notes.write, "student_notes.md", b"# Notes, again\n")
    assert harness.run(notes.read, "student_notes.md") == b"# Notes, again\n"
    refused_as_link(harness, lambda: notes.write("leak.md", b"overwritten"))
    refused_as_link(harness, lambda: notes.write("real/folder/planted.md", b"planted"))
    with pytest.raises(InvalidField, match="inside the course's folder"):
        harness.run(notes.write, "real", b"a folder is not a file")
    assert harness.sh(user, f"cat {HOME}/elsewhere/secret.md; ls {HOME}/elsewhere")[1].split() == [
        "secret",
        "secret.md",
    ]

    # A folder that does not exist yet is made by the first write; one that is itself a link is never used.
    fresh = SafeFolder(harness.manager, user, "learning/course-1")
    assert harness.run(fresh.tree) == []
    harness.run(fresh.write, "student_notes.md", b"first")
    assert [entry.path for entry in harness.run(fresh.tree)] == ["student_notes.md"]
    linked = SafeFolder(harness.manager, user, "linked-notes")
    assert harness.run(linked.tree) == []
    refused_as_link(harness, lambda: linked.read("secret.md"))
    refused_as_link(harness, lambda: linked.write("secret.md", b"x"))
