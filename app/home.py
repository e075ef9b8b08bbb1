"""The landing page after sign-in: buyers see their portfolio, vendors their assessments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import func, select

from app.auth.permissions import Permission, has_permission
from app.dashboard.routes import dashboard_response
from app.deps import CurrentUser, SessionDep
from app.models import Assessment, Role, Vendor
from app.portal.routes import portal_home
from app.web import render

router = APIRouter()


@router.get("/")
def home(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    if Role(user.role).is_vendor:  # a vendor's home is the list of assessments sent to them
        return portal_home(request, user, session)
    if has_permission(user.role, Permission.view_portfolio) and user.organisation_id:
        return dashboard_response(request, session, user)  # the buyer's home is the dashboard
    org = user.organisation_id
    vendors = session.exec(
        select(func.count()).select_from(Vendor).where(Vendor.organisation_id == org)
    ).one()
    by_status = dict(
        session.exec(
            select(Assessment.status, func.count())
            .where(Assessment.organisation_id == org)
            .group_by(Assessment.status)
        ).all()
    )
    return render(request, "home.html", {"counts": {"vendors": vendors, "by_status": by_status}})
