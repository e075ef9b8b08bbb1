"""Inviting vendor contacts: procurement for its vendors, a vendor admin for their colleagues."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from app.auth.invitations import invite_vendor_contact, remove_colleague, team_of
from app.auth.permissions import Permission
from app.auth.schemas import VENDOR_ROLE_OPTIONS, InviteForm
from app.auth.tenancy import get_scoped, scope_buyer
from app.deps import CurrentUser, SessionDep, require
from app.forms import PostedForm, parse
from app.models import Invitation, Role, User, Vendor
from app.web import flash, redirect, render

router = APIRouter(tags=["team"])


def _invite(
    request: Request, session: SessionDep, user: User, form: PostedForm, *, default_role: Role
) -> tuple[Vendor, str]:
    """Invite the contact the form names to one of the caller's vendors: (vendor, email)."""
    data = parse(InviteForm, form)
    vendor = get_scoped(session=session, model=Vendor, object_id=data.vendor_id, user=user)
    invite_vendor_contact(
        session=session,
        actor=user,
        vendor=vendor,
        email=data.email,
        name=data.name,
        role=data.role or default_role,
        settings=request.app.state.settings,
    )
    return vendor, data.email


@router.get("/vendor-team", dependencies=[require(Permission.manage_vendor_team)])
def vendor_team(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    teams = team_of(session=session, user=user)
    context = {"teams": teams, "roles": VENDOR_ROLE_OPTIONS, "default_role": Role.vendor_contact}
    return render(request, "account/vendor_team.html", context)


@router.post("/vendor-team/invite", dependencies=[require(Permission.manage_vendor_team)])
def invite_colleague(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    _, email = _invite(request, session, user, form, default_role=Role.vendor_contact)
    flash(request, f"Invitation sent to {email}.")
    return redirect(request, "/vendor-team")


@router.post(
    "/vendor-team/{contact_id}/remove", dependencies=[require(Permission.manage_vendor_team)]
)
def remove_from_team(
    request: Request, user: CurrentUser, session: SessionDep, contact_id: int
) -> Response:
    contact = remove_colleague(session=session, actor=user, contact_id=contact_id)
    flash(request, f"{contact.name} no longer has access.")
    return redirect(request, "/vendor-team")


@router.get("/vendor-invitations", dependencies=[require(Permission.manage_vendors)])
def vendor_invitations(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    vendors = session.exec(scope_buyer(select(Vendor), Vendor, user).order_by(Vendor.legal_name))
    vendor_options = {vendor.id: vendor.legal_name for vendor in vendors}
    invitations = session.exec(
        scope_buyer(select(Invitation, Vendor.legal_name), Invitation, user)
        .join(Vendor, Vendor.id == Invitation.vendor_id)
        .order_by(Invitation.created_at.desc())
        .limit(50)
    ).all()
    context = {
        "vendors": vendor_options,
        "invitations": invitations,
        "roles": VENDOR_ROLE_OPTIONS,
        "default_role": Role.vendor_admin,
    }
    return render(request, "account/vendor_invitations.html", context)


@router.post("/vendor-invitations", dependencies=[require(Permission.manage_vendors)])
def invite_vendor(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    vendor, email = _invite(request, session, user, form, default_role=Role.vendor_admin)
    flash(request, f"Invitation sent to {email} at {vendor.legal_name}.")
    return redirect(request, "/vendor-invitations")
