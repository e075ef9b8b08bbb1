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
from app.forms import FieldErrors, PostedForm, form_values, parse, validate
from app.models import User
from app.organisation import service
from app.organisation.people import change_person, list_people
from app.organisation.schemas import ENTITY_TYPES, OrganisationDetails, PersonAccess
from app.vendors import codes
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["organisation"])
Admin = Annotated[User, require(Permission.manage_users)]
PATH = "/settings/organisation"


def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "entity_types": ENTITY_TYPES,
        "currencies": codes.CURRENCIES,
    }
    return render(
        request, "organisation/settings.html", context, block=block, status_code=status_code
    )


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
    values = form_values(OrganisationDetails, form)
    try:
        service.update_register_details(
            session=session,
            actor=user,
            data=validate(OrganisationDetails, values),
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        block = "form" if is_htmx(request) else None  # htmx swaps the form in place
        return _page(request, values, exc.errors, status_code=422, block=block)
    flash(request, "Organisation settings saved.")
    return redirect(request, PATH)


# --- the team: roles and access -------------------------------------------------------------------

PEOPLE = "/settings/people"


@router.get(PEOPLE, summary="People of the organisation and their roles")
def people_page(request: Request, session: SessionDep, user: Admin) -> Response:
    assert user.organisation_id is not None
    people = list_people(session=session, organisation_id=user.organisation_id)
    return render(
        request,
        "organisation/people.html",
        {"people": people, "roles": BUYER_ROLE_OPTIONS},
    )


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
