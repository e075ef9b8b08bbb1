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


API_PREFIXES = ("/api/", "/healthz", "/readyz")


@router.get("/api/openapi.json")
def openapi_schema(request: Request, user: CurrentUser) -> dict[str, Any]:
    """The JSON API and the health checks: the reference of what an API client may call. The
    browser pages' form routes are left out (the full schema stays `app.openapi()`)."""
    schema = request.app.openapi()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith(API_PREFIXES)}
    return {**schema, "paths": paths}


@router.get("/api/docs")
def api_docs(request: Request, user: CurrentUser) -> Response:
    return render(request, "api/docs.html", {"swagger_ui": SWAGGER_UI})
