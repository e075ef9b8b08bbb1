"""Vendor register pages: list, vendor page, forms for everything on it, functions, import.

Thin: parse the request, call `app.vendors.service`, render the page or (for htmx) the named
block of the same template. Every form also works as a plain POST without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.assessments.vendor_box import review_box
from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.errors import Conflict, TooLarge
from app.forms import (
    FieldErrors,
    FormModel,
    PostedForm,
    field_errors_from,
    form_values,
    save_form,
)
from app.models import Contract, User, Vendor
from app.vendors import children, codes, contracts, functions, importing, providers, service
from app.vendors.schemas import (
    AISystemInput,
    ContactInput,
    ContractInput,
    FunctionInput,
    SubcontractorInput,
    VendorCreate,
    VendorListQuery,
)
from app.vendors.service import snapshot
from app.web import flash, is_htmx, redirect, render

router = APIRouter(prefix="/vendors", tags=["vendors"], include_in_schema=False)

Reader = Annotated[User, require(Permission.view_portfolio)]
Manager = Annotated[User, require(Permission.manage_vendors)]


def _fragment(request: Request, block: str) -> str | None:
    """The block to render alone for an htmx request (a history restore wants the whole page)."""
    if is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true":
        return block
    return None


def _form_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"codes": codes, "errors": errors or {}, **context}
    return render(
        request, template, context, block=_fragment(request, "form"), status_code=status_code
    )


# ---------------------------------------------------------------------------------------------
# List


def _list_params(query: VendorListQuery) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in ("q", "status", "tier"):
        if getattr(query, name):
            params[name] = getattr(query, name)
    if query.critical is not None:
        params["critical"] = "yes" if query.critical else "no"
    if query.overdue:
        params["overdue"] = "1"
    if query.sort != "name":
        params["sort"] = query.sort
    if query.per_page != 25:
        params["per_page"] = query.per_page
    return params


@router.get("", summary="Vendor register")
def vendor_list(request: Request, session: SessionDep, user: Reader) -> Response:
    raw = dict(request.query_params)
    if raw.get("critical") in ("yes", "no"):
        raw["critical"] = "true" if raw["critical"] == "yes" else "false"
    try:
        query = VendorListQuery.model_validate(raw)
        errors: dict[str, str] = {}
    except ValidationError as exc:
        errors = field_errors_from(exc)
        query = VendorListQuery()
    today = date.today()
    result = service.list_vendors(session=session, user=user, query=query, today=today)
    return render(
        request,
        "vendors/list.html",
        {
            "result": result,
            "query": query,
            "params": _list_params(query),
            "errors": errors,
            "codes": codes,
            "today": today,
        },
        block=_fragment(request, "vendor_table"),
    )


# ---------------------------------------------------------------------------------------------
# Create and edit a vendor


@router.get("/new", summary="New vendor form")
def new_vendor(request: Request, user: Manager) -> Response:
    return _form_page(request, "vendors/vendor_form.html", {"vendor": None, "values": {}})


@router.post("", summary="Create a vendor")
def create_vendor(
    request: Request, session: SessionDep, user: Manager, form: PostedForm
) -> Response:
    vendor = save_form(
        VendorCreate,
        form,
        save=lambda data: service.create_vendor(
            session=session, actor=user, data=data, ip=request_ip(request)
        ),
        reshow=lambda values, errors: _form_page(
            request, "vendors/vendor_form.html", {"vendor": None, "values": values}, errors=errors
        ),
    )
    if isinstance(vendor, Response):
        return vendor
    flash(request, f"{vendor.legal_name} was added to the register.")
    return redirect(request, f"/vendors/{vendor.id}")


@router.get("/import", summary="Import vendors")
def import_page(request: Request, user: Manager) -> Response:
    return render(
        request,
        "vendors/import.html",
        {"preview": None, "columns": importing.COLUMNS, "max_rows": importing.MAX_ROWS},
    )


@router.get("/import/template.xlsx", summary="Vendor import template")
def import_template(user: Manager) -> Response:
    return Response(
        importing.template_workbook(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="assay-vendor-import.xlsx"'},
    )


def _pending_dir(request: Request):
    return request.app.state.settings.data_dir / "vendor-imports"


def _owner(user: User) -> str:
    return f"{user.organisation_id}:{user.id}"


def _import_page(
    request: Request,
    *,
    preview: importing.VendorImportPreview | None,
    filename: str | None = None,
    token: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "vendors/import.html",
        {
            "preview": preview,
            "filename": filename,
            "token": token,
            "error": error,
            "columns": importing.COLUMNS,
            "max_rows": importing.MAX_ROWS,
        },
        block=_fragment(request, "import_result"),
        status_code=status_code,
    )


@router.post("/import", summary="Upload an import file and preview it")
def upload_import(
    request: Request, session: SessionDep, user: Manager, file: UploadFile
) -> Response:
    limit = request.app.state.settings.upload_limit_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"The file is larger than {limit // (1024 * 1024)} MB.")
    filename = file.filename or "upload"
    try:
        rows = importing.read_import_file(filename, content)
    except importing.ImportFileError as exc:
        return _import_page(
            request, preview=None, filename=filename, error=str(exc), status_code=422
        )
    preview = importing.preview_import(session=session, user=user, rows=rows)
    token = (
        importing.stash_rows(
            _pending_dir(request), owner=_owner(user), filename=filename, rows=rows
        )
        if preview.ok
        else None
    )
    return _import_page(
        request,
        preview=preview,
        filename=filename,
        token=token,
        status_code=200 if preview.ok else 422,
    )


@router.post("/import/apply", summary="Apply a previewed import")
def apply_import(
    request: Request, session: SessionDep, user: Manager, form: PostedForm
) -> Response:
    token = str(form.get("token") or "")
    pending = importing.load_rows(_pending_dir(request), owner=_owner(user), token=token)
    if pending is None:
        return _import_page(
            request,
            preview=None,
            error="This preview has expired or was already applied: upload the file again.",
            status_code=409,
        )
    filename, rows = pending
    try:
        preview = importing.apply_import(
            session=session, actor=user, rows=rows, ip=request_ip(request)
        )
    except FieldErrors:
        # Something changed since the preview (another import, an edit): show the new problems.
        preview = importing.preview_import(session=session, user=user, rows=rows)
        return _import_page(
            request,
            preview=preview,
            filename=filename,
            error="The data changed since the preview; nothing was imported.",
            status_code=422,
        )
    importing.discard_rows(_pending_dir(request), token)
    flash(
        request,
        f"Imported {filename}: {preview.count('new')} new, {preview.count('update')} updated, "
        f"{preview.count('unchanged')} unchanged.",
    )
    return redirect(request, "/vendors")


# ---------------------------------------------------------------------------------------------
# Business functions


def _functions_page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    editing: Any = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "vendors/functions.html",
        {
            "functions": functions.list_functions(session=session, user=user),
            "editing": editing,
            "values": values or {},
            "errors": errors or {},
            "codes": codes,
        },
        block=_fragment(request, "form"),
        status_code=status_code,
    )


@router.get("/functions", summary="Business functions")
def functions_page(request: Request, session: SessionDep, user: Reader) -> Response:
    return _functions_page(request, session, user)


@router.get("/functions/{function_id}/edit", summary="Edit a business function")
def edit_function(
    request: Request, session: SessionDep, user: Manager, function_id: int
) -> Response:
    row = functions.get_function(session=session, user=user, function_id=function_id)
    return _functions_page(request, session, user, editing=row, values=row.model_dump())


def _save_function(
    request: Request, session: SessionDep, user: User, form: FormData, function_id: int | None
) -> Response:
    editing = (
        functions.get_function(session=session, user=user, function_id=function_id)
        if function_id
        else None
    )
    row = save_form(
        FunctionInput,
        form,
        save=lambda data: functions.save_function(
            session=session,
            actor=user,
            data=data,
            function_id=function_id,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _functions_page(
            request, session, user, editing=editing, values=values, errors=errors
        ),
    )
    if isinstance(row, Response):
        return row
    flash(request, f"Function {row.code} saved.")
    return redirect(request, "/vendors/functions")


@router.post("/functions", summary="Create a business function")
def create_function(
    request: Request, session: SessionDep, user: Manager, form: PostedForm
) -> Response:
    return _save_function(request, session, user, form, None)


@router.post("/functions/{function_id}", summary="Update a business function")
def update_function(
    request: Request, session: SessionDep, user: Manager, form: PostedForm, function_id: int
) -> Response:
    return _save_function(request, session, user, form, function_id)


# ---------------------------------------------------------------------------------------------
# Vendor page and edit


@router.get("/{vendor_id}", summary="Vendor page")
def vendor_page(request: Request, session: SessionDep, user: Reader, vendor_id: int) -> Response:
    profile = service.vendor_overview(session=session, user=user, vendor_id=vendor_id)
    box = review_box(session=session, vendor=profile.vendor)
    return render(
        request, "vendors/detail.html", {"profile": profile, "codes": codes, "review_box": box}
    )


@router.get("/{vendor_id}/edit", summary="Edit vendor form")
def edit_vendor(request: Request, session: SessionDep, user: Manager, vendor_id: int) -> Response:
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    return _form_page(
        request,
        "vendors/vendor_form.html",
        {"vendor": vendor, "values": service.vendor_form_values(vendor), "version": vendor.version},
    )


@router.post("/{vendor_id}", summary="Save a vendor")
def update_vendor(
    request: Request, session: SessionDep, user: Manager, form: PostedForm, vendor_id: int
) -> Response:
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = -1
    try:
        saved = save_form(
            VendorCreate,
            form,
            save=lambda data: service.update_vendor(
                session=session,
                actor=user,
                vendor_id=vendor_id,
                changes=data.model_dump(),
                version=version,
                ip=request_ip(request),
            ),
            reshow=lambda values, errors: _form_page(
                request,
                "vendors/vendor_form.html",
                {"vendor": vendor, "values": values, "version": version},
                errors=errors,
            ),
        )
    except Conflict as exc:
        return _form_page(
            request,
            "vendors/vendor_form.html",
            {
                "vendor": vendor,
                "values": form_values(VendorCreate, form),
                "version": version,
                "stale": True,
            },
            errors={"": exc.message},
            status_code=409,
        )
    if isinstance(saved, Response):
        return saved
    flash(request, "Vendor saved.")
    return redirect(request, f"/vendors/{vendor_id}")


# ---------------------------------------------------------------------------------------------
# Records on the vendor page: arrangements, contacts and AI systems


@dataclass(frozen=True)
class ChildKind:
    """One kind of record on the vendor page, so its save and delete routes share one body.

    The service calls take keywords (`session`, `actor`, `vendor`, `data`, `ip`) and `row_id`,
    the record's id under whatever name its service gives it; `page` is the form page,
    `page(request, session, user, vendor, row, values=..., errors=...)`.
    """

    schema: type[FormModel]
    label: str  # the flash: "Contact saved.", "Contact deleted."
    anchor: str  # the section of the vendor page the redirect lands on
    get: Callable[..., Any]
    save: Callable[..., Any]
    delete: Callable[..., None]
    page: Callable[..., Response]


def _save_child(
    kind: ChildKind,
    request: Request,
    session: SessionDep,
    user: User,
    form: FormData,
    vendor_id: int,
    row_id: int | None,
) -> Response:
    """Create (no `row_id`) or update a record, or show its form again with the messages."""
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    row = kind.get(session=session, vendor=vendor, row_id=row_id) if row_id else None
    saved = save_form(
        kind.schema,
        form,
        save=lambda data: kind.save(
            session=session,
            actor=user,
            vendor=vendor,
            data=data,
            row_id=row_id,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: kind.page(
            request, session, user, vendor, row, values=values, errors=errors
        ),
    )
    if isinstance(saved, Response):
        return saved
    flash(request, f"{kind.label} saved.")
    return redirect(request, f"/vendors/{vendor_id}#{kind.anchor}")


def _delete_child(
    kind: ChildKind,
    request: Request,
    session: SessionDep,
    user: User,
    vendor_id: int,
    row_id: int,
) -> Response:
    """Delete a record and go back to its section of the vendor page."""
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    kind.delete(session=session, actor=user, vendor=vendor, row_id=row_id, ip=request_ip(request))
    flash(request, f"{kind.label} deleted.")
    return redirect(request, f"/vendors/{vendor_id}#{kind.anchor}")


# ---------------------------------------------------------------------------------------------
# Contracts and subcontractors


def _contract_page(
    request: Request,
    session: SessionDep,
    user: User,
    vendor: Vendor,
    contract: Contract | None = None,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    sub_values: dict[str, Any] | None = None,
    sub_errors: dict[str, str] | None = None,
    block: str = "form",
) -> Response:
    subcontractors = (
        children.list_subcontractors(session=session, contract=contract)
        if contract is not None
        else []
    )
    offered = (
        children.offered_providers(
            session=session, vendor=vendor, contract=contract, chain=subcontractors
        )
        if contract is not None
        else []
    )
    return render(
        request,
        "vendors/contract_form.html",
        {
            "vendor": vendor,
            "contract": contract,
            "values": values,
            "errors": errors or {},
            "functions": functions.list_functions(session=session, user=user),
            "subcontractors": subcontractors,
            "offered": offered,
            "sub_values": sub_values or {"rank": 2},
            "sub_errors": sub_errors or {},
            "codes": codes,
        },
        block=_fragment(request, block),
    )


ARRANGEMENTS = ChildKind(
    schema=ContractInput,
    label="Arrangement",
    anchor="contracts",
    get=lambda row_id, **kwargs: contracts.get_contract(contract_id=row_id, **kwargs),
    save=lambda row_id, **kwargs: contracts.save_contract(contract_id=row_id, **kwargs),
    delete=lambda row_id, **kwargs: contracts.delete_contract(contract_id=row_id, **kwargs),
    page=_contract_page,
)


@router.get("/{vendor_id}/contracts/new", summary="New arrangement form")
def new_contract(request: Request, session: SessionDep, user: Manager, vendor_id: int) -> Response:
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    values = {
        "supports_critical_function": vendor.supports_critical_function,
        "currency": vendor.currency,
        "service_country": vendor.hq_country,
    }
    return _contract_page(request, session, user, vendor, values=values)


@router.get("/{vendor_id}/contracts/{contract_id}/edit", summary="Edit arrangement form")
def edit_contract(
    request: Request,
    session: SessionDep,
    user: Manager,
    vendor_id: int,
    contract_id: int,
    offer: int | None = None,
) -> Response:
    """`?offer=PROVIDER_ID` fills the add-subcontractor form from an offered provider."""
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    contract = contracts.get_contract(session=session, vendor=vendor, contract_id=contract_id)
    values = snapshot(contract, contracts.CONTRACT_FIELDS)
    sub_values = None
    if offer is not None:
        provider = providers.get_provider(
            session=session, organisation_id=vendor.organisation_id, provider_id=offer
        )
        sub_values = children.offered_values(provider)
    return _contract_page(
        request, session, user, vendor, contract, values=values, sub_values=sub_values
    )


@router.post("/{vendor_id}/contracts", summary="Create an arrangement")
def create_contract(
    request: Request, session: SessionDep, user: Manager, form: PostedForm, vendor_id: int
) -> Response:
    return _save_child(ARRANGEMENTS, request, session, user, form, vendor_id, None)


@router.post("/{vendor_id}/contracts/{contract_id}", summary="Update an arrangement")
def update_contract(
    request: Request,
    session: SessionDep,
    user: Manager,
    form: PostedForm,
    vendor_id: int,
    contract_id: int,
) -> Response:
    return _save_child(ARRANGEMENTS, request, session, user, form, vendor_id, contract_id)


@router.post("/{vendor_id}/contracts/{contract_id}/delete", summary="Delete an arrangement")
def delete_contract(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, contract_id: int
) -> Response:
    return _delete_child(ARRANGEMENTS, request, session, user, vendor_id, contract_id)


@router.post("/{vendor_id}/contracts/{contract_id}/subcontractors", summary="Add a subcontractor")
def add_subcontractor(
    request: Request,
    session: SessionDep,
    user: Manager,
    form: PostedForm,
    vendor_id: int,
    contract_id: int,
) -> Response:
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    contract = contracts.get_contract(session=session, vendor=vendor, contract_id=contract_id)
    added = save_form(
        SubcontractorInput,
        form,
        save=lambda data: children.add_subcontractor(
            session=session,
            actor=user,
            vendor=vendor,
            contract_id=contract_id,
            data=data,
            ip=request_ip(request),
        ),
        reshow=lambda values, errors: _contract_page(
            request,
            session,
            user,
            vendor,
            contract,
            values=snapshot(contract, contracts.CONTRACT_FIELDS),
            sub_values=values,
            sub_errors=errors,
            block="subcontractors",
        ),
    )
    if isinstance(added, Response):
        return added
    return redirect(request, f"/vendors/{vendor_id}/contracts/{contract_id}/edit#supply-chain")


@router.post(
    "/{vendor_id}/contracts/{contract_id}/subcontractors/{subcontractor_id}/delete",
    summary="Remove a subcontractor",
)
def delete_subcontractor(
    request: Request,
    session: SessionDep,
    user: Manager,
    vendor_id: int,
    contract_id: int,
    subcontractor_id: int,
) -> Response:
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    children.delete_subcontractor(
        session=session,
        actor=user,
        vendor=vendor,
        contract_id=contract_id,
        subcontractor_id=subcontractor_id,
        ip=request_ip(request),
    )
    return redirect(request, f"/vendors/{vendor_id}/contracts/{contract_id}/edit#supply-chain")


# ---------------------------------------------------------------------------------------------
# Contacts and AI systems: the same small form, one route per action


def _child_page(
    request: Request,
    vendor: Vendor,
    template: str,
    noun: str,
    *,
    row: Any,
    values: dict[str, Any],
    arrangements: list[Contract] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return _form_page(
        request,
        template,
        {
            "vendor": vendor,
            "row": row,
            "values": values,
            "noun": noun,
            "contracts": arrangements or [],
        },
        errors=errors,
    )


def _contact_page(
    request: Request,
    session: SessionDep,
    user: User,
    vendor: Vendor,
    row: Any = None,
    **kwargs: Any,
) -> Response:
    return _child_page(request, vendor, "vendors/contact_form.html", "Contact", row=row, **kwargs)


def _ai_system_page(
    request: Request,
    session: SessionDep,
    user: User,
    vendor: Vendor,
    row: Any = None,
    **kwargs: Any,
) -> Response:
    return _child_page(
        request,
        vendor,
        "vendors/ai_system_form.html",
        "AI system",
        row=row,
        arrangements=contracts.list_contracts(session=session, vendor=vendor),
        **kwargs,
    )


CONTACTS = ChildKind(
    schema=ContactInput,
    label="Contact",
    anchor="contacts",
    get=lambda row_id, **kwargs: children.get_contact(contact_id=row_id, **kwargs),
    save=lambda row_id, **kwargs: children.save_contact(contact_id=row_id, **kwargs),
    delete=lambda row_id, **kwargs: children.delete_child(
        kind="vendor_contact", child_id=row_id, **kwargs
    ),
    page=_contact_page,
)

AI_SYSTEMS = ChildKind(
    schema=AISystemInput,
    label="AI system",
    anchor="ai-systems",
    get=lambda row_id, **kwargs: children.get_ai_system(system_id=row_id, **kwargs),
    save=lambda row_id, **kwargs: children.save_ai_system(system_id=row_id, **kwargs),
    delete=lambda row_id, **kwargs: children.delete_child(
        kind="ai_system", child_id=row_id, **kwargs
    ),
    page=_ai_system_page,
)


def _edit_child(
    kind: ChildKind,
    request: Request,
    session: SessionDep,
    user: User,
    vendor_id: int,
    row_id: int | None,
) -> Response:
    """A contact's or AI system's form: empty for a new one (no `row_id`), else filled from it.

    An arrangement's form has its own routes: a new one starts from the vendor's defaults."""
    vendor = service.get_vendor(session=session, user=user, vendor_id=vendor_id)
    row = kind.get(session=session, vendor=vendor, row_id=row_id) if row_id else None
    values = snapshot(row, kind.schema.model_fields) if row is not None else {}
    return kind.page(request, session, user, vendor, row, values=values)


@router.get("/{vendor_id}/contacts/new", summary="New contact form")
def new_contact(request: Request, session: SessionDep, user: Manager, vendor_id: int) -> Response:
    return _edit_child(CONTACTS, request, session, user, vendor_id, None)


@router.get("/{vendor_id}/contacts/{contact_id}/edit", summary="Edit contact form")
def edit_contact(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, contact_id: int
) -> Response:
    return _edit_child(CONTACTS, request, session, user, vendor_id, contact_id)


@router.post("/{vendor_id}/contacts", summary="Add contact")
def create_contact(
    request: Request, session: SessionDep, user: Manager, form: PostedForm, vendor_id: int
) -> Response:
    return _save_child(CONTACTS, request, session, user, form, vendor_id, None)


@router.post("/{vendor_id}/contacts/{contact_id}", summary="Update contact")
def update_contact(
    request: Request,
    session: SessionDep,
    user: Manager,
    form: PostedForm,
    vendor_id: int,
    contact_id: int,
) -> Response:
    return _save_child(CONTACTS, request, session, user, form, vendor_id, contact_id)


@router.post("/{vendor_id}/contacts/{contact_id}/delete", summary="Delete contact")
def delete_contact(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, contact_id: int
) -> Response:
    return _delete_child(CONTACTS, request, session, user, vendor_id, contact_id)


@router.get("/{vendor_id}/ai-systems/new", summary="New AI system form")
def new_ai_system(request: Request, session: SessionDep, user: Manager, vendor_id: int) -> Response:
    return _edit_child(AI_SYSTEMS, request, session, user, vendor_id, None)


@router.get("/{vendor_id}/ai-systems/{system_id}/edit", summary="Edit AI system form")
def edit_ai_system(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, system_id: int
) -> Response:
    return _edit_child(AI_SYSTEMS, request, session, user, vendor_id, system_id)


@router.post("/{vendor_id}/ai-systems", summary="Add AI system")
def create_ai_system(
    request: Request, session: SessionDep, user: Manager, form: PostedForm, vendor_id: int
) -> Response:
    return _save_child(AI_SYSTEMS, request, session, user, form, vendor_id, None)


@router.post("/{vendor_id}/ai-systems/{system_id}", summary="Update AI system")
def update_ai_system(
    request: Request,
    session: SessionDep,
    user: Manager,
    form: PostedForm,
    vendor_id: int,
    system_id: int,
) -> Response:
    return _save_child(AI_SYSTEMS, request, session, user, form, vendor_id, system_id)


@router.post("/{vendor_id}/ai-systems/{system_id}/delete", summary="Delete AI system")
def delete_ai_system(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, system_id: int
) -> Response:
    return _delete_child(AI_SYSTEMS, request, session, user, vendor_id, system_id)
