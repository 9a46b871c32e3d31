"""Turning domain validation failures into the same 422 shape FastAPI uses for schema errors."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def field_error(field: str, message: str, value: object = None) -> RequestValidationError:
    """A 422 that names the body field at fault, for checks that need the database or other fields."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}])
