"""Refusing oversized request bodies with the API's usual JSON error."""

from __future__ import annotations

import re

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
    `larger` gives paths (a regular expression on the whole path) a limit of their own: a chat message with
    attachments is bigger than any other body.
    """

    def __init__(self, app: ASGIApp, max_body_size: int, larger: dict[str, int] | None = None) -> None:
        self.limits = [(re.compile(pattern), size) for pattern, size in (larger or {}).items()]
        self.default = (RequestBodyLimitMiddleware(app, max_body_size=max_body_size), max_body_size)
        self.special = [
            (pattern, (RequestBodyLimitMiddleware(app, max_body_size=size), size)) for pattern, size in self.limits
        ]

    def _for(self, path: str) -> tuple[ASGIApp, int]:
        return next((limited for pattern, limited in self.special if pattern.fullmatch(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app, limit = self._for(scope.get("path", "")) if scope["type"] == "http" else self.default
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                response = JSONResponse({"detail": "Content Too Large"}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)
