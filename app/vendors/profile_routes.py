"""The buyer's review of register facts a vendor proposed in its portal: a diff, accept or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.auth.tenancy import get_scoped
from app.deps import SessionDep, require
from app.errors import NotFound
from app.forms import PostedForm, parse
from app.models import User, Vendor
from app.vendors import profile_changes
from app.vendors.schemas import Rejection
from app.web import flash, redirect, render

router = APIRouter(prefix="/vendors", tags=["vendors"], include_in_schema=False)

PortfolioViewer = Annotated[User, require(Permission.view_portfolio)]
VendorManager = Annotated[User, require(Permission.manage_vendors)]


@router.get("/{vendor_id}/profile-changes")
def profile_changes_page(
    request: Request, vendor_id: int, user: PortfolioViewer, session: SessionDep
) -> Response:
    vendor = get_scoped(session=session, model=Vendor, object_id=vendor_id, user=user)
    current = profile_changes.register_snapshot(session=session, vendor=vendor)
    changes = [
        (
            change,
            profile_changes.profile_diff(current, change.data)
            if change.status == "pending"
            else [],
        )
        for change in profile_changes.profile_changes(session=session, vendor=vendor)
    ]
    return render(request, "vendors/profile_changes.html", {"vendor": vendor, "changes": changes})


@router.post("/{vendor_id}/profile-changes/{change_id}/{decision}")
def decide_profile_change(
    request: Request,
    vendor_id: int,
    change_id: int,
    decision: str,
    user: VendorManager,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    vendor = get_scoped(session=session, model=Vendor, object_id=vendor_id, user=user)
    change = profile_changes.get_change(session=session, vendor=vendor, change_id=change_id)
    if decision == "accept":
        diff = profile_changes.accept_change(
            session=session, actor=user, vendor=vendor, change=change, ip=request_ip(request)
        )
        flash(request, f"Accepted: {len(diff)} field(s) updated in the register.")
    elif decision == "reject":
        profile_changes.reject_change(
            session=session,
            actor=user,
            vendor=vendor,
            change=change,
            note=parse(Rejection, form).note,
            ip=request_ip(request),
        )
        flash(request, "Rejected; the register is unchanged.")
    else:
        raise NotFound("No such action.")
    return redirect(request, f"/vendors/{vendor.id}/profile-changes")
