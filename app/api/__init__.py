"""The JSON API under /api/v1: bearer-token (or session) authenticated, tenant-scoped.

Domains add their routers to `api_router`; errors come back as problem+json from the handlers in
`app.main`.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api import vendors
from app.api.problems import problems
from app.assessments import api as assessments
from app.exports import api as reports
from app.register import api as register
from app.register.roi import routes as roi

# Every API error is problem+json (app.main), invalid input included: document 422 that way on
# every route, or FastAPI describes its own HTTPValidationError body, which the API never sends.
api_router = APIRouter(prefix="/api/v1", responses=problems(422))
api_router.include_router(vendors.router)
api_router.include_router(assessments.router)
api_router.include_router(register.router)
api_router.include_router(roi.api_router)
api_router.include_router(reports.router)

__all__ = ["api_router"]
