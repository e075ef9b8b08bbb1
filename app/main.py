"""The application factory: middleware, static files, error pages and routers."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import home
from app.api import api_router
from app.api import docs as api_docs
from app.assessments import decision_routes
from app.assessments import routes as assessment_routes
from app.audit import routes as audit_routes
from app.auth import account_routes, team_routes
from app.auth import routes as auth_routes
from app.config import Settings, get_settings
from app.dashboard import routes as dashboard_routes
from app.db import get_engine
from app.deps import current_user, verify_csrf
from app.errors import DomainError, LoginRequired
from app.evidence import routes as evidence_routes
from app.exports import routes as export_routes
from app.health import router as health_router
from app.migrations import upgrade
from app.notifications import routes as notification_routes
from app.organisation import routes as organisation_routes
from app.portal import clauses as portal_clauses
from app.portal import routes as portal_routes
from app.questionnaires import routes as questionnaire_routes
from app.register import clause_routes, provider_routes
from app.register import routes as register_routes
from app.register.roi import group_routes as roi_group_routes
from app.register.roi import routes as roi_routes
from app.scoring import routes as scoring_routes
from app.security import (
    RequestSourceMiddleware,
    SecurityHeadersMiddleware,
    redact_access_log,
    redact_url,
)
from app.serving import serving
from app.vendors import profile_routes as vendor_profile_routes
from app.vendors import routes as vendor_routes
from app.web import PROJECT_ROOT, is_htmx, render

log = logging.getLogger("assay")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or get_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Held while serving: `assay restore` refuses to replace the database under us.
        with serving(app.state.settings.database_url):
            if app.state.migrate_on_start:
                upgrade(engine)
            stop_background = None
            if settings.background_tasks:  # outbox, reminders, re-assessments (off in tests)
                from app.assessments.jobs import start_background

                stop_background = start_background(engine, settings)
            yield
            if stop_background is not None:
                await stop_background()

    app = FastAPI(
        title="Assay",
        summary="Vendor AI due diligence for DORA-regulated buyers.",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # app/api/docs.py serves both to signed-in users, with vendored assets
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.migrate_on_start = True

    redact_access_log()
    app.add_middleware(RequestSourceMiddleware)  # inside the security headers: refusals get them
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.https)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="assay_session",
        max_age=settings.session_absolute_hours * 3600,
        same_site="lax",
        https_only=settings.https,
    )
    # Outermost: the client address every part sees is the one a trusted proxy forwarded.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")

    public = APIRouter(dependencies=[Depends(verify_csrf)])
    public.include_router(auth_routes.public_router)
    protected = APIRouter(dependencies=[Depends(verify_csrf), Depends(current_user)])
    # By domain. No two routers answer the same method and path, so the order does not matter.
    protected.include_router(auth_routes.router)
    protected.include_router(account_routes.router)
    protected.include_router(team_routes.router)
    protected.include_router(home.router)
    protected.include_router(dashboard_routes.router)
    protected.include_router(organisation_routes.router)
    protected.include_router(notification_routes.router)
    protected.include_router(vendor_routes.router)
    protected.include_router(vendor_profile_routes.router)
    protected.include_router(evidence_routes.router)
    protected.include_router(questionnaire_routes.router)
    protected.include_router(assessment_routes.router)
    protected.include_router(decision_routes.router)
    protected.include_router(portal_routes.router)
    protected.include_router(register_routes.router)
    protected.include_router(provider_routes.router)
    protected.include_router(clause_routes.router)
    protected.include_router(portal_clauses.router)
    protected.include_router(scoring_routes.router)
    protected.include_router(roi_routes.router)
    protected.include_router(roi_group_routes.router)
    protected.include_router(export_routes.router)
    protected.include_router(audit_routes.router)
    protected.include_router(api_router)
    protected.include_router(api_docs.router)

    app.include_router(health_router)
    # Before `protected` (whose /vendors/{id}/{part} would match first): streams its body before
    # opening a unit of work; authenticates and checks CSRF itself.
    app.include_router(evidence_routes.upload_router)
    app.include_router(public)
    app.include_router(protected)
    _install_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return (
        (request.url.path.startswith("/api/") and request.url.path != "/api/docs")  # a page
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def problem(status: int, title: str, detail: str, errors: list | None = None) -> JSONResponse:
    body: dict = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def error_page(request: Request, status: int, title: str, message: str, details=()) -> Response:
    if _wants_json(request):
        return problem(status, title, message, list(details))
    if is_htmx(request):
        return render(
            request,
            "errors/error.html",
            {"status": status, "title": title, "message": message, "details": details},
            block="toast",
            status_code=status,
            headers={"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"},
        )
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message, "details": details},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return error_page(request, exc.status_code, exc.title, exc.message, exc.details)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return problem(401, "Not signed in", "Sign in or send a valid API token.")
        target = "/login"
        if request.method == "GET":
            target += f"?next={request.url.path}"
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'request'}: {err['msg']}"
            for err in exc.errors()
        ]
        return error_page(
            request, 422, "Invalid input", "Some fields are missing or invalid.", details
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: "There is nothing here, or you do not have access to it.",
            405: "That action is not available here.",
        }
        message = messages.get(exc.status_code, str(exc.detail))
        return error_page(request, exc.status_code, str(exc.detail), message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, redact_url(request.url.path))
        return error_page(
            request,
            500,
            "Something went wrong",
            "The error was logged. Nothing was saved; please try again.",
        )
