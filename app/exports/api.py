"""/api/v1 PDF reports: the report of one assessment and the portfolio report, as the web
downloads (same content, same audit event). A GET that writes: `WriteSessionDep`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.deps import WriteSessionDep, require
from app.exports.downloads import assessment_pdf_response, portfolio_pdf_response
from app.exports.reports import PDF
from app.models import User
from app.problems import problems
from app.register.schemas import register_filters
from app.register.service import RegisterFilters

router = APIRouter(tags=["reports"], responses=problems(401, 403))
Exporter = Annotated[User, require(Permission.export_reports)]
Filters = Annotated[RegisterFilters, Depends(register_filters)]


def _pdf_answer(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    summary="The PDF report of an assessment",
    response_class=Response,
    responses={**_pdf_answer("The report, as an attachment."), **problems(404)},
)
def assessment_report(
    request: Request, session: WriteSessionDep, user: Exporter, assessment_id: int
) -> Response:
    """Summary (vendor, questionnaire version, status, dates, maturity claimed / scored /
    verified, tier, target, residual risk), maturity by domain, findings with their ISO/IEC
    42001, DORA and AI Act references, every answer with its evidence files (SHA-256, validity),
    the vendor's attestation and the assessment's audit events with the chain hash. Recorded on
    the audit trail (`assessment.report_exported`, with the file's SHA-256)."""
    return assessment_pdf_response(request, session, user, assessment_id)


@router.get(
    "/register/report.pdf",
    summary="The PDF portfolio report",
    response_class=Response,
    responses={**_pdf_answer("The report, as an attachment."), **problems(422)},
)
def portfolio_report(
    request: Request, session: WriteSessionDep, user: Exporter, filters: Filters
) -> Response:
    """Vendors by tier, residual risk by tier, open findings by severity, the maturity
    distribution, the register table (one row per vendor) and the model and cloud providers
    shared by several vendors. Takes the filters of `GET /api/v1/register` (pagination is
    ignored: every matching vendor is in the report). Recorded on the audit trail
    (`register.exported`, format pdf)."""
    return portfolio_pdf_response(request, session, user, filters)
