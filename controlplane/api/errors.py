"""Errors into HTTP answers: one handler for every domain and sandbox failure (so routes never translate errors
themselves), with a field's validation failure in FastAPI's own 422 shape and a sentence a person understands; a full
disk (507) and a database busy past its timeout (503) in words too, never a bare 500."""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from controlplane.api.validation_messages import plain_errors
from controlplane.errors import Conflict, DomainError, InvalidField, NotFound
from controlplane.sandbox.backend import EngineUnavailable, SandboxError
from controlplane.sandbox.channel import ChannelClosed, RunnerError
from controlplane.social.graph.errors import GraphAction, GraphError

# A route's `responses=` in FastAPI's own type: the answers it documents in the OpenAPI document, by status.
Responses = dict[int | str, dict[str, Any]]


class ErrorBody(BaseModel):
    """Every refusal but a field's (a 422 has FastAPI's own shape): what went wrong, in words a person can act on.
    The handlers here answer with it, and the OpenAPI document names it for each error status
    (controlplane.api.documented_errors)."""

    detail: str = Field(description="What went wrong and what to do, in plain words")


class MetaRefusal(ErrorBody):
    """What Meta refused (a 409) or asks to wait for (a 503), with what the person can do about it."""

    action: GraphAction = Field(description="What the person (or the PWA) can do about it")
    retry_at: datetime | None = Field(description="When to try again, if Meta said")


def error_response(body: ErrorBody, status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(jsonable_encoder(body), status_code=status_code, headers=headers)


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(error, Conflict):
        return status.HTTP_409_CONFLICT
    return status.HTTP_503_SERVICE_UNAVAILABLE


# Fields whose value is a secret: a 422 names them but never sends their value back.
SECRET_FIELDS = frozenset({"password", "current_password", "new_password", "key", "api_key", "token", "secret"})


# A refused value is echoed back at most this long: a 40 MB attachment need not travel back in its 422.
MAX_ECHOED_INPUT = 200


def _without_secret(problem: dict[str, Any]) -> dict[str, Any]:
    loc = problem.get("loc") or ()
    if loc and str(loc[-1]) in SECRET_FIELDS:
        return {**problem, "input": "[hidden]"}
    value = problem.get("input")
    if isinstance(value, str) and len(value) > MAX_ECHOED_INPUT:
        return {**problem, "input": value[: MAX_ECHOED_INPUT - 1] + "…"}
    return problem


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 (each error's type, loc, input and ctx as pydantic gave them) with each `msg` in plain words,
    never a pattern or a validator's wording."""
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for RequestValidationError only
    detail = jsonable_encoder([_without_secret(problem) for problem in plain_errors(error.errors())])
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    if isinstance(error, InvalidField):  # the same 422 as a schema error, so the PWA shows it under the field
        problem = {"type": "value_error", "loc": ("body", error.field), "msg": error.message, "input": error.value}
        return await _validation_error(request, RequestValidationError([problem]))
    return error_response(ErrorBody(detail=error.message), domain_status(error))


async def _sandbox_error(request: Request, error: Exception) -> JSONResponse:
    detail = f"The sandbox could not be reached: {error}"
    return error_response(ErrorBody(detail=detail), status.HTTP_503_SERVICE_UNAVAILABLE)


# What Meta refused that the person can act on is a 409; what only time fixes (a rate limit, Meta unreachable) 503.
SOCIAL_LATER = frozenset({GraphAction.WAIT, GraphAction.RETRY, GraphAction.NOT_READY})


async def _graph_error(request: Request, error: Exception) -> JSONResponse:
    """Meta's refusal in plain words, with what to do (`action`) and until when (`retry_at`)."""
    assert isinstance(error, GraphError)  # noqa: S101 - registered for GraphError only
    later = error.action in SOCIAL_LATER
    body = MetaRefusal(detail=error.plain, action=error.action, retry_at=error.retry_at)
    return error_response(body, status.HTTP_503_SERVICE_UNAVAILABLE if later else status.HTTP_409_CONFLICT)


logger = logging.getLogger(__name__)

# SQLite's primary result codes (sqlite3 gives them as `sqlite_errorcode`, extended codes in the higher bits).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13
DISK_FULL = "The server's disk is full, so nothing was saved. Ask the administrator to free some space, then try again."
DATABASE_BUSY = "The server is busy and saved nothing. Try again in a moment."


def _sqlite_code(error: BaseException) -> int | None:
    original = error.orig if isinstance(error, OperationalError) else error
    code = getattr(original, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _storage_error(error: BaseException) -> tuple[int, str] | None:
    """A failure to store that the person can understand: a full disk (507) or a database that stayed busy past
    its timeout (503, try again); None for anything else (a bug: the ordinary 500, logged with its traceback)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return status.HTTP_507_INSUFFICIENT_STORAGE, DISK_FULL
    code = _sqlite_code(error)
    said = str(error.orig if isinstance(error, OperationalError) else error)
    if code == SQLITE_FULL or "database or disk is full" in said:
        return status.HTTP_507_INSUFFICIENT_STORAGE, DISK_FULL
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in said:
        return status.HTTP_503_SERVICE_UNAVAILABLE, DATABASE_BUSY
    return None


async def _storage_failure(request: Request, error: Exception) -> JSONResponse:
    """A full disk or a busy database in plain words, the cause in the server's log; any other database or OS error
    goes on to the ordinary 500 (raised again, so the server logs its traceback)."""
    answer = _storage_error(error)
    if answer is None:
        raise error
    code, detail = answer
    logger.error("%s %s: %s (%s)", request.scope.get("method", "WS"), request.url.path, detail, error)
    headers = {"Retry-After": "1"} if code == status.HTTP_503_SERVICE_UNAVAILABLE else None
    return error_response(ErrorBody(detail=detail), code, headers)


def install_error_handlers(app: FastAPI) -> None:
    """The one place domain, sandbox and request validation failures become HTTP answers."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(GraphError, _graph_error)
    for sandbox_failure in (EngineUnavailable, SandboxError, ChannelClosed, RunnerError):
        app.add_exception_handler(sandbox_failure, _sandbox_error)
    for storage_failure in (OperationalError, sqlite3.OperationalError, OSError):
        app.add_exception_handler(storage_failure, _storage_failure)
