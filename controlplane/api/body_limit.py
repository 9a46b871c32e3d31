"""Refusing oversized request bodies with the API's usual JSON error."""

from __future__ import annotations

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class JsonBodyLimit:
    """Refuse request bodies over the limit with the API's usual JSON error ({"detail": ...}).

    Starlette's limiter (behind FastAPI's max_body_size) answers a declared Content-Length over the limit
    with a plain-text 413 that replaces any JSON response, so the declared size is checked here first;
    bodies without a Content-Length (chunked) are still counted by Starlette's limiter as they stream.
    """

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = RequestBodyLimitMiddleware(app, max_body_size=max_body_size)
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_size:
                response = JSONResponse({"detail": "Content Too Large"}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
