"""/api/v1/vendors: the vendor register for integrations (list, read, create, update, import)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.models import User
from app.problems import problems
from app.vendors import importing, service
from app.vendors.schemas import (
    AISystemRead,
    ContactRead,
    ContractRead,
    ImportResult,
    ImportRowResult,
    SubcontractorRead,
    VendorCreate,
    VendorDetailRead,
    VendorListQuery,
    VendorPage,
    VendorPatch,
    VendorRead,
)

router = APIRouter(prefix="/vendors", tags=["vendors"], responses=problems(401, 403))

Reader = Annotated[User, require(Permission.view_portfolio)]
Manager = Annotated[User, require(Permission.manage_vendors)]


@router.get("", response_model=VendorPage, summary="List vendors", responses=problems(422))
def list_vendors(
    session: SessionDep, user: Reader, query: Annotated[VendorListQuery, Query()]
) -> VendorPage:
    """Vendors of your organisation, filtered, sorted (`-` for descending) and paginated."""
    result = service.list_vendors(session=session, user=user, query=query)
    return VendorPage(
        items=[VendorRead.model_validate(row.vendor) for row in result.rows],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get(
    "/{vendor_id}", response_model=VendorDetailRead, summary="Get a vendor", responses=problems(404)
)
def get_vendor(session: SessionDep, user: Reader, vendor_id: int) -> VendorDetailRead:
    """One vendor with its contacts, AI systems and arrangements (with their supply chain)."""
    profile = service.vendor_overview(session=session, user=user, vendor_id=vendor_id)
    return VendorDetailRead.model_validate(
        {
            **VendorRead.model_validate(profile.vendor).model_dump(),
            "contacts": [ContactRead.model_validate(c) for c in profile.contacts],
            "ai_systems": [AISystemRead.model_validate(s) for s in profile.ai_systems],
            "contracts": [
                ContractRead.model_validate(view.contract).model_copy(
                    update={
                        "subcontractors": [
                            SubcontractorRead.model_validate(s) for s in view.subcontractors
                        ]
                    }
                )
                for view in profile.contracts
            ],
        }
    )


@router.post(
    "",
    response_model=VendorRead,
    status_code=201,
    summary="Create a vendor",
    responses=problems(422),
)
def create_vendor(
    request: Request, response: Response, session: SessionDep, user: Manager, body: VendorCreate
) -> VendorRead:
    vendor = service.create_vendor(
        session=session, actor=user, data=body, ip=request_ip(request), source="api"
    )
    response.headers["Location"] = f"/api/v1/vendors/{vendor.id}"
    return VendorRead.model_validate(vendor)


@router.patch(
    "/{vendor_id}",
    response_model=VendorRead,
    summary="Update a vendor",
    responses=problems(404, 409, 422),
)
def update_vendor(
    request: Request, session: SessionDep, user: Manager, vendor_id: int, body: VendorPatch
) -> VendorRead:
    """Change the fields you send. `version` must be the vendor's current version, else 409."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    vendor = service.update_vendor(
        session=session,
        actor=user,
        vendor_id=vendor_id,
        changes=changes,
        version=body.version,
        ip=request_ip(request),
        source="api",
    )
    return VendorRead.model_validate(vendor)


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import vendors (all or nothing)",
    responses=problems(413, 422),
)
def import_vendors(
    request: Request,
    session: SessionDep,
    user: Manager,
    body: Annotated[list[dict[str, Any]], Body(max_length=importing.MAX_ROWS)],
) -> ImportResult:
    """Create or update vendors matched by identifier type and identifier.

    Each item has the fields of *Create a vendor*; on update only the fields sent change. If any
    item is invalid nothing is written and the 422 lists `item N, field: message`.
    """
    rows = [(index, item) for index, item in enumerate(body, start=1)]
    preview = importing.apply_import(
        session=session, actor=user, rows=rows, ip=request_ip(request), source="api"
    )
    return ImportResult(
        created=preview.count("new"),
        updated=preview.count("update"),
        unchanged=preview.count("unchanged"),
        rows=[
            ImportRowResult(
                row=r.row,
                action=r.action,
                legal_name=r.legal_name,
                identifier=r.identifier,
                vendor_id=r.vendor_id,
                changed=r.changed,
            )
            for r in preview.rows
        ],
    )
