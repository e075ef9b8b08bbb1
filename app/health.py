"""Liveness and readiness probes for the load balancer (public routes)."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.db import ping
from app.migrations import alembic_config

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """The process answers and the database is reachable."""
    try:
        ping(request.app.state.engine)
    except SQLAlchemyError as exc:
        return JSONResponse(
            {"status": "error", "database": "unreachable", "error": type(exc).__name__},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "reachable"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database is reachable and migrated to the latest revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        with request.app.state.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError:
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    ready = current == head
    return JSONResponse(
        {"status": "ok" if ready else "migrating", "revision": current, "head": head},
        status_code=200 if ready else 503,
    )
