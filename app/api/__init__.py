"""The JSON API under /api/v1: bearer-token (or session) authenticated, tenant-scoped.

Only the shell: each domain keeps its API in `app/<domain>/api.py`, and this module includes
those routers in `api_router`. Errors come back as problem+json from the handlers in `app.main`,
documented with `app.problems`.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.assessments import api as assessments
from app.exports import api as reports
from app.problems import problems
from app.register import api as register
from app.register.roi import routes as roi
from app.vendors import api as vendors

# Every API error is problem+json (app.main), invalid input included: document 422 that way on
# every route, or FastAPI describes its own HTTPValidationError body, which the API never sends.
api_router = APIRouter(prefix="/api/v1", responses=problems(422))
api_router.include_router(vendors.router)
api_router.include_router(assessments.router)
api_router.include_router(register.router)
api_router.include_router(roi.api_router)
api_router.include_router(reports.router)

__all__ = ["api_router"]
