"""/dashboard: the buyer's home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app.auth.permissions import Permission
from app.dashboard.service import chart_svgs, dashboard
from app.deps import SessionDep, require
from app.models import User, utcnow
from app.web import render

router = APIRouter()
Reader = Annotated[User, require(Permission.view_portfolio)]


@router.get("/dashboard")
def dashboard_page(request: Request, session: SessionDep, user: Reader) -> Response:
    return dashboard_response(request, session, user)


def dashboard_response(request: Request, session: Session, user: User) -> Response:
    """The dashboard page; also the buyer's home page at /."""
    assert user.organisation_id is not None
    today = utcnow().date()
    figures = dashboard(session=session, organisation_id=user.organisation_id, today=today)
    charts = {name: Markup(markup) for name, markup in chart_svgs(figures).items()}  # noqa: S704 (built with escape())
    return render(request, "dashboard/index.html", {"d": figures, "charts": charts, "today": today})
