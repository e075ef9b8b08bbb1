"""How a review ends: the buyer's decision on the vendor, and the stop on prohibited AI practices.

A review ends with a decision: approve, approve with conditions (each condition becomes a finding
with an owner and a due date, keyed `condition:<decision id>:<n>`) or reject (do not onboard, or
exit), always with a rationale. A prohibited practice (AI Act Art. 5) declared by the vendor or
recorded in the buyer's register stops the review from completing until someone who may review
records whether to proceed (with a justification) or exit. Decisions are never edited: a later one
of the same kind supersedes the earlier, and each is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.permissions import Permission, has_permission
from app.errors import Forbidden, InvalidInput, InvalidTransition
from app.forms import FieldErrors
from app.models import (
    AIActClass,
    AISystem,
    Answer,
    Assessment,
    AssessmentStatus,
    DecisionKind,
    DecisionOutcome,
    Finding,
    FindingSeverity,
    ReviewDecision,
    User,
    utcnow,
)
from app.register.service import owner_choices

MAX_RATIONALE = 4000
MAX_CONDITIONS = 20

REVIEW_OUTCOMES: dict[str, str] = {
    DecisionOutcome.approve: "Approve",
    DecisionOutcome.approve_with_conditions: "Approve with conditions",
    DecisionOutcome.reject_do_not_onboard: "Reject: do not onboard",
    DecisionOutcome.reject_exit: "Reject: exit the relationship",
}
PRACTICE_OUTCOMES: dict[str, str] = {
    DecisionOutcome.proceed: "Proceed, with a justification",
    DecisionOutcome.exit: "Exit: do not use the vendor's service",
}
OUTCOME_LABELS = {**REVIEW_OUTCOMES, **PRACTICE_OUTCOMES}
# A decision is recorded once the vendor's answers are in, and may follow completion.
DECIDABLE = frozenset(
    {AssessmentStatus.submitted, AssessmentStatus.under_review, AssessmentStatus.completed}
)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(str(outcome), str(outcome or ""))


# --- prohibited practices -------------------------------------------------------------------------


def _declares_prohibited(values: Mapping[str, Any]) -> list[str]:
    """Where the vendor's answers declare a prohibited practice (pure)."""
    reasons = []
    classes = values.get("scope.ai_act_classes")
    if isinstance(classes, list) and AIActClass.prohibited in classes:
        reasons.append(
            "The vendor's answers place an AI system of the service in a prohibited practice."
        )
    for row in values.get("scope.ai_systems") or []:
        if isinstance(row, Mapping) and row.get("ai_act_class") == AIActClass.prohibited:
            reasons.append(
                f"The vendor lists “{row.get('name') or 'an AI system'}” as a prohibited practice."
            )
    return reasons


def prohibited_practices(*, session: Session, assessment: Assessment) -> list[str]:
    """Why this review touches a prohibited practice, from either side; [] when it does not."""
    answers = session.exec(
        select(Answer.question_key, Answer.value).where(
            Answer.assessment_id == assessment.id,
            col(Answer.question_key).in_(("scope.ai_act_classes", "scope.ai_systems")),
        )
    ).all()
    reasons = _declares_prohibited(dict(answers))
    for name, ours, theirs in session.exec(
        select(AISystem.name, AISystem.buyer_risk_class, AISystem.ai_act_class).where(
            AISystem.vendor_id == assessment.vendor_id
        )
    ).all():
        if ours == AIActClass.prohibited:
            reasons.append(f"Our register classifies “{name}” as a prohibited practice.")
        elif theirs == AIActClass.prohibited:
            reasons.append(f"The register records the vendor's class of “{name}” as prohibited.")
    return reasons


def latest(
    *, session: Session, assessment: Assessment, kind: DecisionKind
) -> ReviewDecision | None:
    return session.exec(
        select(ReviewDecision)
        .where(ReviewDecision.assessment_id == assessment.id, ReviewDecision.kind == kind)
        .order_by(col(ReviewDecision.id).desc())
    ).first()


def check_can_complete(*, session: Session, assessment: Assessment) -> None:
    """InvalidTransition while a prohibited practice awaits its decision."""
    if prohibited_practices(session=session, assessment=assessment) and not latest(
        session=session, assessment=assessment, kind=DecisionKind.prohibited_practice
    ):
        raise InvalidTransition(
            "This review touches a prohibited AI practice (AI Act Art. 5): an admin or risk "
            "analyst must record whether to proceed, with a justification, or to exit before "
            "the review can be completed."
        )


# --- recording a decision -------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    text: str
    owner_id: int
    due_date: date


def _may_decide(actor: User, assessment: Assessment) -> None:
    if not has_permission(actor.role, Permission.review_assessments):
        raise Forbidden("Only an admin or a risk analyst may record this decision.")
    if AssessmentStatus(assessment.status) not in DECIDABLE:
        raise InvalidInput("A decision is recorded once the vendor has submitted its answers.")


def _rationale(text: str | None, errors: dict[str, str], what: str) -> str:
    text = (text or "").strip()
    if not text:
        errors["rationale"] = f"Give the {what}: it is kept with the decision."
    elif len(text) > MAX_RATIONALE:
        errors["rationale"] = f"Keep the {what} under {MAX_RATIONALE:,} characters."
    return text


def _write(
    session: Session,
    actor: User,
    assessment: Assessment,
    kind: DecisionKind,
    outcome: str,
    rationale: str,
) -> ReviewDecision:
    decision = ReviewDecision(
        organisation_id=assessment.organisation_id,
        vendor_id=assessment.vendor_id,
        assessment_id=assessment.id or 0,
        kind=kind,
        outcome=DecisionOutcome(outcome),
        rationale=rationale,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    return decision


def record_practice_decision(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    outcome: str,
    justification: str | None,
    ip: str | None = None,
) -> ReviewDecision:
    """Proceed (with a justification) or exit, on a review that touches a prohibited practice."""
    _may_decide(actor, assessment)
    errors: dict[str, str] = {}
    if outcome not in PRACTICE_OUTCOMES:
        errors["outcome"] = "Choose whether to proceed or to exit."
    text = _rationale(justification, errors, "justification")
    if errors:
        raise FieldErrors(errors, "The decision was not recorded.")
    reasons = prohibited_practices(session=session, assessment=assessment)
    decision = _write(session, actor, assessment, DecisionKind.prohibited_practice, outcome, text)
    record(
        session=session,
        action="assessment.prohibited_practice_decided",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"decision_id": decision.id, "outcome": outcome, "rationale": text, "why": reasons},
        ip=ip,
    )
    return decision


def parse_conditions(
    rows: list[Mapping[str, str]], *, owners: Mapping[int, str], today: date
) -> tuple[list[Condition], dict[str, str]]:
    """Conditions typed as rows (text, owner, due date), checked; blank rows are skipped (pure).
    Errors are keyed `condition-<n>-<field>` so the form shows each next to its input."""
    conditions: list[Condition] = []
    errors: dict[str, str] = {}
    for number, row in enumerate(rows[:MAX_CONDITIONS], start=1):
        text = (row.get("text") or "").strip()
        owner = (row.get("owner_id") or "").strip()
        due = (row.get("due_date") or "").strip()
        if not (text or owner or due):
            continue
        where = f"condition-{number}-"
        if not text:
            errors[where + "text"] = f"Condition {number}: say what must be done."
        elif len(text) > 300:
            errors[where + "text"] = f"Condition {number}: keep it under 300 characters."
        owner_id = int(owner) if owner.isdecimal() else 0
        if owner_id not in owners:
            errors[where + "owner_id"] = f"Condition {number}: choose who owns it."
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            errors[where + "due_date"] = f"Condition {number}: give a due date (YYYY-MM-DD)."
            continue
        if due_date < today:
            errors[where + "due_date"] = f"Condition {number}: the due date has passed."
        if text and owner_id in owners:
            conditions.append(Condition(text, owner_id, due_date))
    return conditions, errors


def record_review_decision(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    outcome: str,
    rationale: str | None,
    conditions: list[Condition],
    errors: Mapping[str, str] | None = None,
    ip: str | None = None,
    on_completion: bool = False,
) -> ReviewDecision:
    """Approve, approve with conditions or reject, with a rationale; all or nothing. Each
    condition becomes an open finding with its owner and due date. `on_completion` marks the
    audit event of a decision posted with "Complete review"."""
    _may_decide(actor, assessment)
    problems = dict(errors or {})
    if outcome not in REVIEW_OUTCOMES:
        problems["outcome"] = "Choose approve, approve with conditions or reject."
    text = _rationale(rationale, problems, "rationale")
    if outcome == DecisionOutcome.approve_with_conditions and not conditions and not errors:
        problems["conditions"] = "Add at least one condition, with its owner and due date."
    if outcome != DecisionOutcome.approve_with_conditions and (conditions or errors):
        problems["conditions"] = "Conditions belong to an approval with conditions."
    if problems:
        raise FieldErrors(problems, "The decision was not recorded.")
    decision = _write(session, actor, assessment, DecisionKind.review, outcome, text)
    for number, condition in enumerate(conditions, start=1):
        session.add(
            Finding(
                organisation_id=assessment.organisation_id,
                vendor_id=assessment.vendor_id,
                assessment_id=assessment.id,
                key=f"condition:{decision.id}:{number}",
                source="condition",
                title=condition.text,
                description=f"A condition of the review decision of {decision.decided_at:%Y-%m-%d}: {text}"[
                    :5000
                ],
                severity=FindingSeverity.medium,
                owner_id=condition.owner_id,
                due_date=condition.due_date,
            )
        )
    session.flush()
    record(
        session=session,
        action="assessment.decided",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={
            "decision_id": decision.id,
            "outcome": outcome,
            "rationale": text,
            "on_completion": on_completion,
            "conditions": [
                {"text": c.text, "owner_id": c.owner_id, "due_date": c.due_date.isoformat()}
                for c in conditions
            ],
        },
        ip=ip,
    )
    return decision


@dataclass(frozen=True)
class DecisionDraft:
    """The decision fields posted with "Complete review": outcome, rationale and conditions as
    typed, with the conditions' own errors (from `parse_conditions`)."""

    outcome: str = ""
    rationale: str | None = None
    conditions: tuple[Condition, ...] = ()
    errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not (
            self.outcome or (self.rationale or "").strip() or self.conditions or self.errors
        )


NO_DECISION = (
    "The review was not completed: it ends with a decision (approve, approve with conditions "
    "or reject) and its rationale."
)


def decide_on_completion(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    draft: DecisionDraft | None,
    ip: str | None = None,
) -> ReviewDecision:
    """The decision a completing review ends with: the one posted with it (recorded, superseding
    any earlier), else the one already recorded on this assessment. FieldErrors, with nothing
    written, when neither is there or the posted one is incomplete."""
    existing = latest(session=session, assessment=assessment, kind=DecisionKind.review)
    if existing is not None and (draft is None or draft.blank):
        return existing
    draft = draft or DecisionDraft()
    try:
        return record_review_decision(
            session=session,
            actor=actor,
            assessment=assessment,
            outcome=draft.outcome,
            rationale=draft.rationale,
            conditions=list(draft.conditions),
            errors=draft.errors,
            ip=ip,
            on_completion=True,
        )
    except FieldErrors as exc:
        raise FieldErrors(exc.errors, NO_DECISION) from exc


# --- reading decisions back -----------------------------------------------------------------------


def panel(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What `assessments/_decision.html` shows, for the review page or its own fragment."""
    history = session.exec(
        select(ReviewDecision)
        .where(ReviewDecision.assessment_id == assessment.id)
        .order_by(col(ReviewDecision.id).desc())
    ).all()
    owners = owner_choices(session=session, organisation_id=assessment.organisation_id)
    can_decide = (
        has_permission(user.role, Permission.review_assessments)
        and AssessmentStatus(assessment.status) in DECIDABLE
    )
    review_decision = next((d for d in history if d.kind == DecisionKind.review), None)
    return {
        "assessment": assessment,
        "practices": prohibited_practices(session=session, assessment=assessment),
        "practice_decision": next(
            (d for d in history if d.kind == DecisionKind.prohibited_practice), None
        ),
        "review_decision": review_decision,
        "history": history,
        "owners": owners,
        "owner_names": dict(owners),
        "can_decide": can_decide,
        # Under review and undecided, the decision is taken with "Complete review" (one step).
        "decide_on_completion": can_decide
        and review_decision is None
        and assessment.status == AssessmentStatus.under_review,
        "review_outcomes": REVIEW_OUTCOMES,
        "practice_outcomes": PRACTICE_OUTCOMES,
        "outcome_label": outcome_label,
        "values": values or {},
        "errors": errors or {},
    }


# --- the register and the reports -----------------------------------------------------------


def latest_by_vendor(
    *, session: Session, organisation_id: int, vendor_ids: list[int] | None = None
) -> dict[int, ReviewDecision]:
    """Each vendor's most recent review decision (one query)."""
    query = select(ReviewDecision).where(
        ReviewDecision.organisation_id == organisation_id,
        ReviewDecision.kind == DecisionKind.review,
    )
    if vendor_ids is not None:
        query = query.where(col(ReviewDecision.vendor_id).in_(vendor_ids))
    found: dict[int, ReviewDecision] = {}
    for decision in session.exec(query.order_by(col(ReviewDecision.id))).all():
        found[decision.vendor_id] = decision
    return found


def decision_summary(decision: ReviewDecision | None) -> str:
    """One line for a register cell or a report: outcome, date and rationale."""
    if decision is None:
        return ""
    return (
        f"{outcome_label(decision.outcome)} ({decision.decided_at:%Y-%m-%d}): {decision.rationale}"
    )
