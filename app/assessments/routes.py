"""Buyer pages for assessments: the list, sending questionnaires, and the review page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.assessments import bulk_review, decisions, review
from app.assessments.decision_routes import draft_from_form
from app.assessments.lifecycle import TRANSITIONS
from app.assessments.listing import AssessmentFilters, filter_choices, is_overdue, list_assessments
from app.assessments.reassessment import (
    TIERS,
    resend_tiers,
    set_resend_tiers,
    set_vendor_resend,
)
from app.assessments.review_page import (
    SHOW_LABELS,
    Show,
    questionnaire_row,
    review_page,
    review_rows,
)
from app.assessments.reviewers import (
    DEFAULT_REVIEWER,
    assign_reviewer,
    reviewer_choices,
    set_default_reviewer,
)
from app.assessments.schemas import (
    AUTO_RESEND_CHOICES,
    AnswerReviewForm,
    BulkReviewForm,
    EvidenceReviewForm,
    ReasonForm,
    ResendDefaultsForm,
    ReviewerForm,
    SendForm,
    ThreadMessageForm,
    VendorResendForm,
)
from app.assessments.sending import (
    recipients_from_form,
    send_questionnaire,
    vendors_with_contacts,
)
from app.assessments.service import (
    get_assessment,
    open_assessment,
    timeline,
)
from app.audit.service import request_ip
from app.auth.permissions import Permission, has_permission
from app.deps import SessionDep, require
from app.errors import InvalidInput, NotFound
from app.evidence import filetypes
from app.forms import FieldErrors, PostedForm, parse, parse_repeated
from app.models import (
    Campaign,
    Organisation,
    User,
    Vendor,
    utcnow,
)
from app.questionnaires.service import available_questionnaires, publish_library
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["assessments"])

Viewer = Annotated[User, require(Permission.view_portfolio)]
Sender = Annotated[User, require(Permission.send_questionnaires)]
Reviewer = Annotated[User, require(Permission.review_assessments)]
Publisher = Annotated[User, require(Permission.manage_questionnaires)]

PREVIEWABLE = {t.media_type for t in filetypes.ACCEPTED if t.previewable}
DEFAULT_DUE_DAYS = 30


def _optional_int(raw: str | None, what: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{what} must be a number.") from None


def _today() -> date:
    return utcnow().date()


# --- list -----------------------------------------------------------------------------------------


@router.get("/assessments")
def assessments_list(
    request: Request,
    user: Viewer,
    session: SessionDep,
    status: str = "",
    overdue: str = "",
    vendor_id: str = "",
    campaign_id: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    today = _today()
    filters = AssessmentFilters(
        status=status or None,
        overdue=overdue in ("1", "true", "on", "yes"),
        vendor_id=_optional_int(vendor_id, "vendor_id"),
        campaign_id=_optional_int(campaign_id, "campaign_id"),
        page=page,
    )
    result = list_assessments(session=session, user=user, filters=filters, today=today)
    campaign = session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    if campaign is not None and campaign.organisation_id != user.organisation_id:
        campaign = None
    context = {
        "result": result,
        "filters": filters,
        "today": today,
        "is_overdue": is_overdue,
        "campaign": campaign,
        **filter_choices(session=session, user=user),
    }
    return render(
        request,
        "assessments/list.html",
        context,
        block="results" if is_htmx(request) and request.headers.get("HX-Target") else None,
    )


# --- sending --------------------------------------------------------------------------------------


def _send_form_context(session, user: User, selected: list[int]) -> dict:
    vendors, contacts = vendors_with_contacts(session=session, organisation_id=user.organisation_id)
    questionnaires = available_questionnaires(session=session, organisation_id=user.organisation_id)
    # Latest versions first (then the most recently published), whatever the key.
    questionnaires.sort(key=lambda q: (q.version, q.published_at, q.id), reverse=True)
    return {
        "vendors": vendors,
        "contacts": contacts,
        "questionnaires": questionnaires,
        "selected": set(selected),
        "default_due": _today() + timedelta(days=DEFAULT_DUE_DAYS),
        "min_due": _today(),
        "can_publish": has_permission(user.role, Permission.manage_questionnaires),
    }


@router.get("/assessments/new")
def send_form(
    request: Request,
    user: Sender,
    session: SessionDep,
    vendor_id: Annotated[list[int], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    return render(request, "assessments/send.html", _send_form_context(session, user, vendor_id))


@router.post("/assessments/new")
def send(request: Request, user: Sender, session: SessionDep, form: PostedForm) -> Response:
    posted = parse_repeated(SendForm, form)
    recipients = recipients_from_form(
        session=session,
        vendor_ids=posted.vendor_ids,
        contact_ids=posted.contact_ids,
        new_contacts=list(zip(posted.new_contacts_vendor, posted.new_contacts, strict=False)),
    )
    result = send_questionnaire(
        session=session,
        actor=user,
        vendor_ids=posted.vendor_ids,
        questionnaire_id=posted.questionnaire_id,
        due_date=posted.due_date,
        message=posted.message,
        settings=request.app.state.settings,
        recipients=recipients,
        name=posted.name,
        ip=request_ip(request),
    )
    count = len(result.assessments)
    emails = len(result.notified) + len(result.invited)  # invitations are emails too
    flash(
        request,
        f"Sent to {count} vendor{'s' if count != 1 else ''}: "
        f"{emails} email{'s' if emails != 1 else ''} queued"
        + (
            f", {len(result.invited)} of them invitation{'s' if len(result.invited) != 1 else ''}"
            " to set up an account"
            if result.invited
            else ""
        )
        + ".",
    )
    if count == 1:
        return redirect(request, f"/assessments/{result.assessments[0].id}")
    return redirect(request, f"/assessments?campaign_id={result.campaign.id}")


@router.post("/questionnaires/publish-library")
def publish_questionnaire_library(
    request: Request, user: Publisher, session: SessionDep
) -> Response:
    rows = publish_library(session=session)
    flash(request, f"The library is published: {len(rows)} questionnaire version(s) available.")
    return redirect(request, "/assessments/new")


# --- who reviews, and automatic re-sending ------------------------------------------------------


@router.get("/assessments/settings")
def review_settings(request: Request, user: Sender, session: SessionDep) -> Response:
    """The organisation's defaults: who reviews when a vendor's owner cannot, and which tiers are
    re-sent automatically when their review is due."""
    organisation = session.get(Organisation, user.organisation_id)
    return render(
        request,
        "assessments/settings.html",
        {
            "tiers": TIERS,
            "resend": resend_tiers(organisation),
            "reviewers": reviewer_choices(session=session, organisation_id=user.organisation_id),
            "default_reviewer": ((organisation.settings if organisation else {}) or {}).get(
                DEFAULT_REVIEWER
            ),
        },
    )


@router.post("/assessments/settings")
def save_review_settings(
    request: Request, user: Sender, session: SessionDep, form: PostedForm
) -> Response:
    posted = parse_repeated(ResendDefaultsForm, form)
    ip = request_ip(request)
    set_resend_tiers(session=session, actor=user, tiers=posted.tiers, ip=ip)
    set_default_reviewer(session=session, actor=user, reviewer_id=posted.reviewer_id, ip=ip)
    flash(request, "Saved: the default reviewer and automatic re-sending by tier.")
    return redirect(request, "/assessments/settings")


@router.post("/vendors/{vendor_id}/auto-resend")
def vendor_resend(
    request: Request, vendor_id: int, user: Sender, session: SessionDep, form: PostedForm
) -> Response:
    """Turn one vendor's automatic re-sending on, off, or back to its tier's default."""
    choice = parse(VendorResendForm, form).auto_resend
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.organisation_id != user.organisation_id:
        raise NotFound(f"No vendor {vendor_id} here.")
    set_vendor_resend(
        session=session, actor=user, vendor=vendor, choice=choice, ip=request_ip(request)
    )
    flash(request, f"Automatic re-sending for {vendor.legal_name}: {AUTO_RESEND_CHOICES[choice]}.")
    return redirect(request, f"/vendors/{vendor.id}#reviews")


# --- review page ----------------------------------------------------------------------------------


def _page_context(
    session, user: User, assessment_id: int, section: str | None = None, show: str = ""
) -> dict:
    today = _today()
    opened = open_assessment(session=session, user=user, assessment_id=assessment_id)
    assessment, compiled = opened.assessment, opened.questionnaire
    try:
        chosen = Show(show)
    except ValueError:
        raise InvalidInput(f"Unknown filter {show[:40]!r}.") from None
    page = review_page(
        session=session,
        assessment=assessment,
        viewer=user,
        today=today,
        section=section or None,
        show=chosen,
    )
    steps = timeline(session=session, assessment=assessment)
    return {
        "assessment": assessment,
        "vendor": session.get(Vendor, assessment.vendor_id),
        "questionnaire": questionnaire_row(
            session=session, questionnaire_id=assessment.questionnaire_id
        ),
        "definition": compiled.definition,
        "questions_by_key": compiled.by_key,
        "page": page,
        "sections": page.sections,
        "show_labels": SHOW_LABELS,
        "progress": page.sheet.progress,
        "timeline": steps,
        "actors": review.actors_of(session=session, steps=steps),
        "actions": review.buyer_actions(user, assessment),
        "emails": review.emails_of(session=session, assessment=assessment),
        "counts": page.counts,
        "reviewer": session.get(User, assessment.reviewer_id) if assessment.reviewer_id else None,
        "reviewers": reviewer_choices(session=session, organisation_id=user.organisation_id)
        if _may_review(user)
        else [],
        "can_review": _can_review(user, assessment),
        "can_comment": _may_review(user),
        "can_retry": has_permission(user.role, Permission.send_questionnaires),
        "previewable": PREVIEWABLE,
        "today": today,
        "overdue": is_overdue(assessment, today),
        "decision_panel": decisions.panel(session=session, user=user, assessment=assessment),
    }


def _may_review(user: User) -> bool:
    return has_permission(user.role, Permission.review_assessments)


def _can_review(user: User, assessment) -> bool:
    """Verdicts are given under review; on a submitted assessment the first one starts it."""
    return _may_review(user) and assessment.status in ("submitted", "under_review")


@router.get("/assessments/{assessment_id}")
def assessment_page(
    request: Request,
    assessment_id: int,
    user: Viewer,
    session: SessionDep,
    section: str = "",
    show: str = "",
) -> Response:
    context = _page_context(session, user, assessment_id, section, show)
    return render(request, "assessments/detail.html", context)


def _answer_fragment(request: Request, session, user: User, assessment_id: int, key: str):
    """The one answer's card for htmx, or the whole page after a plain form post."""
    if not is_htmx(request):
        return redirect(request, _back(request, assessment_id) + f"#q-{key}")
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    rows = review_rows(
        session=session, assessment=assessment, viewer=user, today=_today(), only_key=key
    )
    context = {
        "assessment": assessment,
        "row": rows[0] if rows else None,
        "can_review": _can_review(user, assessment),
        "can_comment": _may_review(user),
        "previewable": PREVIEWABLE,
    }
    return render(request, "assessments/detail.html", context, block="answer")


def _back(request: Request, assessment_id: int) -> str:
    """The review page as the analyst was looking at it (section and filter kept)."""
    query = {k: request.query_params[k] for k in ("section", "show") if request.query_params.get(k)}
    return f"/assessments/{assessment_id}" + (f"?{urlencode(query)}" if query else "")


REVIEW_STEPS = ("begin_review", "request_clarification", "complete", "reopen", "cancel")


def _step(
    request: Request,
    session,
    user: User,
    assessment_id: int,
    action: str,
    reason: str,
    form: FormData | None = None,
):
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    review.take_action(
        session=session,
        actor=user,
        assessment=assessment,
        action=action,
        reason=reason,
        settings=request.app.state.settings,
        ip=request_ip(request),
        decision=draft_from_form(session, assessment, form) if form is not None else None,
    )
    label = TRANSITIONS[action].label or action
    flash(request, f"{label}: done. The assessment is now {assessment.status.replace('_', ' ')}.")
    return redirect(request, f"/assessments/{assessment.id}")


@router.post("/assessments/{assessment_id}/review/{action}")
def review_step(
    request: Request,
    assessment_id: int,
    action: str,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    """Begin review, send back for clarification, complete (with the review's decision: the
    form carries its fields, so completing and deciding is one step), reopen or cancel."""
    if action not in REVIEW_STEPS:
        raise InvalidInput(f"Unknown review step {action!r}.")
    if action == "complete":
        try:
            return _step(request, session, user, assessment_id, action, "", form)
        except FieldErrors as exc:
            # Nothing was written (the decision is checked before anything is): show the form
            # again with what was typed and a message next to each field.
            context = _page_context(session, user, assessment_id)
            context["complete_form"] = {
                "values": {k: str(v) for k, v in form.items() if k != "csrf_token"},
                "errors": {"": exc.message, **exc.errors},
            }
            return render(request, "assessments/detail.html", context, status_code=422)
    return _step(request, session, user, assessment_id, action, parse(ReasonForm, form).reason)


@router.post("/assessments/{assessment_id}/send")
def send_draft(request: Request, assessment_id: int, user: Sender, session: SessionDep) -> Response:
    """Send a draft to every contact of its vendor."""
    return _step(request, session, user, assessment_id, "send", "")


@router.post("/assessments/{assessment_id}/cancel")
def cancel(
    request: Request,
    assessment_id: int,
    user: Sender,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    return _step(request, session, user, assessment_id, "cancel", parse(ReasonForm, form).reason)


@router.post("/assessments/{assessment_id}/answers/{question_key}/review")
def answer_review(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    posted = parse(AnswerReviewForm, form)
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    review.review_answer(
        session=session,
        actor=user,
        assessment=assessment,
        question_key=question_key,
        decision=posted.decision,
        reason=posted.reason,
        ip=request_ip(request),
    )
    return _answer_fragment(request, session, user, assessment_id, question_key)


@router.post("/assessments/{assessment_id}/answers/{question_key}/evidence/{evidence_id}/review")
def evidence_review(
    request: Request,
    assessment_id: int,
    question_key: str,
    evidence_id: int,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    decision = parse(EvidenceReviewForm, form).decision
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    review.review_evidence(
        session=session,
        actor=user,
        assessment=assessment,
        question_key=question_key,
        evidence_id=evidence_id,
        decision=decision,
        ip=request_ip(request),
    )
    return _answer_fragment(request, session, user, assessment_id, question_key)


@router.post("/assessments/{assessment_id}/answers/{question_key}/comments")
def answer_comment(
    request: Request,
    assessment_id: int,
    question_key: str,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    """An internal note (buyer team only) or a message the vendor sees and answers."""
    posted = parse(ThreadMessageForm, form)
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    review.add_thread_message(
        session=session,
        actor=user,
        assessment=assessment,
        question_key=question_key,
        body=posted.body,
        visibility=posted.visibility,
        ip=request_ip(request),
    )
    return _answer_fragment(request, session, user, assessment_id, question_key)


@router.post("/assessments/{assessment_id}/bulk-review")
def bulk_verdict(
    request: Request,
    assessment_id: int,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    """Accept the chosen answers, the answers whose files are accepted, or the listed files."""
    posted = parse_repeated(BulkReviewForm, form)
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    ip = request_ip(request)
    if posted.do == "files":
        count = bulk_review.accept_files(
            session=session,
            actor=user,
            assessment=assessment,
            links=bulk_review.parse_pairs(posted.file, "file"),
            ip=ip,
        )
        flash(request, f"Accepted {count} file{'s' if count != 1 else ''}.")
    else:
        if posted.do == "files_accepted":
            count = bulk_review.accept_where_files_accepted(
                session=session, actor=user, assessment=assessment, today=_today(), ip=ip
            )
        else:
            count = bulk_review.accept_answers(
                session=session,
                actor=user,
                assessment=assessment,
                tokens=bulk_review.parse_pairs(posted.answer, "answer"),
                ip=ip,
            )
        flash(request, f"Accepted {count} answer{'s' if count != 1 else ''}.")
    return redirect(request, _back(request, assessment_id))


@router.post("/assessments/{assessment_id}/reviewer")
def reviewer_assign(
    request: Request,
    assessment_id: int,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    """Hand the review to a colleague (or take it)."""
    reviewer_id = parse(ReviewerForm, form).reviewer_id
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    assign_reviewer(
        session=session,
        actor=user,
        assessment=assessment,
        reviewer_id=reviewer_id,
        ip=request_ip(request),
    )
    who = session.get(User, reviewer_id).name if reviewer_id else "nobody"
    flash(request, f"The review is assigned to {who}.")
    return redirect(request, f"/assessments/{assessment_id}")


@router.post("/assessment-emails/{email_id}/retry")
def email_retry(request: Request, email_id: int, user: Sender, session: SessionDep) -> Response:
    """Queue a failed email again, once the SMTP problem is fixed."""
    email = review.email_to_retry(session=session, email_id=email_id)
    assessment = get_assessment(session=session, user=user, assessment_id=email.assessment_id)
    review.retry_email(
        session=session,
        actor=user,
        assessment=assessment,
        email_id=email_id,
        ip=request_ip(request),
    )
    flash(request, f"The email to {email.to_address} is queued again.")
    return redirect(request, f"/assessments/{assessment.id}#emails")
