"""Organisation settings (admins): the details the Register of Information reports about the
organisation itself. A plain form that htmx re-renders in place on errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.auth.schemas import BUYER_ROLE_OPTIONS
from app.deps import SessionDep, require
from app.errors import InvalidInput
from app.forms import FieldErrors, PostedForm, form_values, parse, save_form, validate
from app.models import Organisation, Role, User
from app.organisation import roi_settings, service
from app.organisation.colleagues import (
    invite_colleague,
    is_expired,
    pending_invitations,
    resend_invitation,
    revoke_invitation,
)
from app.organisation.people import change_person, list_people
from app.organisation.schemas import (
    ENTITY_TYPES,
    ColleagueInvite,
    OrganisationDetails,
    PersonAccess,
    RoiSettings,
    SsoSettings,
)
from app.organisation.sso import save_sso, sso_values
from app.vendors import codes
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["organisation"])
Admin = Annotated[User, require(Permission.manage_users)]
PATH = "/settings/organisation"


def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    block: str | None = None,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "entity_types": ENTITY_TYPES,
        "currencies": codes.CURRENCIES,
    }
    return render(request, "organisation/settings.html", context, block=block)


@router.get(PATH, summary="Organisation settings")
def organisation_settings(request: Request, session: SessionDep, user: Admin) -> Response:
    org = service.get_organisation(session=session, user=user)
    return _page(request, service.register_details(org))


@router.post(PATH, summary="Save the organisation settings")
def save_organisation_settings(
    request: Request,
    session: SessionDep,
    user: Admin,
    form: PostedForm,
) -> Response:
    saved = save_form(
        OrganisationDetails,
        form,
        save=lambda data: service.update_register_details(
            session=session, actor=user, data=data, ip=request_ip(request)
        ),
        # htmx swaps the form in place
        reshow=lambda values, errors: _page(
            request, values, errors, block="form" if is_htmx(request) else None
        ),
    )
    if isinstance(saved, Response):
        return saved
    flash(request, "Organisation settings saved.")
    return redirect(request, PATH)


# --- the Register of Information: taxonomy release and file naming ------------------------------

ROI = "/settings/register-of-information"


def _roi_page(
    request: Request,
    org: Organisation,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    previewing: bool = False,
) -> Response:
    """The form, with the file name a package gets under the shown values (when valid)."""
    name = problem = None
    if not errors:
        try:
            naming = roi_settings.stored_naming(validate(RoiSettings, values))
            name = roi_settings.preview(
                org, release=values["release"], naming=naming, now=roi_settings.now()
            )
        except InvalidInput as exc:  # a stored setting this version no longer accepts
            problem = str(exc)
    context = {
        "values": values,
        "errors": errors or {},
        "releases": roi_settings.release_options(),
        "namings": roi_settings.naming_options(),
        "preview": name,
        "preview_problem": problem,
        "previewing": previewing,
    }
    return render(request, "organisation/register.html", context, status_code=status_code)


@router.get(ROI, summary="Register of Information settings")
def roi_settings_page(request: Request, session: SessionDep, user: Admin) -> Response:
    org = service.get_organisation(session=session, user=user)
    return _roi_page(request, org, roi_settings.roi_settings_values(org))


@router.post(ROI, summary="Save the Register of Information settings, or preview the file name")
def save_roi_settings_route(
    request: Request, session: SessionDep, user: Admin, form: PostedForm
) -> Response:
    values = form_values(RoiSettings, form)
    org = service.get_organisation(session=session, user=user)
    try:
        data = validate(RoiSettings, values)
        if form.get("action") == "preview":  # show the name, save nothing
            roi_settings.stored_naming(data)
            return _roi_page(request, org, values, previewing=True)
        roi_settings.save_roi_settings(
            session=session, actor=user, data=data, ip=request_ip(request)
        )
    except FieldErrors as exc:
        return _roi_page(request, org, values, exc.errors, status_code=422)
    flash(request, "Register of Information settings saved.")
    return redirect(request, ROI)


# --- the team: roles and access -------------------------------------------------------------------

PEOPLE = "/settings/people"


def _people_page(
    request: Request,
    session: SessionDep,
    user: User,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    assert user.organisation_id is not None
    context = {
        "people": list_people(session=session, organisation_id=user.organisation_id),
        "invitations": pending_invitations(session=session, organisation_id=user.organisation_id),
        "is_expired": is_expired,
        "roles": BUYER_ROLE_OPTIONS,
        "values": values or {"role": Role.procurement.value},
        "errors": errors or {},
    }
    return render(request, "organisation/people.html", context)


@router.get(PEOPLE, summary="People of the organisation and their roles")
def people_page(request: Request, session: SessionDep, user: Admin) -> Response:
    return _people_page(request, session, user)


INVITATIONS = "/settings/invitations"


@router.post(INVITATIONS, summary="Invite a colleague")
def invite_colleague_route(
    request: Request, session: SessionDep, user: Admin, form: PostedForm
) -> Response:
    sent = save_form(
        ColleagueInvite,
        form,
        save=lambda data: invite_colleague(
            session=session,
            actor=user,
            email=data.email,
            name=data.name,
            role=data.role,
            settings=request.app.state.settings,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _people_page(request, session, user, values, errors),
    )
    if isinstance(sent, Response):
        return sent
    invitation, _ = sent
    flash(request, f"Invitation sent to {invitation.email}.")
    return redirect(request, PEOPLE)


@router.post(INVITATIONS + "/{invitation_id}/resend", summary="Send an invitation again")
def resend_invitation_route(
    request: Request, session: SessionDep, user: Admin, invitation_id: int
) -> Response:
    invitation, _ = resend_invitation(
        session=session,
        actor=user,
        invitation_id=invitation_id,
        settings=request.app.state.settings,
        ip=request_ip(request),
    )
    flash(request, f"A new invitation link is on its way to {invitation.email}.")
    return redirect(request, PEOPLE)


@router.post(INVITATIONS + "/{invitation_id}/revoke", summary="Withdraw an invitation")
def revoke_invitation_route(
    request: Request, session: SessionDep, user: Admin, invitation_id: int
) -> Response:
    invitation = revoke_invitation(
        session=session, actor=user, invitation_id=invitation_id, ip=request_ip(request)
    )
    flash(request, f"The invitation of {invitation.email} is withdrawn.")
    return redirect(request, PEOPLE)


# --- single sign-on -------------------------------------------------------------------------------

SSO = "/settings/sso"


def _sso_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    settings = request.app.state.settings
    context = {
        "values": values,
        "errors": errors or {},
        "roles": BUYER_ROLE_OPTIONS,
        "callback_url": settings.base_url + "/login/sso/callback",
    }
    return render(request, "organisation/sso.html", context)


@router.get(SSO, summary="Single sign-on settings")
def sso_settings(request: Request, session: SessionDep, user: Admin) -> Response:
    org = service.get_organisation(session=session, user=user)
    secret = request.app.state.settings.resolved_secret_key()
    return _sso_page(request, sso_values(org, server_secret=secret))


@router.post(SSO, summary="Save the single sign-on settings")
def save_sso_settings(
    request: Request, session: SessionDep, user: Admin, form: PostedForm
) -> Response:
    secret = request.app.state.settings.resolved_secret_key()

    def reshow(values: dict[str, Any], errors: dict[str, str]) -> Response:
        """The stored settings under what was typed, but never the typed client secret."""
        org = service.get_organisation(session=session, user=user)
        shown = sso_values(org, server_secret=secret) | {
            k: v for k, v in values.items() if k != "oidc_client_secret"
        }
        return _sso_page(request, shown, errors)

    saved = save_form(
        SsoSettings,
        form,
        save=lambda data: save_sso(
            session=session, actor=user, data=data, server_secret=secret, ip=request_ip(request)
        ),
        reshow=reshow,
    )
    if isinstance(saved, Response):
        return saved
    flash(request, "Single sign-on settings saved.")
    return redirect(request, SSO)


@router.post(PEOPLE + "/{user_id}", summary="Change a person's role or access")
def change_person_route(
    request: Request,
    session: SessionDep,
    user: Admin,
    user_id: int,
    form: PostedForm,
) -> Response:
    access = parse(PersonAccess, form)
    person = change_person(
        session=session,
        actor=user,
        user_id=user_id,
        role=access.role,
        active=access.active,
        ip=request_ip(request),
    )
    flash(
        request,
        f"Saved {person.name}: {person.role}, {'active' if person.active else 'deactivated'}.",
    )
    return redirect(request, PEOPLE)
