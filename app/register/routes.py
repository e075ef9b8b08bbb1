"""The risk register pages: vendors, findings, concentration and the Excel export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app.assessments.decisions import outcome_label
from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.exports.charts import BLUE, GREEN, ORANGE, LineChart, Series, svg
from app.forms import PostedForm, parse
from app.models import User, utcnow
from app.register import findings, service
from app.register.concentration import by_ultimate_parent, concentration
from app.register.detail import vendor_detail
from app.register.schemas import (
    FINDING_STATUS_FILTER_OPTIONS,
    FINDING_STATUS_OPTIONS,
    FRAMEWORK_FILTER_OPTIONS,
    FRAMEWORK_OPTIONS,
    PROVIDER_KIND_OPTIONS,
    RATING_OPTIONS,
    SEVERITY_OPTIONS,
    TIER_OPTIONS,
    TREATMENT_FILTER_OPTIONS,
    TREATMENT_OPTIONS,
    VENDOR_STATUS_OPTIONS,
    FindingForm,
    ManualFindingForm,
    TreatmentForm,
    concentration_query,
    finding_filters,
    register_filters,
)
from app.register.service import RegisterFilters
from app.register.workbook import export_register_workbook
from app.scoring import LEVEL_NAMES
from app.web import download, flash, is_htmx, redirect, render

router = APIRouter()
Reader = Annotated[User, require(Permission.view_portfolio)]
Editor = Annotated[User, require(Permission.manage_register)]
Exporter = Annotated[User, require(Permission.export_reports)]
Filters = Annotated[RegisterFilters, Depends(register_filters)]


def _table_block(request: Request, target: str) -> str | None:
    """The table alone when htmx refreshes it (filters, sorting, pages), else the whole page."""
    return "table" if is_htmx(request) and request.headers.get("HX-Target") == target else None


def _row_or_page(request: Request, template: str, page: str, context: dict[str, Any]) -> Response:
    """An in-place edit answers the table row for htmx, or a page of its own without it."""
    if is_htmx(request):
        return render(request, template, context, block="row")
    return render(request, page, context)


# --- the vendor register -------------------------------------------------------------------------


def _row_context(session: Session, user: User, vendor_id: int, editing: int | None) -> dict:
    assert user.organisation_id is not None
    return {
        "row": service.register_row(
            session=session, organisation_id=user.organisation_id, vendor_id=vendor_id
        ),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "treatments": TREATMENT_OPTIONS,
        "severities": SEVERITY_OPTIONS,
        "today": utcnow().date(),
        "editing": editing,
    }


@router.get("/register")
def register_page(
    request: Request, session: SessionDep, user: Reader, filters: Filters
) -> Response:
    assert user.organisation_id is not None
    today = utcnow().date()
    context = {
        "result": service.register_page(
            session=session, organisation_id=user.organisation_id, filters=filters, today=today
        ),
        "filters": filters,
        "params": filters.params(),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "today": today,
        "tiers": TIER_OPTIONS,
        "ratings": RATING_OPTIONS,
        "treatments": TREATMENT_OPTIONS,
        "treatment_filter": TREATMENT_FILTER_OPTIONS,
        "statuses": VENDOR_STATUS_OPTIONS,
        "severities": SEVERITY_OPTIONS,
        "editing": None,
    }
    block = _table_block(request, "register-table")
    return render(request, "register/index.html", context, block=block)


@router.get("/register/vendors/{vendor_id}/row")
def register_row(request: Request, session: SessionDep, user: Reader, vendor_id: int) -> Response:
    context = _row_context(session, user, vendor_id, None)
    return render(request, "register/index.html", context, block="row")


@router.get("/register/vendors/{vendor_id}/edit")
def edit_treatment(request: Request, session: SessionDep, user: Editor, vendor_id: int) -> Response:
    context = _row_context(session, user, vendor_id, vendor_id)
    return _row_or_page(request, "register/index.html", "register/treatment_form.html", context)


@router.post("/register/vendors/{vendor_id}/treatment")
def save_treatment(
    request: Request, session: SessionDep, user: Editor, vendor_id: int, form: PostedForm
) -> Response:
    findings.update_treatment(
        session=session,
        actor=user,
        vendor_id=vendor_id,
        update=parse(TreatmentForm, form).update(),
        ip=request_ip(request),
    )
    if is_htmx(request):
        context = _row_context(session, user, vendor_id, None)
        return render(request, "register/index.html", context, block="row")
    flash(request, "Treatment saved.")
    return redirect(request, "/register")


@router.get("/register/vendors/{vendor_id}")
def vendor_register_page(
    request: Request, session: SessionDep, user: Reader, vendor_id: int
) -> Response:
    assert user.organisation_id is not None
    detail = vendor_detail(
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
            "decision_label": outcome_label,
        },
    )


# --- findings ------------------------------------------------------------------------------------


def _finding_context(session: Session, user: User, finding_id: int, editing: int | None) -> dict:
    assert user.organisation_id is not None
    return {
        "row": findings.get_finding(
            session=session, organisation_id=user.organisation_id, finding_id=finding_id
        ),
        "owners": service.owner_choices(session=session, organisation_id=user.organisation_id),
        "statuses": FINDING_STATUS_OPTIONS,
        "today": utcnow().date(),
        "editing": editing,
    }


@router.get("/register/findings")
def findings_page(request: Request, session: SessionDep, user: Reader) -> Response:
    assert user.organisation_id is not None
    org = user.organisation_id
    filters = finding_filters(request.query_params)
    context = {
        "result": findings.findings_page(session=session, organisation_id=org, filters=filters),
        "filters": filters,
        "params": filters.params(),
        "owners": service.owner_choices(session=session, organisation_id=org),
        "vendors": service.vendor_choices(session=session, organisation_id=org),
        "severities": SEVERITY_OPTIONS,
        "statuses": FINDING_STATUS_OPTIONS,
        "status_filter": FINDING_STATUS_FILTER_OPTIONS,
        "frameworks": FRAMEWORK_OPTIONS,
        "framework_filter": FRAMEWORK_FILTER_OPTIONS,
        "today": utcnow().date(),
        "editing": None,
    }
    block = _table_block(request, "findings-table")
    return render(request, "register/findings.html", context, block=block)


@router.get("/register/findings/{finding_id}/row")
def finding_row(request: Request, session: SessionDep, user: Reader, finding_id: int) -> Response:
    context = _finding_context(session, user, finding_id, None)
    return render(request, "register/findings.html", context, block="row")


@router.get("/register/findings/{finding_id}/edit")
def edit_finding(request: Request, session: SessionDep, user: Editor, finding_id: int) -> Response:
    context = _finding_context(session, user, finding_id, finding_id)
    return _row_or_page(request, "register/findings.html", "register/finding_form.html", context)


@router.post("/register/findings/{finding_id}")
def save_finding(
    request: Request, session: SessionDep, user: Editor, finding_id: int, form: PostedForm
) -> Response:
    findings.update_finding(
        session=session,
        actor=user,
        finding_id=finding_id,
        update=parse(FindingForm, form).update(),
        ip=request_ip(request),
    )
    if is_htmx(request):
        context = _finding_context(session, user, finding_id, None)
        return render(request, "register/findings.html", context, block="row")
    flash(request, "Finding saved.")
    return redirect(request, "/register/findings")


@router.post("/register/findings")
def add_finding(request: Request, session: SessionDep, user: Editor, form: PostedForm) -> Response:
    finding = findings.add_manual_finding(
        session=session,
        actor=user,
        finding=parse(ManualFindingForm, form).finding(),
        ip=request_ip(request),
    )
    flash(request, f"Finding “{finding.title}” added.")
    return redirect(request, f"/register/findings?vendor_id={finding.vendor_id}")


# --- concentration -------------------------------------------------------------------------------


@router.get("/register/concentration")
def concentration_page(request: Request, session: SessionDep, user: Reader) -> Response:
    assert user.organisation_id is not None
    query = concentration_query(request.query_params)
    groups = concentration(
        session=session,
        organisation_id=user.organisation_id,
        kind=query.kind,
        shared_only=query.shared,
    )
    return render(
        request,
        "register/concentration.html",
        {
            "groups": groups,
            "parents": by_ultimate_parent(groups),
            "query": query,
            "kinds": PROVIDER_KIND_OPTIONS,
        },
    )


# --- export --------------------------------------------------------------------------------------


@router.get("/register/export.xlsx")
def export_register(
    request: Request, session: WriteSessionDep, user: Exporter, filters: Filters
) -> Response:
    """The register workbook for the current filters; the download is on the audit trail."""
    export = export_register_workbook(
        session=session, actor=user, filters=filters, ip=request_ip(request)
    )
    return download(export.file, export.filename)
