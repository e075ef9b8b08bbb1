"""/api/v1/register (JSON) and /api/v1/register.xlsx: the risk register for integrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.models import User, utcnow
from app.problems import problems
from app.register import service
from app.register.schemas import RegisterPageRead, RegisterRowRead, register_filters
from app.register.service import RegisterFilters
from app.register.workbook import export_register_workbook
from app.web import XLSX, download

router = APIRouter(tags=["register"], responses=problems(401, 403))
Reader = Annotated[User, require(Permission.view_portfolio)]
Exporter = Annotated[User, require(Permission.export_reports)]
Filters = Annotated[RegisterFilters, Depends(register_filters)]


@router.get(
    "/register",
    response_model=RegisterPageRead,
    summary="The risk register",
    responses=problems(422),
)
def register_json(session: SessionDep, user: Reader, filters: Filters) -> RegisterPageRead:
    """One row per vendor: tier, maturity (scored, claimed, verified, per domain), residual risk,
    open findings by severity, review dates, owner and treatment. Same filters and sorting as
    the register page (`sort`: name, tier, overall, verified, residual, findings, next_review;
    `-` for descending), paginated with `page` and `per_page` (≤ 200)."""
    assert user.organisation_id is not None
    result = service.register_page(
        session=session,
        organisation_id=user.organisation_id,
        filters=filters,
        today=utcnow().date(),
    )
    return RegisterPageRead(
        items=[RegisterRowRead.from_row(row) for row in result.rows],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get(
    "/register.xlsx",
    summary="The risk register workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def register_xlsx(
    request: Request, session: WriteSessionDep, user: Exporter, filters: Filters
) -> Response:
    """The workbook of the web export (Register, Findings, Domain maturity, AI systems,
    Evidence index, About) for the same filters; recorded on the audit trail."""
    export = export_register_workbook(
        session=session, actor=user, filters=filters, ip=request_ip(request)
    )
    return download(export.file, export.filename)
