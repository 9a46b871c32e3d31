"""The framing of the runner protocol (docs/runner-protocol.md), with no I/O in it: how a line becomes a
request, and how replies and events become lines. The names and limits are in autocode_runner.contract.wire.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeGuard

from autocode_runner.contract.wire import ErrorCode

RequestId = int | str | None


class RunnerError(Exception):
    """A failure the client is told about as a typed error reply instead of a traceback."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RejectedLine(Exception):
    """A line that cannot be dispatched; carries whatever request id could be read from it."""

    def __init__(self, request_id: RequestId, error: RunnerError) -> None:
        super().__init__(error.message)
        self.request_id = request_id
        self.error = error


@dataclass(frozen=True)
class Request:
    id: int | str
    method: str
    params: dict[str, Any]


def _valid_id(value: object) -> TypeGuard[int | str]:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def parse_request(line: bytes) -> Request:
    """Turn one line into a Request, or raise RejectedLine with the error reply's code and id."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        reason = "not UTF-8" if isinstance(error, UnicodeDecodeError) else "not JSON"
        raise RejectedLine(None, RunnerError(ErrorCode.BAD_REQUEST, f"the line is {reason}")) from None
    if not isinstance(message, dict):
        raise RejectedLine(None, RunnerError(ErrorCode.BAD_REQUEST, "the line is not a JSON object"))
    request_id = message.get("id")
    if not _valid_id(request_id):
        raise RejectedLine(
            None, RunnerError(ErrorCode.BAD_REQUEST, "the request needs an 'id' that is an integer or a string")
        )
    method = message.get("method")
    if not isinstance(method, str) or not method:
        raise RejectedLine(request_id, RunnerError(ErrorCode.BAD_REQUEST, "the request has no 'method' string"))
    params = message.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise RejectedLine(
            request_id, RunnerError(ErrorCode.INVALID_PARAMS, "'params' must be a JSON object when given")
        )
    return Request(request_id, method, params)


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line. Lone surrogates (undecodable file names) are escaped, never sent raw."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "backslashreplace") + b"\n"


def result_reply(request_id: RequestId, result: dict[str, Any]) -> dict[str, Any]:
    return {"id": request_id, "result": result}


def error_reply(request_id: RequestId, error: RunnerError) -> dict[str, Any]:
    return {"id": request_id, "error": {"code": str(error.code), "message": error.message}}


def event_message(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"event": name, "data": data}
