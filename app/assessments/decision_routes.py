"""The review's decision panel: the prohibited-practice stop and the outcome of the review."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.assessments import decisions
from app.assessments.service import get_assessment
from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.forms import FieldErrors, PostedForm
from app.models import (
    Assessment,
    User,
)
from app.register.service import owner_choices
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["assessments"], include_in_schema=False)

Viewer = Annotated[User, require(Permission.view_portfolio)]
Reviewer = Annotated[User, require(Permission.review_assessments)]


def _show(
    request: Request,
    session: Session,
    user: User,
    assessment: Assessment,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "decision_panel": decisions.panel(
            session=session, user=user, assessment=assessment, values=values, errors=errors
        )
    }
    template = "assessments/_decision.html" if is_htmx(request) else "assessments/decision.html"
    return render(request, template, context, status_code=status_code)


@router.get("/assessments/{assessment_id}/decision")
def decision_panel(
    request: Request, assessment_id: int, user: Viewer, session: SessionDep
) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    return _show(request, session, user, assessment)


def _condition_rows(form: FormData) -> list[dict[str, str]]:
    numbers = sorted(
        {
            int(name.split("-")[1])
            for name in form
            if name.startswith("condition-") and name.split("-")[1].isdecimal()
        }
    )
    return [
        {
            field: str(form.get(f"condition-{n}-{field}", ""))
            for field in ("text", "owner_id", "due_date")
        }
        for n in numbers
    ]


def draft_from_form(
    session: Session, assessment: Assessment, form: FormData
) -> decisions.DecisionDraft:
    """The decision fields of a posted form (the decision panel's, or "Complete review"'s)."""
    owners = dict(owner_choices(session=session, organisation_id=assessment.organisation_id))
    conditions, problems = decisions.parse_conditions(
        _condition_rows(form), owners=owners, today=date.today()
    )
    return decisions.DecisionDraft(
        outcome=str(form.get("outcome", "")).strip(),
        rationale=str(form.get("rationale", "")),
        conditions=tuple(conditions),
        errors=problems,
    )


def _done(request: Request, session: Session, user: User, assessment: Assessment, message: str):
    flash(request, message)
    if is_htmx(request):
        return _show(request, session, user, assessment)
    return redirect(request, f"/assessments/{assessment.id}#decision")


@router.post("/assessments/{assessment_id}/decision")
def record_decision(
    request: Request, assessment_id: int, user: Reviewer, session: SessionDep, form: PostedForm
) -> Response:
    """Approve, approve with conditions or reject, with a rationale."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    draft = draft_from_form(session, assessment, form)
    try:
        decision = decisions.record_review_decision(
            session=session,
            actor=user,
            assessment=assessment,
            outcome=draft.outcome,
            rationale=draft.rationale,
            conditions=list(draft.conditions),
            errors=draft.errors,
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        return _show(
            request, session, user, assessment, values=values, errors=exc.errors, status_code=422
        )
    return _done(
        request,
        session,
        user,
        assessment,
        f"Decision recorded: {decisions.outcome_label(decision.outcome)}.",
    )


@router.post("/assessments/{assessment_id}/decision/prohibited-practice")
def record_practice_decision(
    request: Request, assessment_id: int, user: Reviewer, session: SessionDep, form: PostedForm
) -> Response:
    """Proceed with a justification, or exit, where a prohibited AI practice is in play."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        decision = decisions.record_practice_decision(
            session=session,
            actor=user,
            assessment=assessment,
            outcome=values.get("practice_outcome", ""),
            justification=values.get("practice_rationale"),
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        errors = {f"practice_{k}": v for k, v in exc.errors.items()}
        return _show(
            request, session, user, assessment, values=values, errors=errors, status_code=422
        )
    return _done(
        request,
        session,
        user,
        assessment,
        f"Prohibited-practice decision recorded: {decisions.outcome_label(decision.outcome)}.",
    )
