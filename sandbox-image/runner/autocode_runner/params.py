"""Typed access to a request's params.

Every mistake in a parameter (missing, wrong type, out of range, unknown name) becomes one
`invalid_params` error naming the parameter, so handlers never see malformed input.
"""

from __future__ import annotations

from typing import Any

from autocode_runner.contract.wire import ErrorCode
from autocode_runner.protocol import RunnerError

_MISSING: Any = object()


def invalid(message: str) -> RunnerError:
    return RunnerError(ErrorCode.INVALID_PARAMS, message)


class Params:
    """Reads params one by one; `done()` then refuses any name nobody asked for (a client bug)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._read: set[str] = set()

    def _get(self, name: str, default: Any) -> Any:
        self._read.add(name)
        value = self._raw.get(name)
        if value is None:
            if default is _MISSING:
                raise invalid(f"'{name}' is required")
            return default
        return value

    def text(self, name: str, default: Any = _MISSING, *, max_length: int | None = None) -> Any:
        value = self._get(name, default)
        if value is default:
            return value
        if not isinstance(value, str):
            raise invalid(f"'{name}' must be a string")
        if "\x00" in value:
            raise invalid(f"'{name}' must not contain NUL characters")
        if max_length is not None and len(value) > max_length:
            raise invalid(f"'{name}' must be at most {max_length} characters")
        return value

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int, maximum: int) -> Any:
        value = self._get(name, default)
        if value is default:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(f"'{name}' must be an integer")
        if not minimum <= value <= maximum:
            raise invalid(f"'{name}' must be between {minimum} and {maximum}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise invalid(f"'{name}' must be true or false")
        return value

    def string_map(self, name: str) -> dict[str, str]:
        value = self._get(name, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) and "\x00" not in v for v in value.values()):
            raise invalid(f"'{name}' must be an object of strings")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        """A JSON object, passed on as it is (its own reader validates its fields)."""
        value = self._get(name, _MISSING)
        if not isinstance(value, dict):
            raise invalid(f"'{name}' must be an object")
        return value

    def done(self) -> None:
        unknown = sorted(set(self._raw) - self._read)
        if unknown:
            raise invalid(f"unknown parameter(s): {', '.join(unknown)}")
