"""Vendor portal pages: thin handlers that read the form, call the service and render.

Every answer form works as a plain post (303 back to the question); with htmx the same post
autosaves and gets a fragment back: the question's saved state with its new row version, plus
out-of-band swaps for conditional questions that appeared or disappeared and for progress.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from app.assessments.comments import add_comment
from app.assessments.service import AnswerConflict, get_assessment
from app.audit.service import record, request_ip
from app.auth.permissions import Permission
from app.auth.tenancy import get_scoped
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import Conflict, InvalidInput, NotFound, TooLarge
from app.evidence.service import contact_vendor
from app.models import CommentVisibility, User, Vendor, utcnow
from app.portal import autosave, profile, service
from app.portal.excel import MAX_BYTES
from app.questionnaires.service import questionnaire_of
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["portal"])

Answerer = Annotated[User, require(Permission.answer_assessments)]
TeamManager = Annotated[User, require(Permission.manage_vendor_team)]
PortfolioViewer = Annotated[User, require(Permission.view_portfolio)]
VendorManager = Annotated[User, require(Permission.manage_vendors)]
PAGE = "portal/assessment.html"


async def form_data(request: Request) -> FormData:
    """The posted form with repeated fields (checkboxes, group rows) intact."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def _today() -> date:
    return utcnow().date()


def _page_url(assessment_id: int, anchor: str | None = None) -> str:
    return f"/portal/assessments/{assessment_id}" + (f"#{anchor}" if anchor else "")


# --- home -----------------------------------------------------------------------------------------


@router.get("/portal")
def portal_home(request: Request, user: Answerer, session: SessionDep) -> Response:
    rows = service.portal_assessments(session=session, user=user, today=_today())
    from app.evidence.service import contact_vendors

    return render(
        request,
        "portal/home.html",
        {"rows": rows, "vendors": contact_vendors(session=session, user=user)},
    )


# --- the assessment page --------------------------------------------------------------------------


def _view(session, user, assessment, *, mine_only: bool = False) -> service.AssessmentView:
    return service.assessment_view(
        session=session, user=user, assessment=assessment, today=_today(), mine_only=mine_only
    )


@router.get("/portal/assessments/{assessment_id}")
def assessment_page(
    request: Request,
    assessment_id: int,
    user: Answerer,
    session: SessionDep,
    filter: str = "",
    add_row: str = "",
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    page = _view(session, user, assessment, mine_only=filter == "mine")
    if add_row:
        with contextlib.suppress(NotFound):
            page.question(add_row).extra_rows = 1
    return render(request, PAGE, {"page": page, "filter": filter})


def _card(
    request: Request,
    page: service.AssessmentView | autosave.Redraw,
    view: service.QuestionView,
    *,
    status_code: int = 200,
) -> Response:
    """One question's whole card, swapped over the card on the page."""
    return render(
        request,
        PAGE,
        {"page": page, "v": view},
        block="question",
        status_code=status_code,
        headers={"HX-Retarget": f"#{view.anchor}", "HX-Reswap": "outerHTML"},
    )


@router.get("/portal/assessments/{assessment_id}/questions/{question_key}")
def question_card(
    request: Request, assessment_id: int, question_key: str, user: Answerer, session: SessionDep
) -> Response:
    """The question as saved now (the conflict screen's "keep theirs")."""
    key = question_key
    assessment = get_assessment(session, user, assessment_id)
    page = _view(session, user, assessment)
    view = page.question(key)
    if not is_htmx(request):
        return redirect(request, _page_url(assessment.id, view.anchor))
    return _card(request, page, view)


@router.post("/portal/assessments/{assessment_id}/answers/{question_key}")
def save_answer(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: Form,
) -> Response:
    key = question_key
    # Locked now: the save below would lock it anyway, and this spares it a second read.
    assessment = get_assessment(session, user, assessment_id, for_update=True)
    question = questionnaire_of(session, assessment).by_key.get(key)
    if question is None:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    try:
        version = int(str(form.get("version", "0")))
    except ValueError:
        raise InvalidInput("The form is out of date; reload the page.") from None
    comment = str(form["comment"]) if "comment" in form else None
    adding = "add_row" in form
    try:
        raw = service.raw_from_form(question, form, form.getlist)
        outcome = autosave.save_from_page(
            session=session,
            actor=user,
            assessment=assessment,
            key=key,
            raw_value=raw,
            expected_version=version,
            comment=comment,
            ip=request_ip(request),
        )
    except AnswerConflict as exc:
        page = _view(session, user, assessment)
        view = page.question(key)
        view.state, view.conflict, view.message = "conflict", exc, exc.message
        if is_htmx(request):
            return _card(request, page, view, status_code=409)
        return render(request, PAGE, {"page": page, "filter": ""}, status_code=409)
    except InvalidInput as exc:
        page = _view(session, user, assessment)
        view = page.question(key)
        view.state, view.message = "error", exc.message
        if is_htmx(request):
            return render(
                request, PAGE, {"page": page, "v": view}, block="save_state", status_code=422
            )
        return render(request, PAGE, {"page": page, "filter": ""}, status_code=422)
    if not is_htmx(request):
        flash(request, "Saved.")
        suffix = f"?add_row={question_key}" if adding else ""
        return redirect(
            request, f"/portal/assessments/{assessment.id}{suffix}#{service.anchor(key)}"
        )
    # The response redraws the saved question's state and the cards that appeared or
    # disappeared, no others. Only a change of layout redraws the saved card itself: redrawing
    # it on every field's change would replace the row a person is typing into (what they
    # typed next was lost).
    relayout = "value_json" in form or adding or "remove_row" in form
    changed = outcome.appeared + outcome.disappeared
    page = autosave.redraw(
        session=session,
        user=user,
        assessment=assessment,
        outcome=outcome,
        cards=[key, *changed] if relayout else changed,
        today=_today(),
    )
    view = page.question(key)
    view.state = "saved"
    if relayout:
        view.extra_rows = 1 if adding else 0
        return _card(request, page, view)
    return render(
        request,
        PAGE,
        {
            "page": page,
            "v": view,
            "changed": [page.question(k) for k in changed],
            "section": page.section_of(view),
        },
        block="saved",
    )


@router.post("/portal/assessments/{assessment_id}/answers/{question_key}/previous")
def use_previous(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: Form,
) -> Response:
    key = question_key
    assessment = get_assessment(session, user, assessment_id)
    try:
        source = int(str(form.get("source_answer_id", "")))
        version = int(str(form.get("version", "0")))
    except ValueError:
        raise InvalidInput("The form is out of date; reload the page.") from None
    try:
        service.use_previous(
            session=session,
            actor=user,
            assessment=assessment,
            key=key,
            source_answer_id=source,
            expected_version=version,
            ip=request_ip(request),
        )
    except AnswerConflict as exc:
        page = _view(session, user, assessment)
        view = page.question(key)
        view.state, view.conflict, view.message = "conflict", exc, exc.message
        if is_htmx(request):
            return _card(request, page, view, status_code=409)
        return render(request, PAGE, {"page": page, "filter": ""}, status_code=409)
    if not is_htmx(request):
        flash(request, "The previous answer was copied in.")
        return redirect(request, _page_url(assessment.id, service.anchor(key)))
    page = _view(session, user, assessment)
    view = page.question(key)
    view.state = "saved"
    return _card(request, page, view)


@router.post("/portal/assessments/{assessment_id}/reuse")
def set_reuse(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: Form
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    reuse = form.get("reuse") == "on"
    service.set_reuse(
        session=session, actor=user, assessment=assessment, reuse=reuse, ip=request_ip(request)
    )
    flash(
        request,
        "Answers you gave other buyers will be offered."
        if reuse
        else "Only answers given to this buyer will be offered.",
    )
    return redirect(request, _page_url(assessment.id))


@router.post("/portal/assessments/{assessment_id}/assignments")
def assign_section(
    request: Request, assessment_id: int, user: TeamManager, session: SessionDep, form: Form
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    section_key = str(form.get("section_key", "")).strip()
    if not section_key:
        raise InvalidInput("Choose a section.")
    raw = str(form.get("user_id", "")).strip()
    try:
        user_id = int(raw) if raw else None
    except ValueError:
        raise InvalidInput("Choose a colleague.") from None
    service.assign_section(
        session=session,
        actor=user,
        assessment=assessment,
        section_key=section_key,
        user_id=user_id,
        ip=request_ip(request),
    )
    flash(request, "Section assignment saved.")
    return redirect(request, _page_url(assessment.id))


@router.post("/portal/assessments/{assessment_id}/resume")
def resume(request: Request, assessment_id: int, user: Answerer, session: SessionDep) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    service.resume(session=session, actor=user, assessment=assessment, ip=request_ip(request))
    flash(request, "The answers are open again: answer the buyer's questions, then resubmit.")
    return redirect(request, _page_url(assessment.id))


# --- comments and evidence on a question ----------------------------------------------------------


@router.post("/portal/assessments/{assessment_id}/questions/{question_key}/comments")
def post_comment(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: Form,
) -> Response:
    key = question_key
    assessment = get_assessment(session, user, assessment_id)
    if key not in questionnaire_of(session, assessment).by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    add_comment(
        session=session,
        actor=user,
        assessment=assessment,
        question_key=key,
        body=str(form.get("body", "")),
        visibility=CommentVisibility.vendor,
        ip=request_ip(request),
    )
    if not is_htmx(request):
        flash(request, "Message sent.")
        return redirect(request, _page_url(assessment.id, service.anchor(key)))
    page = _view(session, user, assessment)
    return render(request, PAGE, {"page": page, "v": page.question(key)}, block="thread")


def _evidence_response(request, session, user, assessment, key: str, message: str) -> Response:
    if not is_htmx(request):
        flash(request, message)
        return redirect(request, _page_url(assessment.id, service.anchor(key)))
    page = _view(session, user, assessment)
    view = page.question(key)
    section = next(s for s in page.sections if s.key == view.section_key)
    return render(request, PAGE, {"page": page, "v": view, "section": section}, block="evidence")


@router.post("/portal/assessments/{assessment_id}/questions/{question_key}/evidence")
def attach(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: Form,
) -> Response:
    key = question_key
    assessment = get_assessment(session, user, assessment_id)
    ids = [str(v) for v in form.getlist("evidence_id") if str(v).strip()]
    if not ids:
        raise InvalidInput("Choose a file from the library.")
    for raw in ids:
        if not raw.isdecimal():
            raise InvalidInput("Choose a file from the library.")
        service.attach_to_question(
            session=session,
            actor=user,
            assessment=assessment,
            key=key,
            evidence_id=int(raw),
            ip=request_ip(request),
        )
    return _evidence_response(request, session, user, assessment, key, "File attached.")


@router.post(
    "/portal/assessments/{assessment_id}/questions/{question_key}/evidence/{evidence_id}/detach"
)
def detach(
    request: Request,
    assessment_id: int,
    question_key: str,
    evidence_id: int,
    user: Answerer,
    session: SessionDep,
) -> Response:
    key = question_key
    assessment = get_assessment(session, user, assessment_id)
    service.detach_from_question(
        session=session,
        actor=user,
        assessment=assessment,
        key=key,
        evidence_id=evidence_id,
        ip=request_ip(request),
    )
    return _evidence_response(request, session, user, assessment, key, "File removed.")


# --- submitting -----------------------------------------------------------------------------------


@router.get("/portal/assessments/{assessment_id}/submit")
def submit_page(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    return _submit_page(request, session, user, assessment)


def _submit_page(request, session, user, assessment, *, problems=(), form=None, status_code=200):
    page = _view(session, user, assessment)
    return render(
        request,
        "portal/submit.html",
        {
            "page": page,
            "missing": service.missing_items(session=session, assessment=assessment),
            "problems": list(problems),
            "form": form or {"name": user.name, "title": ""},
            "statement": service.ATTESTATION_STATEMENT,
        },
        status_code=status_code,
    )


@router.post("/portal/assessments/{assessment_id}/submit")
def submit(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: Form
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    values = {"name": str(form.get("name", "")), "title": str(form.get("title", ""))}
    try:
        service.submit(
            session=session,
            actor=user,
            assessment=assessment,
            name=values["name"],
            title=values["title"],
            confirmed=form.get("confirm") == "on",
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        return _submit_page(
            request, session, user, assessment, problems=exc.details, form=values, status_code=422
        )
    flash(request, "Submitted. The buyer has been notified; download your receipt below.")
    return redirect(request, _page_url(assessment.id))


@router.get("/portal/assessments/{assessment_id}/receipt.pdf")
def receipt(
    request: Request, assessment_id: int, user: Answerer, session: WriteSessionDep
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    pdf = service.receipt_pdf(session=session, assessment=assessment)
    _record_export(request, session, user, assessment, "receipt.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="assessment-{assessment.id}-receipt.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def _record_export(request: Request, session, user: User, assessment, kind: str) -> None:
    """The answers left Assay: on the buyer's audit trail, like every export."""
    record(
        session,
        action="assessment.exported",
        actor=user,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"format": kind},
        ip=request_ip(request),
    )


# --- the Excel round trip -------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/portal/assessments/{assessment_id}/export.xlsx")
def export_xlsx(
    request: Request, assessment_id: int, user: Answerer, session: WriteSessionDep
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    data = service.export_workbook(session=session, assessment=assessment)
    _record_export(request, session, user, assessment, "xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="assessment-{assessment.id}.xlsx"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/portal/assessments/{assessment_id}/import")
def import_preview(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: Form
) -> Response:
    upload = form.get("workbook")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("Choose the workbook to upload.")
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge("The workbook is larger than 5 MB; export a fresh one.")
    return _import_preview(request, session, user, assessment_id, data)


def _import_preview(request, session, user, assessment_id: int, data: bytes) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    if not service.is_editable(assessment):
        raise Conflict("Answers are locked; the workbook cannot be imported now.")
    try:
        preview = service.preview_import(session=session, assessment=assessment, data=data)
        fatal = None
    except (InvalidInput, TooLarge) as exc:
        preview, fatal = None, exc.message
    return render(
        request,
        "portal/import.html",
        {"page": _view(session, user, assessment), "preview": preview, "fatal": fatal},
        status_code=200 if fatal is None and preview and preview.ok else 422,
    )


@router.post("/portal/assessments/{assessment_id}/import/apply")
def import_apply(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: Form
) -> Response:
    assessment = get_assessment(session, user, assessment_id)
    try:
        changes = [json.loads(str(c)) for c in form.getlist("change")]
    except (ValueError, RecursionError):  # RecursionError: a forged change nested too deeply
        raise InvalidInput("The import could not be read; upload the workbook again.") from None
    count = service.apply_import(
        session=session, actor=user, assessment=assessment, changes=changes, ip=request_ip(request)
    )
    flash(request, f"Imported {count} answer(s) from the workbook.")
    return redirect(request, _page_url(assessment.id))


# --- the vendor's register data -------------------------------------------------------------------


def _profile_page(request, session, vendor: Vendor, data: dict[str, Any], **extra) -> Response:
    pending = profile.pending_change(session=session, vendor_id=vendor.id)
    return render(
        request,
        "portal/profile.html",
        {
            "vendor": vendor,
            "data": data,
            "pending": pending,
            "substitutability": ["easy", "medium", "highly_complex", "not_substitutable"],
            "reintegration": profile.REINTEGRATION,
            "problems": extra.get("problems", []),
        },
        status_code=extra.get("status_code", 200),
    )


@router.get("/portal/vendors/{vendor_id}/profile")
def profile_page(request: Request, vendor_id: int, user: Answerer, session: SessionDep) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    pending = profile.pending_change(session=session, vendor_id=vendor.id)
    data = pending.data if pending else profile.register_snapshot(session=session, vendor=vendor)
    return _profile_page(request, session, vendor, data)


@router.post("/portal/vendors/{vendor_id}/profile")
def profile_save(
    request: Request, vendor_id: int, user: Answerer, session: SessionDep, form: Form
) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    contracts = profile.contracts_of(session, vendor)
    try:
        data = profile.profile_from_form(form, vendor=vendor, contracts=contracts)
    except InvalidInput as exc:
        snapshot = profile.register_snapshot(session=session, vendor=vendor)
        return _profile_page(
            request, session, vendor, snapshot, problems=exc.details, status_code=422
        )
    profile.propose_profile(
        session=session, actor=user, vendor=vendor, data=data, ip=request_ip(request)
    )
    flash(request, "Saved. The buyer reviews the changes before they enter its register.")
    return redirect(request, f"/portal/vendors/{vendor.id}/profile")


@router.get("/vendors/{vendor_id}/profile-changes")
def profile_changes(
    request: Request, vendor_id: int, user: PortfolioViewer, session: SessionDep
) -> Response:
    vendor = get_scoped(session, Vendor, vendor_id, user)
    current = profile.register_snapshot(session=session, vendor=vendor)
    changes = [
        (change, profile.profile_diff(current, change.data) if change.status == "pending" else [])
        for change in profile.profile_changes(session=session, vendor=vendor)
    ]
    return render(request, "portal/profile_changes.html", {"vendor": vendor, "changes": changes})


@router.post("/vendors/{vendor_id}/profile-changes/{change_id}/{decision}")
def decide_profile_change(
    request: Request,
    vendor_id: int,
    change_id: int,
    decision: str,
    user: VendorManager,
    session: SessionDep,
    form: Form,
) -> Response:
    vendor = get_scoped(session, Vendor, vendor_id, user)
    change = profile.get_change(session=session, vendor=vendor, change_id=change_id)
    if decision == "accept":
        diff = profile.accept_change(
            session=session, actor=user, vendor=vendor, change=change, ip=request_ip(request)
        )
        flash(request, f"Accepted: {len(diff)} field(s) updated in the register.")
    elif decision == "reject":
        profile.reject_change(
            session=session,
            actor=user,
            vendor=vendor,
            change=change,
            note=str(form.get("note", "")),
            ip=request_ip(request),
        )
        flash(request, "Rejected; the register is unchanged.")
    else:
        raise NotFound("No such action.")
    return redirect(request, f"/vendors/{vendor.id}/profile-changes")
