"""A research's files: its workspace as a SafeFolder (controlplane.sandbox.safe_files), so a link planted there
is listed but never followed, and a path that leaves the workspace is refused before the sandbox is asked."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from controlplane.research.layout import workspace_dir
from controlplane.sandbox import safe_files
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.safe_files import SafeFolder
from controlplane.schemas.research import ResearchFile

FOLDER_NOUN = "the research's folder"


def workspace(manager: SandboxManager, user: SandboxUser, slug: str) -> SafeFolder:
    return SafeFolder(manager, user, workspace_dir(slug), FOLDER_NOUN)


def relative_parts(path: str) -> list[str]:
    """The path's components; anything that could leave the workspace is refused (422 naming `path`)."""
    return safe_files.relative_parts(path, FOLDER_NOUN)


async def listing(manager: SandboxManager, user: SandboxUser, slug: str) -> list[ResearchFile]:
    """Every entry of the workspace, breadth-first; links listed, never entered. Empty before the first message."""
    entries = await workspace(manager, user, slug).tree()
    return [ResearchFile(path=e.path, type=e.type, size=e.size, modified=e.modified) for e in entries]


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    content: bytes


async def download(manager: SandboxManager, user: SandboxUser, slug: str, path: str) -> Download:
    content = await workspace(manager, user, slug).read(path)
    name = relative_parts(path)[-1]
    guessed = "text/markdown" if name.lower().endswith((".md", ".markdown")) else mimetypes.guess_type(name)[0]
    return Download(name=name, media_type=guessed or "application/octet-stream", content=content)
