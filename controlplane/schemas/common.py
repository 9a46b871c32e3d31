"""Validated string types shared by several request bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, StringConstraints

from controlplane.security.passwords import password_problem

STRICT_BODY = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _check_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


NewPassword = Annotated[str, AfterValidator(_check_password)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
