"""The PDF report downloads as responses, shared by the pages (`routes.py`) and the API
(`api.py`): the report of one assessment and the portfolio report, each recorded on the audit
trail by `reports.py`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.audit.service import request_ip
from app.exports.reports import (
    PDF,
    ReportFile,
    attachment_headers,
    export_assessment_report,
    export_portfolio_report,
)
from app.models import User
from app.register.service import RegisterFilters


def _pdf(report: ReportFile) -> Response:
    return Response(report.content, media_type=PDF, headers=attachment_headers(report))


def assessment_pdf_response(
    request: Request, session: Session, user: User, assessment_id: int
) -> Response:
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
    request: Request, session: Session, user: User, filters: RegisterFilters
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
