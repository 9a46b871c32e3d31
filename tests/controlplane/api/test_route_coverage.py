"""A guard: every API route must be exercised by some test, so new endpoints cannot land untested."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

TESTS_DIR = Path(__file__).resolve().parents[2]  # the whole suite, not this folder


def _route_pattern(path: str) -> re.Pattern[str]:
    """'/api/users/{user_id}' matches '/api/users/{alice.id}' or '/api/users/3' in a test's source."""
    parts = re.split(r"\{[^}]+\}", path)
    return re.compile(r"[^/\"'\s]+".join(re.escape(part) for part in parts) + r"(?![\w/-])")


def test_every_api_route_appears_in_a_test(app: FastAPI) -> None:
    sources = "\n".join(p.read_text() for p in TESTS_DIR.rglob("test_*.py") if p.name != Path(__file__).name)
    paths = app.openapi()["paths"]
    assert len(paths) >= 15
    untested = sorted(
        f"{','.join(sorted(paths[path]))} {path}" for path in paths if not _route_pattern(path).search(sources)
    )
    assert untested == [], f"routes no test calls: {untested}"
