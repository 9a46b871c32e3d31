"""A research's files, read through the runner, never following a link.

The runner confines paths to the home but follows symlinks inside it (fs.read and fs.list resolve the real
path first). So before a download the control plane walks the path itself: each folder on the way must be
listed by its parent as a real `dir`, and the file as a real `file`; anything listed as a `symlink` is
refused. Listings do not descend into links either.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from autocode_runner.contract.wire import MAX_READ_BYTES, ErrorCode, Method

from controlplane.errors import InvalidField, NotFound, Unavailable
from controlplane.research.layout import RESEARCH_DIR
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.channel import RunnerError
from controlplane.sandbox.manager import SandboxManager
from controlplane.schemas.research import ResearchFile

EntryType = Literal["file", "dir", "symlink", "other"]
ENTRY_TYPES: dict[str, EntryType] = {"file": "file", "dir": "dir", "symlink": "symlink"}
MAX_LISTED = 2000
MAX_DEPTH = 8
LEAVES_WORKSPACE = "The path must name a file inside the research's folder."
IS_A_LINK = "That file is a link; links in a research's folder are never followed."


def relative_parts(path: str) -> list[str]:
    """The path's components; anything that could leave the workspace is refused (422 naming `path`)."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise InvalidField("path", LEAVES_WORKSPACE, path)
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidField("path", LEAVES_WORKSPACE, path)
    return parts


async def _list(manager: SandboxManager, user: SandboxUser, path: str) -> list[dict[str, Any]]:
    try:
        listed = await manager.call(user, Method.FS_LIST, {"path": path})
    except RunnerError as exc:
        if exc.code in (ErrorCode.NOT_FOUND, ErrorCode.NOT_A_DIRECTORY):
            raise NotFound("File") from exc
        raise Unavailable(f"The research's files could not be read: {exc.message}") from exc
    return [entry for entry in listed.get("entries", []) if isinstance(entry, dict)]


async def _walk_down(manager: SandboxManager, user: SandboxUser, chain: list[str], last: str) -> str:
    """The path of `chain` under the home when each step is a real directory and the last one is of type
    `last`; NotFound otherwise, and a refusal naming the link when one is on the way."""
    parent = ""
    for index, name in enumerate(chain):
        expected = last if index == len(chain) - 1 else "dir"
        entry = next((item for item in await _list(manager, user, parent) if item.get("name") == name), None)
        if entry is None:
            raise NotFound("File")
        if entry.get("type") == "symlink":
            raise InvalidField("path", IS_A_LINK, "/".join(chain[2:]))
        if entry.get("type") != expected:
            raise NotFound("File")
        parent = f"{parent}/{name}" if parent else name
    return parent


async def workspace(manager: SandboxManager, user: SandboxUser, slug: str) -> str | None:
    """The workspace's path under the home when it exists as a real folder; None before the first message."""
    try:
        return await _walk_down(manager, user, [RESEARCH_DIR, slug], "dir")
    except NotFound:
        return None


async def listing(manager: SandboxManager, user: SandboxUser, slug: str) -> list[ResearchFile]:
    """Every entry of the workspace, folders first walked breadth-first; links listed, never entered."""
    root = await workspace(manager, user, slug)
    if root is None:
        return []
    found: list[ResearchFile] = []
    folders: list[tuple[str, int]] = [("", 0)]
    while folders and len(found) < MAX_LISTED:
        folder, depth = folders.pop(0)
        for entry in await _list(manager, user, f"{root}/{folder}" if folder else root):
            path = f"{folder}/{entry['name']}" if folder else str(entry["name"])
            kind = ENTRY_TYPES.get(str(entry.get("type")), "other")
            modified = datetime.fromtimestamp(float(entry.get("mtime", 0)), UTC)
            found.append(ResearchFile(path=path, type=kind, size=int(entry.get("size", 0)), modified=modified))
            if kind == "dir" and depth + 1 < MAX_DEPTH:
                folders.append((path, depth + 1))
    return found[:MAX_LISTED]


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    content: bytes


async def download(manager: SandboxManager, user: SandboxUser, slug: str, path: str) -> Download:
    parts = relative_parts(path)
    full = await _walk_down(manager, user, [RESEARCH_DIR, slug, *parts], "file")
    try:
        read = await manager.call(user, Method.FS_READ, {"path": full, "max_bytes": MAX_READ_BYTES})
    except RunnerError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            raise NotFound("File") from exc
        if exc.code == ErrorCode.TOO_LARGE:
            raise InvalidField("path", "That file is too large to download here (10 MB at most).", path) from exc
        if exc.code == ErrorCode.FORBIDDEN_PATH:
            raise InvalidField("path", IS_A_LINK, path) from exc
        raise Unavailable(f"The file could not be read: {exc.message}") from exc
    content = str(read.get("content", ""))
    data = base64.b64decode(content) if read.get("encoding") == "base64" else content.encode()
    name = parts[-1]
    guessed = "text/markdown" if name.lower().endswith((".md", ".markdown")) else mimetypes.guess_type(name)[0]
    return Download(name=name, media_type=guessed or "application/octet-stream", content=data)
