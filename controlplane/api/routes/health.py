from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from controlplane import __version__
from controlplane.db import database_reachable

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "A dependency is unreachable"}})
def health(request: Request) -> JSONResponse:
    """Liveness and readiness: is the database reachable?"""
    database_ok = database_reachable(request.app.state.engine)
    body = {
        "status": "ok" if database_ok else "degraded",
        "version": __version__,
        "database": "ok" if database_ok else "unreachable",
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)
