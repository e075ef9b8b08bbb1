"""The register's group: its entities and branches (B_01.02, B_01.03), which vendor is an
entity of the group (B_03.03), and who uses and signs each arrangement. Plain HTML forms; a
bad input re-renders the form with its messages (422) and saves nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.forms import FieldErrors, PostedForm, save_form
from app.models import Contract, GroupEntity, Organisation, User, Vendor
from app.register.roi import group
from app.vendors import codes
from app.web import flash, redirect, render

router = APIRouter(tags=["register"])
Manager = Annotated[User, require(Permission.manage_register)]
PAGE = "/register/roi/entities"


def _org(session: Session, user: User) -> Organisation:
    org = session.get(Organisation, user.organisation_id)
    assert org is not None
    return org


def _names(session: Session, org: Organisation) -> dict[int, str]:
    """Entity id → what the page calls it (the own entity by the organisation's name)."""
    return {
        e.id: (org.name if e.maintains_register else e.name)  # type: ignore[misc]
        for e in group.list_entities(session=session, organisation_id=org.id)  # type: ignore[arg-type]
    }


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    entity_values: dict[str, Any] | None = None,
    branch_values: dict[str, Any] | None = None,
    entity_errors: dict[str, str] | None = None,
    branch_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    org = _org(session, user)
    entities = group.list_entities(session=session, organisation_id=org.id)  # type: ignore[arg-type]
    vendors = session.exec(
        select(Vendor).where(
            Vendor.organisation_id == org.id, col(Vendor.group_entity_id).is_not(None)
        )
    ).all()
    contracts = session.exec(
        select(Contract).where(Contract.organisation_id == org.id).order_by(col(Contract.reference))
    ).all()
    context = {
        "org": org,
        "entities": entities,
        "names": _names(session, org),
        "branches": group.list_branches(session=session, organisation_id=org.id),  # type: ignore[arg-type]
        "providers": {v.group_entity_id: v for v in vendors},
        "contracts": contracts,
        "hierarchy": group.HIERARCHY,
        "entity_types": group.ENTITY_TYPES,
        "currencies": codes.CURRENCIES,
        "entity_values": entity_values or {"hierarchy": "x56", "currency": "EUR"},
        "branch_values": branch_values or {},
        "entity_errors": entity_errors or {},
        "branch_errors": branch_errors or {},
    }
    return render(request, "register/roi_entities.html", context, status_code=status_code)


@router.get(PAGE, summary="The register's entities and branches")
def entities_page(request: Request, session: SessionDep, user: Manager) -> Response:
    return _page(request, session, user)


@router.post(PAGE, summary="Add an entity to the register's scope")
def add_entity(request: Request, session: SessionDep, user: Manager, form: PostedForm) -> Response:
    entity = save_form(
        group.EntityForm,
        form,
        save=lambda data: group.save_entity(
            session=session, actor=user, organisation=_org(session, user), data=data,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _page(
            request, session, user, entity_values=values, entity_errors=errors
        ),
    )  # fmt: skip
    if isinstance(entity, Response):
        return entity
    flash(request, f"{entity.name} added to the register's scope.")
    return redirect(request, PAGE)


def _entity_page(
    request: Request,
    session: Session,
    user: User,
    entity: GroupEntity,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    org = _org(session, user)
    names = _names(session, org)
    provider = group.intra_group_vendor(
        session=session,
        organisation_id=org.id,
        entity_id=entity.id,  # type: ignore[arg-type]
    )
    vendors = session.exec(
        select(Vendor).where(Vendor.organisation_id == org.id).order_by(col(Vendor.legal_name))
    ).all()
    context = {
        "org": org,
        "entity": entity,
        "parents": {i: n for i, n in names.items() if i != entity.id},
        "values": values or {f: getattr(entity, f) for f in group.EntityForm.model_fields},
        "errors": errors or {},
        "hierarchy": group.HIERARCHY,
        "entity_types": group.ENTITY_TYPES,
        "currencies": codes.CURRENCIES,
        "provider": provider,
        "vendors": {v.id: f"{v.legal_name} ({v.identifier})" for v in vendors},
    }
    return render(request, "register/roi_entity.html", context, status_code=status_code)


@router.get(PAGE + "/{entity_id}", summary="An entity of the register")
def entity_page(request: Request, session: SessionDep, user: Manager, entity_id: int) -> Response:
    entity = group.get_entity(
        session=session,
        organisation_id=user.organisation_id,
        entity_id=entity_id,  # type: ignore[arg-type]
    )
    return _entity_page(request, session, user, entity)


@router.post(PAGE + "/{entity_id}", summary="Change an entity of the register")
def save_entity(
    request: Request, session: SessionDep, user: Manager, entity_id: int, form: PostedForm
) -> Response:
    org = _org(session, user)
    entity = group.get_entity(session=session, organisation_id=org.id, entity_id=entity_id)  # type: ignore[arg-type]
    saved = save_form(
        group.OwnEntityForm if entity.maintains_register else group.EntityForm,
        form,
        save=lambda data: group.save_entity(
            session=session, actor=user, organisation=org, data=data, entity_id=entity_id,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _entity_page(
            request, session, user,
            group.get_entity(session=session, organisation_id=org.id, entity_id=entity_id),  # type: ignore[arg-type]
            values, errors,
        ),
    )  # fmt: skip
    if isinstance(saved, Response):
        return saved
    flash(request, "Entity saved.")
    return redirect(request, PAGE)


@router.post(PAGE + "/{entity_id}/provider", summary="Mark the vendor that is this entity")
def save_provider(
    request: Request, session: SessionDep, user: Manager, entity_id: int, form: PostedForm
) -> Response:
    org = _org(session, user)
    raw = str(form.get("vendor_id") or "").strip()
    try:
        vendor_id = int(raw) if raw else None
    except ValueError:
        vendor_id = -1
    try:
        group.mark_intra_group(
            session=session, actor=user, organisation=org, entity_id=entity_id,
            vendor_id=vendor_id, ip=request_ip(request),
        )  # fmt: skip
    except FieldErrors as exc:
        entity = group.get_entity(session=session, organisation_id=org.id, entity_id=entity_id)  # type: ignore[arg-type]
        return _entity_page(request, session, user, entity, None, exc.errors, 422)
    flash(request, "Intra-group provider saved.")
    return redirect(request, f"{PAGE}/{entity_id}")


# --- branches -------------------------------------------------------------------------------


@router.post("/register/roi/branches", summary="Add a branch")
def add_branch(request: Request, session: SessionDep, user: Manager, form: PostedForm) -> Response:
    branch = save_form(
        group.BranchForm,
        form,
        save=lambda data: group.save_branch(
            session=session, actor=user, organisation=_org(session, user), data=data,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _page(
            request, session, user, branch_values=values, branch_errors=errors
        ),
    )  # fmt: skip
    if isinstance(branch, Response):
        return branch
    flash(request, f"Branch {branch.code} added.")
    return redirect(request, PAGE)


def _branch_page(request, session, user, branch, values=None, errors=None, status_code=200):
    org = _org(session, user)
    context = {
        "branch": branch,
        "values": values or {f: getattr(branch, f) for f in group.BranchForm.model_fields},
        "errors": errors or {},
        "heads": _names(session, org),
    }
    return render(request, "register/roi_branch.html", context, status_code=status_code)


@router.get("/register/roi/branches/{branch_id}", summary="A branch")
def branch_page(request: Request, session: SessionDep, user: Manager, branch_id: int) -> Response:
    branch = group.get_branch(
        session=session,
        organisation_id=user.organisation_id,
        branch_id=branch_id,  # type: ignore[arg-type]
    )
    return _branch_page(request, session, user, branch)


@router.post("/register/roi/branches/{branch_id}", summary="Change a branch")
def save_branch(
    request: Request, session: SessionDep, user: Manager, branch_id: int, form: PostedForm
) -> Response:
    org = _org(session, user)
    saved = save_form(
        group.BranchForm,
        form,
        save=lambda data: group.save_branch(
            session=session, actor=user, organisation=org, branch_id=branch_id, data=data,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _branch_page(
            request, session, user,
            group.get_branch(session=session, organisation_id=org.id, branch_id=branch_id),  # type: ignore[arg-type]
            values, errors,
        ),
    )  # fmt: skip
    if isinstance(saved, Response):
        return saved
    flash(request, "Branch saved.")
    return redirect(request, PAGE)


# --- who in the group uses and signs an arrangement ---------------------------------------------


def _arrangement_page(request, session, user, contract, values=None, errors=None, status=200):
    org = _org(session, user)
    context = {
        "contract": contract,
        "names": _names(session, org),
        "branches": group.list_branches(session=session, organisation_id=org.id),  # type: ignore[arg-type]
        "values": values
        or {f: getattr(contract, f) for f in group.ArrangementGroupForm.model_fields},
        "errors": errors or {},
    }
    return render(request, "register/roi_arrangement_group.html", context, status_code=status)


@router.get("/register/roi/arrangements/{contract_id}", summary="Who in the group uses it")
def arrangement_page(
    request: Request, session: SessionDep, user: Manager, contract_id: int
) -> Response:
    contract = group.get_contract(
        session=session,
        organisation_id=user.organisation_id,
        contract_id=contract_id,  # type: ignore[arg-type]
    )
    return _arrangement_page(request, session, user, contract)


@router.post("/register/roi/arrangements/{contract_id}", summary="Save who uses and signs it")
def save_arrangement(
    request: Request, session: SessionDep, user: Manager, contract_id: int, form: PostedForm
) -> Response:
    org = _org(session, user)
    contract = group.get_contract(session=session, organisation_id=org.id, contract_id=contract_id)  # type: ignore[arg-type]
    saved = save_form(
        group.ArrangementGroupForm,
        form,
        repeated=True,  # entity_ids, branch_ids
        save=lambda data: group.save_arrangement_group(
            session=session, actor=user, organisation=org, contract_id=contract_id, data=data,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _arrangement_page(
            request, session, user, contract, values, errors
        ),
    )  # fmt: skip
    if isinstance(saved, Response):
        return saved
    flash(request, f"Saved who uses and signs {contract.reference}.")
    return redirect(request, PAGE)
