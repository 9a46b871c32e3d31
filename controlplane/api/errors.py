"""Errors into HTTP answers: domain validation as FastAPI's own 422 shape, and one handler for every domain and
sandbox failure (so routes never translate errors themselves)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from controlplane.errors import Conflict, DomainError, NotFound
from controlplane.sandbox.backend import EngineUnavailable, SandboxError
from controlplane.sandbox.channel import ChannelClosed, RunnerError

# A route's `responses=` in FastAPI's own type: the answers it documents in the OpenAPI document, by status.
Responses = dict[int | str, dict[str, Any]]


def field_error(field: str, message: str, value: object = None) -> RequestValidationError:
    """A 422 that names the body field at fault, for checks that need the database or other fields."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}])


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(error, Conflict):
        return status.HTTP_409_CONFLICT
    return status.HTTP_503_SERVICE_UNAVAILABLE


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    return JSONResponse({"detail": error.message}, status_code=domain_status(error))


async def _sandbox_error(request: Request, error: Exception) -> JSONResponse:
    detail = f"The sandbox could not be reached: {error}"
    return JSONResponse({"detail": detail}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


def install_error_handlers(app: FastAPI) -> None:
    """The one place domain and sandbox failures become HTTP answers."""
    app.add_exception_handler(DomainError, _domain_error)
    for sandbox_failure in (EngineUnavailable, SandboxError, ChannelClosed, RunnerError):
        app.add_exception_handler(sandbox_failure, _sandbox_error)
