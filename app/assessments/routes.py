"""Buyer pages for assessments: the list, sending questionnaires, and the review page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.assessments import decisions, review
from app.assessments.context import values_with_facts
from app.assessments.lifecycle import TRANSITIONS
from app.assessments.listing import AssessmentFilters, filter_choices, is_overdue, list_assessments
from app.assessments.schemas import (
    AnswerReviewForm,
    EvidenceReviewForm,
    ReasonForm,
    SendForm,
    ThreadMessageForm,
)
from app.assessments.sending import (
    recipients_from_form,
    send_questionnaire,
    vendors_with_contacts,
)
from app.assessments.service import (
    evidence_keys,
    get_assessment,
    open_assessment,
    progress,
    timeline,
)
from app.audit.service import request_ip
from app.auth.permissions import Permission, has_permission
from app.deps import SessionDep, require
from app.errors import InvalidInput
from app.evidence import filetypes
from app.forms import PostedForm, parse, parse_repeated
from app.models import (
    Campaign,
    Questionnaire,
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


# --- review page ----------------------------------------------------------------------------------


def _page_context(session, user: User, assessment_id: int) -> dict:
    today = _today()
    opened = open_assessment(session=session, user=user, assessment_id=assessment_id)
    assessment, compiled = opened.assessment, opened.questionnaire
    sections = review.review_sections(
        session=session, assessment=assessment, viewer=user, today=today
    )
    values = {
        row.question.key: row.answer.value for _, rows in sections for row in rows if row.answer
    }
    steps = timeline(session=session, assessment=assessment)
    return {
        "assessment": assessment,
        "vendor": session.get(Vendor, assessment.vendor_id),
        "questionnaire": session.get(Questionnaire, assessment.questionnaire_id),
        "definition": compiled.definition,
        "sections": sections,
        "progress": progress(
            compiled,
            values_with_facts(session=session, vendor_id=assessment.vendor_id, values=values),
            evidence_keys(session=session, assessment_id=assessment.id),
        ),
        "timeline": steps,
        "actors": review.actors_of(session=session, steps=steps),
        "actions": review.buyer_actions(user, assessment),
        "emails": review.emails_of(session=session, assessment=assessment),
        "counts": review.review_counts(session=session, assessment=assessment),
        "can_review": has_permission(user.role, Permission.review_assessments)
        and assessment.status == "under_review",
        "can_comment": _may_comment(user),
        "can_retry": has_permission(user.role, Permission.send_questionnaires),
        "previewable": PREVIEWABLE,
        "today": today,
        "overdue": is_overdue(assessment, today),
        "decision_panel": decisions.panel(session=session, user=user, assessment=assessment),
    }


def _may_comment(user: User) -> bool:
    return has_permission(user.role, Permission.review_assessments)


@router.get("/assessments/{assessment_id}")
def assessment_page(
    request: Request, assessment_id: int, user: Viewer, session: SessionDep
) -> Response:
    return render(request, "assessments/detail.html", _page_context(session, user, assessment_id))


def _answer_fragment(request: Request, session, user: User, assessment_id: int, key: str):
    """The one answer's card for htmx, or the whole page after a plain form post."""
    if not is_htmx(request):
        return redirect(request, f"/assessments/{assessment_id}#q-{key}")
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    sections = review.review_sections(
        session=session, assessment=assessment, viewer=user, today=_today(), only_key=key
    )
    row = sections[0][1][0] if sections else None
    context = {
        "assessment": assessment,
        "row": row,
        "can_review": has_permission(user.role, Permission.review_assessments)
        and assessment.status == "under_review",
        "can_comment": _may_comment(user),
        "previewable": PREVIEWABLE,
    }
    return render(request, "assessments/detail.html", context, block="answer")


REVIEW_STEPS = ("begin_review", "request_clarification", "complete", "reopen", "cancel")


def _step(request: Request, session, user: User, assessment_id: int, action: str, reason: str):
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    review.take_action(
        session=session,
        actor=user,
        assessment=assessment,
        action=action,
        reason=reason,
        settings=request.app.state.settings,
        ip=request_ip(request),
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
    """Begin review, send back for clarification, complete, reopen or cancel."""
    reason = parse(ReasonForm, form).reason
    if action not in REVIEW_STEPS:
        raise InvalidInput(f"Unknown review step {action!r}.")
    return _step(request, session, user, assessment_id, action, reason)


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
