"""A folder of the user's sandbox that the control plane lists, reads and writes without ever following a link.

Whatever an agent (or the user, through a terminal) left in a folder is untrusted: a symlink there could point
at another folder's files. So every path is relative to the folder, checked before the sandbox is asked
anything (no absolute path, no `..`, no empty or `.` component), and walked down from the folder one component
at a time through the parent's `fs.list`: each folder on the way must be listed as a real `dir`, the file as a
real `file`; a `symlink` is refused with a message that says so. Listings show links but never descend into
them. The runner's `fs.read`, `fs.write` and `fs.list` refuse links themselves too (each component opened with
O_NOFOLLOW), so a link swapped in after the walk is refused as well.

Used by the research agent (its workspace) and the learning agent (a course's `student_notes.md`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from autocode_runner.contract.wire import MAX_READ_BYTES, ErrorCode, Method

from controlplane.errors import InvalidField, NotFound, Unavailable
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.channel import RunnerError
from controlplane.sandbox.manager import SandboxManager

EntryType = Literal["file", "dir", "symlink", "other"]
ENTRY_TYPES: dict[str, EntryType] = {"file": "file", "dir": "dir", "symlink": "symlink"}
MAX_LISTED = 2000
MAX_DEPTH = 8


class LinkRefused(InvalidField):
    """A link where a folder or the file should be (a 422 naming `path`, like any refused path)."""


def leaves_message(noun: str) -> str:
    return f"The path must name a file inside {noun}."


def relative_parts(path: str, noun: str = "the folder") -> list[str]:
    """The path's components; anything that could leave the folder is refused (422 naming `path`)."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise InvalidField("path", leaves_message(noun), path)
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidField("path", leaves_message(noun), path)
    return parts


@dataclass(frozen=True)
class Entry:
    """One entry of a folder's tree; `path` is relative to the folder, '/' between folders."""

    path: str
    type: EntryType
    size: int
    modified: datetime


@dataclass(frozen=True)
class SafeFolder:
    """The folder `root` (relative to the sandbox's home, e.g. "research/alpha") of one user's sandbox.
    `noun` names it in messages ("the research's folder")."""

    manager: SandboxManager
    user: SandboxUser
    root: str
    noun: str = "the folder"

    @property
    def leaves(self) -> str:
        return leaves_message(self.noun)

    @property
    def is_a_link(self) -> str:
        return f"That file is a link; links in {self.noun} are never followed."

    def parts(self, path: str) -> list[str]:
        return relative_parts(path, self.noun)

    def _root_parts(self) -> list[str]:
        return [part for part in self.root.split("/") if part]

    async def _list(self, path: str) -> list[dict[str, Any]]:
        try:
            listed = await self.manager.call(self.user, Method.FS_LIST, {"path": path})
        except RunnerError as exc:
            if exc.code in (ErrorCode.NOT_FOUND, ErrorCode.NOT_A_DIRECTORY):
                raise NotFound("File") from exc
            if exc.code == ErrorCode.FORBIDDEN_PATH:  # a link swapped in after the walk looked
                raise LinkRefused("path", self.is_a_link, path) from exc
            raise Unavailable(f"The files could not be read: {exc.message}") from exc
        return [entry for entry in listed.get("entries", []) if isinstance(entry, dict)]

    async def _walk(self, parts: list[str], last: EntryType, *, creating: bool = False) -> str:
        """The path of the folder's `parts` under the home when each step is a real folder and the last one is
        of type `last`; NotFound otherwise, and a refusal when a link is met. `creating`: from the first missing
        step down nothing exists yet, which is fine (the write makes it)."""
        chain = [*self._root_parts(), *parts]
        skip = len(chain) - len(parts)
        parent = ""
        for index, name in enumerate(chain):
            expected = last if index == len(chain) - 1 else "dir"
            entry = next((item for item in await self._list(parent) if item.get("name") == name), None)
            if entry is None and creating:
                return "/".join(chain)
            if entry is None:
                raise NotFound("File")
            if entry.get("type") == "symlink":
                raise LinkRefused("path", self.is_a_link, "/".join(chain[skip:]) or self.root)
            if entry.get("type") != expected:
                raise NotFound("File")
            parent = f"{parent}/{name}" if parent else name
        return parent

    # -- operations -------------------------------------------------------------------------------------
    async def exists(self) -> bool:
        """Whether the folder exists as a real folder (not a link) under the home."""
        try:
            await self._walk([], "dir")
        except (NotFound, InvalidField):
            return False
        return True

    async def tree(self, max_entries: int = MAX_LISTED, max_depth: int = MAX_DEPTH) -> list[Entry]:
        """Every entry under the folder, breadth-first; links listed, never entered. Empty when the folder is
        missing (or is itself a link)."""
        if not await self.exists():
            return []
        root = "/".join(self._root_parts())
        found: list[Entry] = []
        folders: list[tuple[str, int]] = [("", 0)]
        while folders and len(found) < max_entries:
            folder, depth = folders.pop(0)
            try:
                listed = await self._list(f"{root}/{folder}" if folder else root)
            except (NotFound, InvalidField):
                continue  # removed, or swapped for a link, while we listed
            for item in listed:
                path = f"{folder}/{item['name']}" if folder else str(item["name"])
                kind = ENTRY_TYPES.get(str(item.get("type")), "other")
                modified = datetime.fromtimestamp(float(item.get("mtime", 0)), UTC)
                found.append(Entry(path=path, type=kind, size=int(item.get("size", 0)), modified=modified))
                if kind == "dir" and depth + 1 < max_depth:
                    folders.append((path, depth + 1))
        return found[:max_entries]

    async def read(self, path: str, max_bytes: int = MAX_READ_BYTES) -> bytes:
        """The bytes of the file at `path`; NotFound, a refusal for a link, or for a file over `max_bytes`."""
        full = await self._walk(self.parts(path), "file")
        try:
            read = await self.manager.call(self.user, Method.FS_READ, {"path": full, "max_bytes": max_bytes})
        except RunnerError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                raise NotFound("File") from exc
            if exc.code == ErrorCode.TOO_LARGE:
                megabytes = max_bytes // (1024 * 1024)
                message = f"That file is too large to open here ({megabytes} MB at most)."
                raise InvalidField("path", message, path) from exc
            if exc.code == ErrorCode.FORBIDDEN_PATH:
                raise LinkRefused("path", self.is_a_link, path) from exc
            raise Unavailable(f"The file could not be read: {exc.message}") from exc
        content = str(read.get("content", ""))
        return base64.b64decode(content) if read.get("encoding") == "base64" else content.encode()

    async def write(self, path: str, content: bytes) -> None:
        """Replace (or create) the file at `path`, the folder and its subfolders made as needed; a link on the
        way is refused, so is a folder where the file should be."""
        try:
            full = await self._walk(self.parts(path), "file", creating=True)
        except NotFound as exc:  # something on the way is not a folder, or the file is not a file
            raise InvalidField("path", self.leaves, path) from exc
        params = {"path": full, "content": base64.b64encode(content).decode("ascii"), "encoding": "base64"}
        try:
            await self.manager.call(self.user, Method.FS_WRITE, {**params, "parents": True})
        except RunnerError as exc:
            if exc.code == ErrorCode.FORBIDDEN_PATH:  # a link swapped in after the walk looked
                raise LinkRefused("path", self.is_a_link, path) from exc
            if exc.code in (ErrorCode.IS_A_DIRECTORY, ErrorCode.NOT_A_DIRECTORY):
                raise InvalidField("path", self.leaves, path) from exc
            raise Unavailable(f"The file could not be written: {exc.message}") from exc


async def remove_folder(manager: SandboxManager, user: SandboxUser, path: str, what: str) -> None:
    """Remove the folder at `path` (relative to the home) and everything in it, through the runner, which never
    follows a link (a planted one is removed, not its target); a folder that was never made is fine. `what` names
    it in the message of a failure ("the research's files")."""
    try:
        await manager.call(user, Method.FS_REMOVE, {"path": path, "recursive": True})
    except RunnerError as exc:
        if exc.code != ErrorCode.NOT_FOUND:
            raise Unavailable(f"{what[:1].upper()}{what[1:]} could not be removed: {exc.message}") from exc
