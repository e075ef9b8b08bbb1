"""Inviting vendor contacts: procurement for its vendors, a vendor admin for their colleagues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import select

from app.auth.invitations import invite_vendor_contact, remove_colleague, team_of
from app.auth.permissions import Permission
from app.auth.tenancy import get_scoped, scope_buyer
from app.deps import CurrentUser, SessionDep, require
from app.models import Invitation, Role, Vendor
from app.web import flash, redirect, render

router = APIRouter(tags=["team"])

VendorId = Annotated[int, Form()]
Email = Annotated[str, Form(max_length=320)]
Name = Annotated[str, Form(max_length=200)]
InviteRole = Annotated[Role, Form()]


@router.get("/vendor-team", dependencies=[require(Permission.manage_vendor_team)])
def vendor_team(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return render(request, "account/vendor_team.html", {"teams": team_of(session, user=user)})


@router.post("/vendor-team/invite", dependencies=[require(Permission.manage_vendor_team)])
def invite_colleague(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    vendor_id: VendorId,
    email: Email,
    name: Name = "",
    role: InviteRole = Role.vendor_contact,
) -> Response:
    vendor = get_scoped(session, Vendor, vendor_id, user)
    invite_vendor_contact(
        session=session,
        actor=user,
        vendor=vendor,
        email=email,
        name=name,
        role=role,
        settings=request.app.state.settings,
    )
    flash(request, f"Invitation sent to {email}.")
    return redirect(request, "/vendor-team")


@router.post(
    "/vendor-team/{contact_id}/remove", dependencies=[require(Permission.manage_vendor_team)]
)
def remove_from_team(
    request: Request, user: CurrentUser, session: SessionDep, contact_id: int
) -> Response:
    contact = remove_colleague(session, actor=user, contact_id=contact_id)
    flash(request, f"{contact.name} no longer has access.")
    return redirect(request, "/vendor-team")


@router.get("/vendor-invitations", dependencies=[require(Permission.manage_vendors)])
def vendor_invitations(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    vendors = session.exec(scope_buyer(select(Vendor), Vendor, user).order_by(Vendor.legal_name))
    invitations = session.exec(
        scope_buyer(select(Invitation, Vendor.legal_name), Invitation, user)
        .join(Vendor, Vendor.id == Invitation.vendor_id)
        .order_by(Invitation.created_at.desc())
        .limit(50)
    ).all()
    context = {"vendors": vendors.all(), "invitations": invitations}
    return render(request, "account/vendor_invitations.html", context)


@router.post("/vendor-invitations", dependencies=[require(Permission.manage_vendors)])
def invite_vendor(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    vendor_id: VendorId,
    email: Email,
    name: Name = "",
    role: InviteRole = Role.vendor_admin,
) -> Response:
    vendor = get_scoped(session, Vendor, vendor_id, user)
    invite_vendor_contact(
        session=session,
        actor=user,
        vendor=vendor,
        email=email,
        name=name,
        role=role,
        settings=request.app.state.settings,
    )
    flash(request, f"Invitation sent to {email} at {vendor.legal_name}.")
    return redirect(request, "/vendor-invitations")
