"""Serving the built PWA (frontend/dist) with a fallback to index.html for client-side routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, status
from fastapi.responses import FileResponse

RESERVED_PREFIXES = ("api", "ws")
# Hashed build assets never change under one name; index.html and the service worker must revalidate.
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def mount_spa(app: FastAPI, dist: Path) -> bool:
    """Serve `dist` if it holds a build; returns whether it was mounted."""
    root = dist.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.split("/", 1)[0] in RESERVED_PREFIXES:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
        candidate = (root / path).resolve()
        if path and candidate.is_relative_to(root) and candidate.is_file():
            cache = IMMUTABLE_CACHE if candidate.parent.name == "assets" else REVALIDATE
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    return True
