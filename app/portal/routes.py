"""Vendor portal pages: thin handlers that read the form, call the service and render.

Every answer form works as a plain post (303 back to the question); with htmx the same post
autosaves and gets a fragment back: the question's saved state with its new row version, plus
out-of-band swaps for conditional questions that appeared or disappeared and for progress.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.assessments.comments import add_comment
from app.assessments.service import AnswerConflict, get_assessment, open_assessment
from app.audit.service import record, request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import Conflict, InvalidInput, NotFound, TooLarge
from app.evidence.service import contact_vendor
from app.forms import PostedForm, parse, parse_repeated
from app.models import (
    Assessment,
    CommentVisibility,
    Organisation,
    Substitutability,
    User,
    Vendor,
    utcnow,
)
from app.portal import autosave, excel, profile, reuse, service, submission
from app.portal.schemas import (
    AssignmentForm,
    AttachForm,
    CommentForm,
    CoversForm,
    ImportApplyForm,
    PreviousAnswerForm,
    ReuseForm,
    SubmitForm,
    WorkbookForm,
    posted_version,
    raw_from_form,
)
from app.portal.view import (
    PortalPage,
    QuestionView,
    anchor,
    assessment_url,
    cover_choices,
    covers_page,
    first_section_needing_work,
    fragment_page,
    portal_home_response,
    question_url,
    section_page,
    section_url,
)
from app.questionnaires.service import questionnaire_of
from app.vendors import codes
from app.vendors.profile_changes import contracts_of, pending_change, register_snapshot
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["portal"])

Answerer = Annotated[User, require(Permission.answer_assessments)]
TeamManager = Annotated[User, require(Permission.manage_vendor_team)]
PAGE = "portal/assessment.html"


def _today() -> date:
    return utcnow().date()


def _question_url(session: Session, assessment: Assessment, key: str) -> str:
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    if key not in questionnaire.by_key:
        return assessment_url(assessment.id)
    return question_url(assessment.id, questionnaire, key)


# --- home -----------------------------------------------------------------------------------------


@router.get("/portal")
def portal_home(request: Request, user: Answerer, session: SessionDep) -> Response:
    return portal_home_response(request, session, user)


# --- the assessment, one section per page ---------------------------------------------------------


@router.get("/portal/assessments/{assessment_id}")
def assessment_page(
    request: Request,
    assessment_id: int,
    user: Answerer,
    session: SessionDep,
    filter: str = "",
) -> Response:
    """The assessment's old single-page address: the first section that needs work."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    key = first_section_needing_work(
        session=session, user=user, assessment=assessment, mine_only=filter == "mine"
    )
    return redirect(request, section_url(assessment.id, key))


@router.get("/portal/assessments/{assessment_id}/sections/{section_key}")
def section(
    request: Request,
    assessment_id: int,
    section_key: str,
    user: Answerer,
    session: SessionDep,
    show: str = "",
    add_row: str = "",
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    page = _section_page(session, user, assessment, section_key, show=show)
    if add_row in page.views:
        page.question(add_row).extra_rows = 1
    return render(request, PAGE, {"page": page})


def _section_page(
    session: Session, user: User, assessment: Assessment, section_key: str, show: str = ""
) -> PortalPage:
    return section_page(
        session=session,
        user=user,
        assessment=assessment,
        section_key=section_key,
        show=show,
        today=_today(),
    )


def _page_of(session: Session, user: User, assessment: Assessment, key: str) -> PortalPage:
    """The section page a question is on (for a plain form's answer drawn in full)."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    if key not in questionnaire.section_by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    return _section_page(session, user, assessment, questionnaire.section_by_key[key])


def _fragment(
    session: Session, user: User, assessment: Assessment, keys: list[str], **kw: Any
) -> PortalPage:
    return fragment_page(
        session=session, user=user, assessment=assessment, keys=keys, today=_today(), **kw
    )


def _card(
    request: Request,
    page: PortalPage,
    view: QuestionView,
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


def _conflict_response(
    request: Request,
    session: Session,
    user: User,
    assessment: Assessment,
    key: str,
    exc: AnswerConflict,
) -> Response:
    """Someone saved the question first: their answer beside the one just sent, to choose."""
    if is_htmx(request):
        page = _fragment(session, user, assessment, [key])
    else:
        page = _page_of(session, user, assessment, key)
    view = page.question(key)
    view.state, view.conflict, view.message = "conflict", exc, exc.message
    if is_htmx(request):
        return _card(request, page, view, status_code=409)
    return render(request, PAGE, {"page": page}, status_code=409)


@router.get("/portal/assessments/{assessment_id}/questions/{question_key}")
def question_card(
    request: Request, assessment_id: int, question_key: str, user: Answerer, session: SessionDep
) -> Response:
    """The question as saved now (the conflict screen's "keep theirs")."""
    key = question_key
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    if key not in questionnaire.by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    if not is_htmx(request):
        return redirect(request, question_url(assessment.id, questionnaire, key))
    page = _fragment(session, user, assessment, [key], questionnaire=questionnaire)
    return _card(request, page, page.question(key))


@router.post("/portal/assessments/{assessment_id}/answers/{question_key}")
def save_answer(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    """The answer form: its fields come from the questionnaire, so `raw_from_form` reads it."""
    key = question_key
    opened = open_assessment(
        session=session, user=user, assessment_id=assessment_id, for_update=True
    )
    assessment, questionnaire = opened.assessment, opened.questionnaire
    question = questionnaire.by_key.get(key)
    if question is None:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    version = posted_version(form)
    comment = str(form["comment"]) if "comment" in form else None
    adding = "add_row" in form
    try:
        raw = raw_from_form(question, form, form.getlist)
        outcome = autosave.save_from_page(
            session=session,
            actor=user,
            opened=opened,
            key=key,
            raw_value=raw,
            expected_version=version,
            today=_today(),
            comment=comment,
            ip=request_ip(request),
        )
    except AnswerConflict as exc:
        return _conflict_response(request, session, user, assessment, key, exc)
    except InvalidInput as exc:
        if is_htmx(request):
            page = _fragment(session, user, assessment, [key], questionnaire=questionnaire)
        else:
            page = _page_of(session, user, assessment, key)
        view = page.question(key)
        view.state, view.message = "error", exc.message
        if is_htmx(request):
            return render(
                request, PAGE, {"page": page, "v": view}, block="save_state", status_code=422
            )
        return render(request, PAGE, {"page": page}, status_code=422)
    if not is_htmx(request):
        flash(request, "Saved.")
        url = section_url(assessment.id, questionnaire.section_by_key[key])
        suffix = f"?add_row={key}" if adding else ""
        return redirect(request, f"{url}{suffix}#{anchor(key)}")
    # The response redraws the saved question's state and the cards that appeared or
    # disappeared, no others. Only a change of layout redraws the saved card itself: redrawing
    # it on every field's change would replace the row a person is typing into (what they
    # typed next was lost).
    relayout = "value_json" in form or adding or "remove_row" in form
    section = questionnaire.section_by_key[key]
    changed = [  # the cards on this section's page; other sections draw theirs when opened
        k
        for k in outcome.appeared + outcome.disappeared
        if questionnaire.section_by_key[k] == section
    ]
    page = _fragment(
        session,
        user,
        assessment,
        [key, *changed],
        questionnaire=questionnaire,
        cards=relayout or bool(changed),
        saved=outcome,
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
    form: PostedForm,
) -> Response:
    key = question_key
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    posted = parse(PreviousAnswerForm, form)
    try:
        reuse.use_previous(
            session=session,
            actor=user,
            assessment=assessment,
            key=key,
            source_answer_id=posted.source_answer_id,
            expected_version=posted.version,
            ip=request_ip(request),
        )
    except AnswerConflict as exc:
        return _conflict_response(request, session, user, assessment, key, exc)
    if not is_htmx(request):
        flash(request, "The previous answer was copied in.")
        return redirect(request, _question_url(session, assessment, key))
    page = _fragment(session, user, assessment, [key])
    view = page.question(key)
    view.state = "saved"
    return _card(request, page, view)


@router.post("/portal/assessments/{assessment_id}/reuse")
def set_reuse(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: PostedForm
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    reuse_across_buyers = parse(ReuseForm, form).reuse
    reuse.set_reuse(
        session=session,
        actor=user,
        assessment=assessment,
        reuse=reuse_across_buyers,
        ip=request_ip(request),
    )
    flash(
        request,
        "Answers you gave other buyers will be offered."
        if reuse_across_buyers
        else "Only answers given to this buyer will be offered.",
    )
    return redirect(request, assessment_url(assessment.id))


@router.post("/portal/assessments/{assessment_id}/assignments")
def assign_section(
    request: Request, assessment_id: int, user: TeamManager, session: SessionDep, form: PostedForm
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    posted = parse(AssignmentForm, form)
    service.assign_section(
        session=session,
        actor=user,
        assessment=assessment,
        section_key=posted.section_key,
        user_id=posted.user_id,
        ip=request_ip(request),
    )
    flash(request, "Section assignment saved.")
    return redirect(request, section_url(assessment.id, posted.section_key))


@router.post("/portal/assessments/{assessment_id}/resume")
def resume(request: Request, assessment_id: int, user: Answerer, session: SessionDep) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    submission.resume(session=session, actor=user, assessment=assessment, ip=request_ip(request))
    flash(request, "The answers are open again: answer the buyer's questions, then resubmit.")
    return redirect(request, assessment_url(assessment.id))


# --- comments and evidence on a question ----------------------------------------------------------


@router.post("/portal/assessments/{assessment_id}/questions/{question_key}/comments")
def post_comment(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    key = question_key
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    if key not in questionnaire_of(session=session, assessment=assessment).by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    add_comment(
        session=session,
        actor=user,
        assessment=assessment,
        question_key=key,
        body=parse(CommentForm, form).body,
        visibility=CommentVisibility.vendor,
        ip=request_ip(request),
    )
    if not is_htmx(request):
        flash(request, "Message sent.")
        return redirect(request, _question_url(session, assessment, key))
    page = _fragment(session, user, assessment, [key])
    return render(request, PAGE, {"page": page, "v": page.question(key)}, block="thread")


def _evidence_response(
    request: Request,
    session: Session,
    user: User,
    assessment: Assessment,
    key: str,
    message: str,
    *,
    error: bool = False,
    uploaded: int | None = None,
) -> Response:
    """The question's evidence box again (htmx), or back to the question. `uploaded`: a file
    just uploaded here, offered for the other questions it covers."""
    if not is_htmx(request):
        flash(request, message)
        return redirect(request, _question_url(session, assessment, key))
    page = _fragment(session, user, assessment, [key])
    view = page.question(key)
    if error:
        view.state, view.message = "error", message
    covers = None
    if uploaded is not None and not error:  # every question it may cover, not just this one
        whole = covers_page(
            session=session, user=user, assessment=assessment, evidence_id=uploaded, today=_today()
        )
        covers = cover_choices(page=whole, evidence=whole.library_file(uploaded), also=[])
    return render(
        request,
        PAGE,
        {"page": page, "v": view, "section": page.section_of(view), "covers": covers},
        block="evidence",
        status_code=422 if error else 200,
    )


@router.post("/portal/assessments/{assessment_id}/questions/{question_key}/evidence")
def attach(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Answerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    key = question_key
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    posted = parse_repeated(AttachForm, form)
    try:
        service.attach_files(
            session=session,
            actor=user,
            assessment=assessment,
            evidence_ids=posted.evidence_id,
            keys=[key],
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        if not is_htmx(request):
            raise  # the error page says why; nothing was attached
        message = " ".join([exc.message, *exc.details])
        return _evidence_response(request, session, user, assessment, key, message, error=True)
    uploaded = posted.evidence_id[0] if posted.uploaded and len(posted.evidence_id) == 1 else None
    return _evidence_response(
        request, session, user, assessment, key, "File attached.", uploaded=uploaded
    )


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
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    service.detach_from_question(
        session=session,
        actor=user,
        assessment=assessment,
        key=key,
        evidence_id=evidence_id,
        ip=request_ip(request),
    )
    return _evidence_response(request, session, user, assessment, key, "File removed.")


# --- one document, many questions ----------------------------------------------------------------


def _covers_response(
    request: Request,
    session: Session,
    user: User,
    assessment: Assessment,
    evidence_id: int,
    *,
    also: list[str],
    back: str,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    page = covers_page(
        session=session, user=user, assessment=assessment, evidence_id=evidence_id, today=_today()
    )
    covers = cover_choices(page=page, evidence=page.library_file(evidence_id), also=also)
    if problems is not None:  # drawn again as posted
        for _, choices in covers.sections:
            for choice in choices:
                choice.ticked = choice.key in also
    return render(
        request,
        "portal/covers.html",
        {"page": page, "covers": covers, "back": back, "problems": problems or []},
        status_code=status_code,
    )


def _back(assessment: Assessment, back: str) -> str:
    """Where to return after attaching: a page of this assessment, never another site."""
    own = assessment_url(assessment.id)
    return back if back == own or back.startswith(own + "/") else own


@router.get("/portal/assessments/{assessment_id}/evidence/{evidence_id}")
def covers(
    request: Request,
    assessment_id: int,
    evidence_id: int,
    user: Answerer,
    session: SessionDep,
    also: str = "",
    back: str = "",
) -> Response:
    """ "This document covers …": one library file, every question that accepts its kind."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    return _covers_response(
        request,
        session,
        user,
        assessment,
        evidence_id,
        also=[also] if also else [],
        back=_back(assessment, back),
    )


@router.post("/portal/assessments/{assessment_id}/evidence/{evidence_id}")
def attach_covered(
    request: Request,
    assessment_id: int,
    evidence_id: int,
    user: Answerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    back = _back(assessment, str(form.get("back", "")))
    try:
        posted = parse_repeated(CoversForm, form)
        made = service.attach_files(
            session=session,
            actor=user,
            assessment=assessment,
            evidence_ids=[evidence_id],
            keys=posted.question,
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        if is_htmx(request):
            raise
        return _covers_response(
            request,
            session,
            user,
            assessment,
            evidence_id,
            also=[str(k) for k in form.getlist("question")],
            back=back,
            problems=[exc.message, *exc.details],
            status_code=422,
        )
    flash(request, f"Attached the document to {made} more question(s).")
    return redirect(request, back)


# --- submitting -----------------------------------------------------------------------------------


@router.get("/portal/assessments/{assessment_id}/submit")
def submit_page(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    return _submit_page(request, session, user, assessment)


def _submit_page(
    request: Request,
    session: Session,
    user: User,
    assessment: Assessment,
    *,
    problems: Any = (),
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = _fragment(session, user, assessment, [])
    organisation = session.get(Organisation, assessment.organisation_id)
    page.buyer = organisation.name if organisation else ""
    return render(
        request,
        "portal/submit.html",
        {
            "page": page,
            "missing": submission.missing_items(session=session, assessment=assessment),
            "problems": list(problems),
            "form": form or {"name": user.name, "title": ""},
            "statement": submission.ATTESTATION_STATEMENT,
        },
        status_code=status_code,
    )


@router.post("/portal/assessments/{assessment_id}/submit")
def submit(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: PostedForm
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    posted = parse(SubmitForm, form)
    try:
        submission.submit(
            session=session,
            actor=user,
            assessment=assessment,
            name=posted.name,
            title=posted.title,
            confirmed=posted.confirm,
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        return _submit_page(
            request,
            session,
            user,
            assessment,
            problems=exc.details,
            form={"name": posted.name, "title": posted.title},
            status_code=422,
        )
    flash(request, "Submitted. The buyer has been notified; download your receipt below.")
    return redirect(request, assessment_url(assessment.id))


@router.get("/portal/assessments/{assessment_id}/receipt.pdf")
def receipt(
    request: Request, assessment_id: int, user: Answerer, session: WriteSessionDep
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    pdf = submission.receipt_pdf(session=session, assessment=assessment)
    _record_export(request, session, user, assessment, "receipt.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="assessment-{assessment.id}-receipt.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def _record_export(
    request: Request, session: Session, user: User, assessment: Assessment, kind: str
) -> None:
    """The answers left Assay: on the buyer's audit trail, like every export."""
    record(
        session=session,
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
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    data = excel.export_workbook(session=session, assessment=assessment)
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
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: PostedForm
) -> Response:
    data = excel.read_upload(parse(WorkbookForm, form).workbook)
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    if not service.is_editable(assessment):
        raise Conflict("Answers are locked; the workbook cannot be imported now.")
    try:
        preview = excel.preview_import(session=session, assessment=assessment, data=data)
        fatal = None
    except (InvalidInput, TooLarge) as exc:
        preview, fatal = None, exc.message
    return render(
        request,
        "portal/import.html",
        {"page": _fragment(session, user, assessment, []), "preview": preview, "fatal": fatal},
        status_code=200 if fatal is None and preview and preview.ok else 422,
    )


@router.post("/portal/assessments/{assessment_id}/import/apply")
def import_apply(
    request: Request, assessment_id: int, user: Answerer, session: SessionDep, form: PostedForm
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    changes = parse_repeated(ImportApplyForm, form).change
    result = excel.apply_import(
        session=session, actor=user, assessment=assessment, changes=changes, ip=request_ip(request)
    )
    left_out = (
        f" {len(result.blocked)} left out: a colleague changed them in the portal meanwhile."
        if result.blocked
        else ""
    )
    flash(request, f"Imported {result.applied} answer(s) from the workbook.{left_out}")
    return redirect(request, assessment_url(assessment.id))


# --- the vendor's register data -------------------------------------------------------------------


def _profile_page(
    request: Request,
    vendor: Vendor,
    data: dict[str, Any],
    pending: Any,
    *,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "portal/profile.html",
        {
            "vendor": vendor,
            "data": data,
            "pending": pending,
            "substitutability": {
                s.value: codes.SUBSTITUTABILITY[s.value] for s in Substitutability
            },
            "substitutability_reasons": codes.SUBSTITUTABILITY_REASONS,
            "reintegration": codes.REINTEGRATION,
            "problems": problems or [],
        },
        status_code=status_code,
    )


@router.get("/portal/vendors/{vendor_id}/profile")
def profile_page(request: Request, vendor_id: int, user: Answerer, session: SessionDep) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    pending = pending_change(session=session, vendor_id=vendor.id)
    data = pending.data if pending else register_snapshot(session=session, vendor=vendor)
    return _profile_page(request, vendor, data, pending)


@router.post("/portal/vendors/{vendor_id}/profile")
def profile_save(
    request: Request, vendor_id: int, user: Answerer, session: SessionDep, form: PostedForm
) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    try:
        data = profile.profile_from_form(
            form, vendor=vendor, contracts=contracts_of(session=session, vendor=vendor)
        )
    except InvalidInput as exc:
        return _profile_page(
            request,
            vendor,
            register_snapshot(session=session, vendor=vendor),
            pending_change(session=session, vendor_id=vendor.id),
            problems=exc.details,
            status_code=422,
        )
    profile.propose_profile(
        session=session, actor=user, vendor=vendor, data=data, ip=request_ip(request)
    )
    flash(request, "Saved. The buyer reviews the changes before they enter its register.")
    return redirect(request, f"/portal/vendors/{vendor.id}/profile")
