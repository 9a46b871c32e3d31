from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from controlplane import __version__
from controlplane.db import database_reachable
from controlplane.sandbox.backend import EngineUnavailable

router = APIRouter(tags=["health"])


def _engine_state(request: Request) -> tuple[bool, dict[str, str]]:
    manager = request.app.state.sandboxes
    if manager is None:
        return True, {"state": "disabled"}
    try:
        return True, {"state": "ok", **manager.backend.engine_info()}
    except EngineUnavailable as exc:
        return False, {"state": "unreachable", "detail": str(exc)}


@router.get("/health", responses={503: {"description": "A dependency is unreachable"}})
def health(request: Request) -> JSONResponse:
    """Liveness and readiness: are the database and the container engine reachable?"""
    database_ok = database_reachable(request.app.state.engine)
    engine_ok, engine = _engine_state(request)
    healthy = database_ok and engine_ok
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "database": "ok" if database_ok else "unreachable",
        "container_engine": engine,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
