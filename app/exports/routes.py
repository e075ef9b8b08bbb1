"""PDF report downloads: one assessment's report and the portfolio report (buyer side,
`export_reports`). Each download is recorded on the audit trail with the file's SHA-256."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.deps import WriteSessionDep, require
from app.exports.downloads import assessment_pdf_response, portfolio_pdf_response
from app.models import User
from app.register.schemas import register_filters
from app.register.service import RegisterFilters

router = APIRouter()
Exporter = Annotated[User, require(Permission.export_reports)]
Filters = Annotated[RegisterFilters, Depends(register_filters)]


@router.get("/assessments/{assessment_id}/report.pdf")
def assessment_report(
    request: Request, session: WriteSessionDep, user: Exporter, assessment_id: int
) -> Response:
    return assessment_pdf_response(request, session, user, assessment_id)


@router.get("/register/report.pdf")
def portfolio_report(
    request: Request, session: WriteSessionDep, user: Exporter, filters: Filters
) -> Response:
    """The portfolio report for the register page's current filters."""
    return portfolio_pdf_response(request, session, user, filters)
