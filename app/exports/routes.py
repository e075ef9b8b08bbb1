"""PDF report downloads: one assessment's report and the portfolio report (buyer side,
`export_reports`). Each download is recorded on the audit trail with the file's SHA-256."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import WriteSessionDep, require
from app.exports.reports import (
    PDF,
    ReportFile,
    attachment_headers,
    export_assessment_report,
    export_portfolio_report,
)
from app.models import User
from app.register.routes import register_filters
from app.register.service import RegisterFilters

router = APIRouter()
Exporter = Annotated[User, require(Permission.export_reports)]
Filters = Annotated[RegisterFilters, Depends(register_filters)]


def _pdf(report: ReportFile) -> Response:
    return Response(report.content, media_type=PDF, headers=attachment_headers(report))


def assessment_pdf_response(request: Request, session, user: User, assessment_id: int) -> Response:
    """Shared by the page link and the API: another organisation's assessment is a 404."""
    assert user.organisation_id is not None  # export_reports is a buyer permission
    return _pdf(
        export_assessment_report(
            session=session,
            organisation_id=user.organisation_id,
            assessment_id=assessment_id,
            actor=user,
            generated_by=f"{user.name} <{user.email}>",
            ip=request_ip(request),
        )
    )


def portfolio_pdf_response(
    request: Request, session, user: User, filters: RegisterFilters
) -> Response:
    assert user.organisation_id is not None
    return _pdf(
        export_portfolio_report(
            session=session,
            organisation_id=user.organisation_id,
            filters=filters,
            actor=user,
            generated_by=f"{user.name} <{user.email}>",
            ip=request_ip(request),
        )
    )


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
