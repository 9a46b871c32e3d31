"""The one type of every id a route takes in its path or query: a positive integer that fits SQLite's INTEGER, so a
huge or negative id is a 422 naming the parameter, never a 500 from the database (which cannot even look it up)."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le
from pydantic import WithJsonSchema

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER

Id = Annotated[int, Ge(1), Le(MAX_ID)]

# An id in a request body is checked the same; its schema says only its minimum, because FastAPI's OpenAPI model holds
# a body's bounds as floats, and 2**63 - 1 as a float is 2**63: the document (and the PWA's limits) would name a
# largest id the server refuses.
BodyId = Annotated[Id, WithJsonSchema({"type": "integer", "minimum": 1})]


def id_from(text: str) -> int | None:
    """An id from a WebSocket's query string (which FastAPI does not validate): None unless it is one."""
    if not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def position_from(text: str) -> int:
    """A stream position (`after=N`) from a query string: 0 unless it is a number, at most MAX_ID."""
    return min(int(text), MAX_ID) if text.isdigit() else 0
