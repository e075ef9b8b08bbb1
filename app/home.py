"""The landing page after sign-in: vendors see their assessments, buyers their portfolio."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.permissions import Permission, has_permission
from app.dashboard.service import home_counts
from app.dashboard.view import dashboard_response
from app.deps import CurrentUser, SessionDep
from app.models import Role
from app.portal.view import portal_home_response
from app.web import render

router = APIRouter()


@router.get("/")
def home(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    if Role(user.role).is_vendor:  # a vendor's home is the list of assessments sent to them
        return portal_home_response(request, session, user)
    if has_permission(user.role, Permission.view_portfolio) and user.organisation_id:
        return dashboard_response(request, session, user)  # the buyer's home is the dashboard
    counts = home_counts(session=session, organisation_id=user.organisation_id)
    return render(request, "home.html", {"counts": counts})
