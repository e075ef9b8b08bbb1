"""The buyer's provider records: LEI and ultimate parent per provider, and linking spellings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.audit.service import request_ip
from app.auth.permissions import Permission, has_permission
from app.deps import SessionDep, require
from app.errors import InvalidInput
from app.forms import PostedForm, save_form
from app.models import User
from app.vendors import providers
from app.vendors.schemas import ProviderInput
from app.web import flash, redirect, render

router = APIRouter(tags=["register"], include_in_schema=False)

Reader = Annotated[User, require(Permission.view_portfolio)]
Editor = Annotated[User, require(Permission.manage_register)]


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    editing: int | None = None,
    values: dict | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    assert user.organisation_id is not None
    rows = providers.list_providers(session=session, organisation_id=user.organisation_id)
    return render(
        request,
        "register/providers.html",
        {
            "rows": rows,
            "choices": [(p.id, p.name) for p, _ in rows],
            "editing": editing,
            "values": values or {},
            "errors": errors or {},
            "can_edit": has_permission(user.role, Permission.manage_register),
        },
    )


@router.get("/register/providers")
def providers_page(request: Request, session: SessionDep, user: Reader) -> Response:
    return _page(request, session, user)


@router.post("/register/providers/{provider_id}")
def update_provider(
    request: Request, provider_id: int, session: SessionDep, user: Editor, form: PostedForm
) -> Response:
    """The provider's name, LEI, ultimate parent and country."""
    assert user.organisation_id is not None
    provider = providers.get_provider(
        session=session, organisation_id=user.organisation_id, provider_id=provider_id
    )
    saved = save_form(
        ProviderInput,
        form,
        save=lambda data: providers.update_provider(
            session=session, actor=user, provider=provider, data=data, ip=request_ip(request)
        ),
        reshow=lambda values, errors: _page(
            request, session, user, editing=provider_id, values=values, errors=errors
        ),
    )
    if isinstance(saved, Response):
        return saved
    flash(request, f"{provider.name} saved.")
    return redirect(request, f"/register/providers#provider-{provider_id}")


@router.post("/register/providers/{provider_id}/link")
def link_provider(
    request: Request, provider_id: int, session: SessionDep, user: Editor, form: PostedForm
) -> Response:
    """Count this provider as another spelling of the chosen one."""
    assert user.organisation_id is not None
    variant = providers.get_provider(
        session=session, organisation_id=user.organisation_id, provider_id=provider_id
    )
    target = str(form.get("into", ""))
    if not target.isdecimal() or int(target) == provider_id:
        raise InvalidInput("Choose the provider this name is another spelling of.")
    into = providers.get_provider(
        session=session, organisation_id=user.organisation_id, provider_id=int(target)
    )
    name = variant.name
    providers.link_variant(
        session=session, actor=user, variant=variant, into=into, ip=request_ip(request)
    )
    flash(request, f"“{name}” now counts as {into.name}.")
    return redirect(request, f"/register/providers#provider-{into.id}")
