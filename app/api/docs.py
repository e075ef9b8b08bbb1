"""The API's description for people who are signed in: the OpenAPI schema and its reference
page, drawn by Swagger UI served from `static/vendor/` (no CDN, no inline script: the CSP holds).

Signed-in only: the schema maps every route and parameter, which a stranger has no need of.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import CurrentUser
from app.web import render

SWAGGER_UI = "5.36.0"  # swagger-ui-dist from npm; files in static/vendor/
router = APIRouter(tags=["api documentation"], include_in_schema=False)


@router.get("/api/openapi.json")
def openapi_schema(request: Request, user: CurrentUser) -> dict[str, Any]:
    return request.app.openapi()


@router.get("/api/docs")
def api_docs(request: Request, user: CurrentUser) -> Response:
    return render(request, "api/docs.html", {"swagger_ui": SWAGGER_UI})
