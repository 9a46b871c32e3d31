"""Dataclasses to and from JSON-ready dicts, checked against their annotations (standard library only).

Specs and plan steps cross a process boundary as JSON; reading one back must either give a fully typed
object or say which field is wrong, never hand a half-checked dict to the code behind it.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


class ContractError(ValueError):
    """A value that does not fit its dataclass; the message names the field path."""


def to_dict(value: Any) -> dict[str, Any]:
    """A dataclass as plain JSON data (enums as their values)."""
    data = _plain(value)
    if not isinstance(data, dict):
        raise TypeError(f"{value!r} is not a dataclass instance")
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def from_dict(cls: type[T], data: object, path: str = "") -> T:
    """Build `cls` from JSON data: missing fields take their defaults, unknown ones are refused."""
    if not isinstance(data, dict):
        raise ContractError(f"{path or cls.__name__}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ContractError(f"{path or cls.__name__}: unknown field(s) {', '.join(map(str, unknown))}")
    values: dict[str, Any] = {}
    for name in fields:
        if name in data:
            values[name] = _read(hints[name], data[name], f"{path}.{name}" if path else name)
    try:
        return cls(**values)
    except TypeError as error:  # a field without a default is missing
        raise ContractError(f"{path or cls.__name__}: {error}") from None


def _read(kind: Any, value: object, path: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _read(option, value, path)
            except ContractError as error:
                errors.append(str(error))
        raise ContractError(errors[0] if len(errors) == 1 else f"{path}: {value!r} fits none of its types")
    if origin is list:
        if not isinstance(value, list):
            raise ContractError(f"{path}: expected a list, got {type(value).__name__}")
        (item,) = typing.get_args(kind)
        return [_read(item, element, f"{path}[{index}]") for index, element in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ContractError(f"{path}: expected an object, got {type(value).__name__}")
        return dict(value)
    if kind is Any:
        return value
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return from_dict(kind, value, path)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            words = ", ".join(str(member.value) for member in kind)
            raise ContractError(f"{path}: must be one of {words}, got {value!r}") from None
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (str, int, bool) and type(value) is kind:
        return value
    raise ContractError(f"{path}: expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
