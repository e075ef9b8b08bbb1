"""The risk register pages: vendors, findings, concentration, the Excel export, and the score
explanation of an assessment with its "Re-score" action."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup

from app.assessments.service import get_assessment
from app.audit.service import record, request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import InvalidInput
from app.exports.charts import BLUE, GREEN, ORANGE, LineChart, Series, svg
from app.exports.register_xlsx import register_workbook_file
from app.models import User, Vendor, utcnow
from app.questionnaires.service import questionnaire_of
from app.register import service
from app.register.service import (
    FindingFilters,
    FindingUpdate,
    ManualFinding,
    RegisterFilters,
    TreatmentUpdate,
)
from app.scoring import CAP_REASONS, LEVEL_NAMES
from app.scoring.explain import BASIS_LABELS, explanation_view
from app.scoring.service import (
    latest_result_for,
    score_assessment_and_store,
    stored_result,
)
from app.web import flash, is_htmx, redirect, render

router = APIRouter()
Reader = Annotated[User, require(Permission.view_portfolio)]
Editor = Annotated[User, require(Permission.manage_register)]
Exporter = Annotated[User, require(Permission.export_reports)]
Scorer = Annotated[User, require(Permission.review_assessments)]

OptStr = Annotated[str | None, Query()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _int(value: str | None, what: str) -> int | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a number.") from None


def _date(value: str | None, what: str) -> date | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a date (YYYY-MM-DD).") from None


def register_filters(
    q: OptStr = None,
    tier: OptStr = None,
    residual: OptStr = None,
    treatment: OptStr = None,
    owner_id: OptStr = None,
    status: OptStr = None,
    review_due: OptStr = None,
    sort: OptStr = None,
    page: OptStr = None,
    per_page: OptStr = None,
) -> RegisterFilters:
    """Query parameters → filters; blanks mean "any" (shared by the page, export and API)."""
    return RegisterFilters(
        q=_blank(q),
        tier=_blank(tier),
        residual=_blank(residual),
        treatment=_blank(treatment),
        owner_id=_int(owner_id, "Owner"),
        status=_blank(status),
        review_due=_blank(review_due) in ("yes", "1", "true", "on"),
        sort=_blank(sort) or "name",
        page=_int(page, "Page") or 1,
        per_page=_int(per_page, "Per page") or 50,
    )


def _register_context(session, user: User, filters: RegisterFilters) -> dict[str, Any]:
    assert user.organisation_id is not None
    today = utcnow().date()
    return {
        "result": service.register_page(
            session=session, organisation_id=user.organisation_id, filters=filters, today=today
        ),
        "filters": filters,
        "params": filters.params(),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "today": today,
        "tiers": service.TIERS,
        "ratings": service.RATINGS,
        "treatments": service.TREATMENTS,
        "editing": None,
    }


Filters = Annotated[RegisterFilters, Depends(register_filters)]


@router.get("/register")
def register_page(
    request: Request, session: SessionDep, user: Reader, filters: Filters
) -> Response:
    context = _register_context(session, user, filters)
    block = (
        "table"
        if is_htmx(request) and request.headers.get("HX-Target") == "register-table"
        else None
    )
    return render(request, "register/index.html", context, block=block)


def _query(request: Request, kind: type) -> dict[str, str]:
    """The query parameters a filter class knows about (unknown ones are ignored)."""
    names = kind.__dataclass_fields__.keys()
    return {k: v for k, v in request.query_params.items() if k in names}


def _row_context(session, user: User, vendor_id: int, editing: int | None) -> dict[str, Any]:
    assert user.organisation_id is not None
    return {
        "row": service.register_row(
            session=session, organisation_id=user.organisation_id, vendor_id=vendor_id
        ),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "treatments": service.TREATMENTS,
        "today": utcnow().date(),
        "editing": editing,
    }


@router.get("/register/vendors/{vendor_id}/row")
def register_row(request: Request, session: SessionDep, user: Reader, vendor_id: int) -> Response:
    return render(
        request, "register/index.html", _row_context(session, user, vendor_id, None), block="row"
    )


@router.get("/register/vendors/{vendor_id}/edit")
def edit_treatment(request: Request, session: SessionDep, user: Editor, vendor_id: int) -> Response:
    context = _row_context(session, user, vendor_id, vendor_id)
    if is_htmx(request):
        return render(request, "register/index.html", context, block="row")
    return render(request, "register/treatment_form.html", context)


@router.post("/register/vendors/{vendor_id}/treatment")
def save_treatment(
    request: Request,
    session: SessionDep,
    user: Editor,
    vendor_id: int,
    owner_id: Annotated[str | None, Form()] = None,
    treatment: Annotated[str | None, Form()] = None,
    justification: Annotated[str | None, Form()] = None,
    due: Annotated[str | None, Form()] = None,
) -> Response:
    service.update_treatment(
        session=session,
        actor=user,
        vendor_id=vendor_id,
        update=TreatmentUpdate(
            owner_id=_int(owner_id, "Owner"),
            treatment=_blank(treatment),
            justification=justification,
            due=_date(due, "Due date"),
        ),
        ip=request_ip(request),
    )
    if is_htmx(request):
        return render(
            request,
            "register/index.html",
            _row_context(session, user, vendor_id, None),
            block="row",
        )
    flash(request, "Treatment saved.")
    return redirect(request, "/register")


@router.get("/register/vendors/{vendor_id}")
def vendor_register_page(
    request: Request, session: SessionDep, user: Reader, vendor_id: int
) -> Response:
    assert user.organisation_id is not None
    detail = service.vendor_detail(
        session=session, organisation_id=user.organisation_id, vendor_id=vendor_id
    )
    trend = None
    if detail.trend:
        chart = LineChart(
            "Maturity across assessments",
            [p.on.isoformat() for p in detail.trend],
            [
                Series("claimed", [p.claimed for p in detail.trend], ORANGE),
                Series("scored", [p.overall for p in detail.trend], BLUE),
                Series("verified", [p.verified for p in detail.trend], GREEN),
            ],
            target=detail.score.target_maturity if detail.score else None,
        )
        trend = Markup(svg(chart, 560, 260))  # noqa: S704 (escaped inside svg())
    return render(
        request,
        "register/vendor.html",
        {
            "d": detail,
            "trend": trend,
            "level_names": LEVEL_NAMES,
            "today": utcnow().date(),
            "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        },
    )


# --- findings ------------------------------------------------------------------------------------


def _finding_filters(request: Request) -> FindingFilters:
    raw = _query(request, FindingFilters)
    return FindingFilters(
        severity=_blank(raw.get("severity")),
        status=_blank(raw.get("status")),
        vendor_id=_int(raw.get("vendor_id"), "Vendor"),
        framework=_blank(raw.get("framework")),
        owner_id=_int(raw.get("owner_id"), "Owner"),
        q=_blank(raw.get("q")),
        sort=_blank(raw.get("sort")) or "severity",
        page=_int(raw.get("page"), "Page") or 1,
        per_page=_int(raw.get("per_page"), "Per page") or 50,
    )


def _findings_context(session, user: User, filters: FindingFilters) -> dict[str, Any]:
    assert user.organisation_id is not None
    org = user.organisation_id
    return {
        "result": service.findings_page(session=session, organisation_id=org, filters=filters),
        "filters": filters,
        "params": filters.params(),
        "owners": service.owner_choices(session=session, organisation_id=org),
        "vendors": service.vendor_choices(session=session, organisation_id=org),
        "severities": service.SEVERITIES,
        "statuses": service.FINDING_STATUSES,
        "frameworks": service.FRAMEWORKS,
        "today": utcnow().date(),
        "editing": None,
        "errors": {},
        "form": {},
    }


@router.get("/register/findings")
def findings_page(request: Request, session: SessionDep, user: Reader) -> Response:
    context = _findings_context(session, user, _finding_filters(request))
    target = request.headers.get("HX-Target")
    block = "table" if is_htmx(request) and target == "findings-table" else None
    return render(request, "register/findings.html", context, block=block)


def _finding_row(session, user: User, finding_id: int, editing: int | None) -> dict[str, Any]:
    assert user.organisation_id is not None
    return {
        "row": service.get_finding(
            session=session, organisation_id=user.organisation_id, finding_id=finding_id
        ),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "statuses": service.FINDING_STATUSES,
        "today": utcnow().date(),
        "editing": editing,
    }


@router.get("/register/findings/{finding_id}/row")
def finding_row(request: Request, session: SessionDep, user: Reader, finding_id: int) -> Response:
    return render(
        request,
        "register/findings.html",
        _finding_row(session, user, finding_id, None),
        block="row",
    )


@router.get("/register/findings/{finding_id}/edit")
def edit_finding(request: Request, session: SessionDep, user: Editor, finding_id: int) -> Response:
    context = _finding_row(session, user, finding_id, finding_id)
    if is_htmx(request):
        return render(request, "register/findings.html", context, block="row")
    return render(request, "register/finding_form.html", context)


@router.post("/register/findings/{finding_id}")
def save_finding(
    request: Request,
    session: SessionDep,
    user: Editor,
    finding_id: int,
    status: Annotated[str, Form()],
    owner_id: Annotated[str | None, Form()] = None,
    due_date: Annotated[str | None, Form()] = None,
    treatment: Annotated[str | None, Form()] = None,
) -> Response:
    service.update_finding(
        session=session,
        actor=user,
        finding_id=finding_id,
        update=FindingUpdate(
            status=status,
            owner_id=_int(owner_id, "Owner"),
            due_date=_date(due_date, "Due date"),
            treatment=treatment,
        ),
        ip=request_ip(request),
    )
    if is_htmx(request):
        return render(
            request,
            "register/findings.html",
            _finding_row(session, user, finding_id, None),
            block="row",
        )
    flash(request, "Finding saved.")
    return redirect(request, "/register/findings")


@router.post("/register/findings")
def add_finding(
    request: Request,
    session: SessionDep,
    user: Editor,
    vendor_id: Annotated[str, Form()],
    title: Annotated[str, Form()],
    severity: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    framework: Annotated[str | None, Form()] = None,
    control_ids: Annotated[str, Form()] = "",
    owner_id: Annotated[str | None, Form()] = None,
    due_date: Annotated[str | None, Form()] = None,
) -> Response:
    finding = service.add_manual_finding(
        session=session,
        actor=user,
        finding=ManualFinding(
            vendor_id=_int(vendor_id, "Vendor") or 0,
            title=title,
            severity=severity,
            description=description,
            framework=_blank(framework),
            control_ids=tuple(c.strip() for c in control_ids.split(",") if c.strip()),
            owner_id=_int(owner_id, "Owner"),
            due_date=_date(due_date, "Due date"),
        ),
        ip=request_ip(request),
    )
    flash(request, f"Finding “{finding.title}” added.")
    return redirect(request, f"/register/findings?vendor_id={finding.vendor_id}")


# --- concentration -------------------------------------------------------------------------------


@router.get("/register/concentration")
def concentration_page(
    request: Request, session: SessionDep, user: Reader, kind: OptStr = None, shared: OptStr = None
) -> Response:
    assert user.organisation_id is not None
    groups = service.concentration(session=session, organisation_id=user.organisation_id)
    if kind in ("model", "cloud"):
        groups = [g for g in groups if g.kind == kind]
    if shared == "yes":
        groups = [g for g in groups if g.shared]
    return render(
        request,
        "register/concentration.html",
        {"groups": groups, "kind": kind or "", "shared": shared == "yes"},
    )


# --- export --------------------------------------------------------------------------------------


@router.get("/register/export.xlsx")
def export_register(
    request: Request, session: WriteSessionDep, user: Exporter, filters: Filters
) -> Response:
    """The register workbook for the current filters; the download is on the audit trail."""
    return xlsx_response(request, session, user, filters)


def xlsx_response(request: Request, session, user: User, filters: RegisterFilters) -> Response:
    assert user.organisation_id is not None
    spooled, rows = register_workbook_file(
        session=session,
        organisation_id=user.organisation_id,
        filters=filters,
        generated_by=f"{user.name} <{user.email}>",
    )
    record(
        session,
        action="register.exported",
        actor=user,
        organisation_id=user.organisation_id,
        object_type="register",
        object_id="xlsx",
        data={"filters": filters.params(), "vendors": rows},
        ip=request_ip(request),
    )
    stamp = utcnow().strftime("%Y%m%d-%H%M")

    def chunks():
        try:
            while chunk := spooled.read(64 * 1024):
                yield chunk
        finally:
            spooled.close()

    return StreamingResponse(
        chunks(),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="assay-register-{stamp}.xlsx"'},
    )


# --- score explanation ---------------------------------------------------------------------------


@router.get("/assessments/{assessment_id}/score")
def score_page(request: Request, session: SessionDep, user: Reader, assessment_id: int) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    row = latest_result_for(session=session, assessment_id=assessment.id)
    result = stored_result(row) if row else None
    view = explanation_view(
        session=session,
        result=result,
        questionnaire=questionnaire_of(session, assessment),
    )
    return render(
        request,
        "register/score.html",
        {
            "assessment": assessment,
            "vendor": vendor,
            "row": row,
            "result": result,
            "view": view,
            "cap_reasons": CAP_REASONS,
            "basis_labels": BASIS_LABELS,
            "level_names": LEVEL_NAMES,
        },
    )


@router.post("/assessments/{assessment_id}/score")
def rescore(request: Request, session: SessionDep, user: Scorer, assessment_id: int) -> Response:
    """The analysts' "Re-score": as of today, with the answers and evidence verdicts as they are."""
    assessment = get_assessment(session, user, assessment_id)
    row = score_assessment_and_store(
        session=session, assessment=assessment, actor=user, ip=request_ip(request)
    )
    flash(
        request,
        f"Re-scored: overall maturity {row.overall_maturity:.1f}, residual risk {row.residual_risk}.",
    )
    return redirect(request, f"/assessments/{assessment.id}/score")
