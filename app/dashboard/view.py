"""The dashboard page, rendered for /dashboard and for a buyer's home page at /."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app.dashboard.service import chart_svgs, dashboard
from app.dashboard.tasks import my_tasks
from app.models import User, utcnow
from app.web import render


def dashboard_response(request: Request, session: Session, user: User) -> Response:
    """The dashboard of the user's organisation (a buyer with `view_portfolio`)."""
    assert user.organisation_id is not None
    today = utcnow().date()
    figures = dashboard(session=session, organisation_id=user.organisation_id, today=today)
    charts = {name: Markup(markup) for name, markup in chart_svgs(figures).items()}  # noqa: S704 (built with escape())
    tasks = my_tasks(session=session, user=user, today=today)
    return render(
        request,
        "dashboard/index.html",
        {"d": figures, "charts": charts, "today": today, "tasks": tasks},
    )
