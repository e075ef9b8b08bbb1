"""The risk analyst's review: verdicts per answer and per file, and the lifecycle steps.

Verdicts are given while the assessment is under review (the vendor cannot change answers then);
the first verdict on a submitted assessment starts the review. A clarification request or a
rejection is a draft until the analyst sends the round back (`clarifications.py`). What the page
shows is built in `review_page.py`; bulk verdicts are in `bulk_review.py`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.assessments import notices
from app.assessments.clarifications import clarification_round, post_requests
from app.assessments.comments import add_comment
from app.assessments.decisions import (
    DecisionDraft,
    check_can_complete,
    decide_on_completion,
    outcome_label,
)
from app.assessments.lifecycle import TRANSITIONS, Side, Transition, available, check_transition
from app.assessments.reassessment import set_next_review
from app.assessments.sending import send_assessment
from app.assessments.service import apply_transition
from app.audit.service import record
from app.auth.permissions import Permission, has_permission
from app.config import Settings
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Comment,
    CommentVisibility,
    OutboxEmail,
    OutboxStatus,
    ReviewState,
    User,
    VendorContact,
    utcnow,
)
from app.questionnaires.service import questionnaire_of
from app.scoring.service import score_assessment_and_store

MAX_REASON = 2000

# --- verdicts -------------------------------------------------------------------------------------


def ready_for_verdicts(
    *, session: Session, actor: User, assessment: Assessment, ip: str | None = None
) -> None:
    """Start the review of a submitted assessment with its first verdict; refuse verdicts in
    any state but under review."""
    if assessment.status == AssessmentStatus.submitted and may_take(actor, "begin_review"):
        apply_transition(
            session=session,
            assessment=assessment,
            name="begin_review",
            actor=actor,
            side=Side.buyer,
            ip=ip,
        )
    _require_under_review(assessment)


def _require_under_review(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.under_review:
        status = AssessmentStatus(assessment.status).value.replace("_", " ")
        raise Conflict(
            f"Answers can be reviewed only while the assessment is under review (it is {status})."
        )


def _answer(session: Session, assessment: Assessment, key: str) -> Answer:
    answer = session.exec(
        select(Answer).where(Answer.assessment_id == assessment.id, Answer.question_key == key)
    ).first()
    if answer is None:
        raise NotFound("This question has no answer to review.")
    return answer


def review_answer(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    question_key: str,
    decision: ReviewState | str,
    reason: str | None = None,
    ip: str | None = None,
) -> Answer:
    """Accept, ask for clarification of, or reject one answer.

    A clarification request or a rejection needs a reason; both wait as drafts and reach the
    vendor's thread when the round is sent back (`take_action("request_clarification")`).
    """
    try:
        decision = ReviewState(decision)
    except ValueError:
        raise InvalidInput(f"Unknown decision {decision!r}.") from None
    if decision == ReviewState.pending:
        raise InvalidInput("Choose accept, clarification or reject.")
    reason = (reason or "").strip() or None
    if decision in (ReviewState.clarification, ReviewState.rejected) and not reason:
        what = "what needs clarifying" if decision == ReviewState.clarification else "why"
        raise InvalidInput(f"Say {what}: the vendor reads it.")
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON:,} characters.")
    answer = _answer(session, assessment, question_key)
    ready_for_verdicts(session=session, actor=actor, assessment=assessment, ip=ip)
    before = answer.review_state
    answer.review_state = decision
    answer.review_reason = reason
    answer.reviewed_by_id = actor.id
    answer.reviewed_at = utcnow()
    session.add(answer)
    session.flush()
    record(
        session=session,
        action=f"answer.{decision.value}",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="answer",
        object_id=f"{assessment.id}:{question_key}",
        data={"from": before, "to": decision, "reason": reason},
        ip=ip,
    )
    return answer


def review_evidence(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    question_key: str,
    evidence_id: int,
    decision: ReviewState | str,
    ip: str | None = None,
) -> AnswerEvidence:
    """Accept or reject one file attached to one answer (the file may serve other answers too)."""
    if decision not in (ReviewState.accepted, ReviewState.rejected, ReviewState.pending):
        raise InvalidInput("Evidence is accepted or rejected.")
    decision = ReviewState(decision)
    answer = _answer(session, assessment, question_key)
    link = session.get(AnswerEvidence, (answer.id, evidence_id))
    if link is None:
        raise NotFound("That file is not attached to this answer.")
    ready_for_verdicts(session=session, actor=actor, assessment=assessment, ip=ip)
    before = link.review_state
    link.review_state = decision
    session.add(link)
    session.flush()
    record(
        session=session,
        action=f"answer_evidence.{decision.value}",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="answer",
        object_id=answer.id,
        data={"evidence_id": evidence_id, "from": before, "to": decision},
        ip=ip,
    )
    return link


def add_thread_message(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    question_key: str,
    body: str,
    visibility: CommentVisibility | str,
    ip: str | None = None,
) -> Comment:
    """A buyer's internal note or message to the vendor on one question of the questionnaire."""
    if question_key not in questionnaire_of(session=session, assessment=assessment).by_key:
        raise NotFound(f"No question {question_key!r} in this questionnaire.")
    return add_comment(
        session=session,
        actor=actor,
        assessment=assessment,
        question_key=question_key,
        body=body,
        visibility=visibility,
        ip=ip,
    )


# --- lifecycle steps from the buyer's page --------------------------------------------------------

# Who may take each buyer step; the state machine decides whether it is possible now.
ACTION_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    "send": (Permission.send_questionnaires,),
    "begin_review": (Permission.review_assessments,),
    "request_clarification": (Permission.review_assessments,),
    "complete": (Permission.review_assessments,),
    "reopen": (Permission.review_assessments,),
    "cancel": (Permission.review_assessments, Permission.send_questionnaires),
}


def may_take(user: User, action: str) -> bool:
    return any(has_permission(user.role, p) for p in ACTION_PERMISSIONS.get(action, ()))


def action_url(user: User, assessment_id: int, action: str) -> str:
    """Where the page posts a step: review steps for analysts, sending and cancelling for
    procurement (each route declares the one permission it needs)."""
    if action == "send":
        return f"/assessments/{assessment_id}/send"
    if has_permission(user.role, Permission.review_assessments):
        return f"/assessments/{assessment_id}/review/{action}"
    return f"/assessments/{assessment_id}/cancel"


def buyer_actions(user: User, assessment: Assessment) -> list[tuple[Transition, str]]:
    """The lifecycle buttons this user sees on the assessment page, with where each posts."""
    return [
        (t, action_url(user, assessment.id, t.name))
        for t in available(assessment.status, Side.buyer)
        if may_take(user, t.name)
    ]


def take_action(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    action: str,
    reason: str | None,
    settings: Settings,
    ip: str | None = None,
    decision: DecisionDraft | None = None,
) -> Assessment:
    """One lifecycle step by the buyer, through apply_transition, plus what follows from it:
    sending emails the vendor; sending back posts the drafted requests to their threads and emails
    the vendor one message listing them (the reason is then optional); completing records the
    review's decision (posted with it, or recorded before: a review ends with one), scores, sets
    the vendor's next review date and tells the vendor."""
    if action not in TRANSITIONS:
        raise InvalidInput(f"Unknown action {action!r}.")
    if not may_take(actor, action):
        raise Forbidden("Your role does not allow this.")
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON:,} characters.")
    if action == "send":
        contacts = session.exec(
            select(VendorContact).where(VendorContact.vendor_id == assessment.vendor_id)
        ).all()
        if not contacts:
            raise InvalidInput("The vendor has no contacts yet: invite one first.")
        send_assessment(
            session=session,
            actor=actor,
            assessment=assessment,
            contacts=contacts,
            settings=settings,
            ip=ip,
        )
        return assessment
    decided = None
    if action == "complete":
        check_transition(assessment.status, action, side=Side.buyer)
        check_can_complete(session=session, assessment=assessment)
        decided = decide_on_completion(
            session=session, actor=actor, assessment=assessment, draft=decision, ip=ip
        )
    drafts = ()
    if action == "request_clarification":
        drafts = clarification_round(session=session, assessment=assessment).drafts
        if drafts and not reason:
            count = len(drafts)
            reason = f"{count} question{'s' if count != 1 else ''} to clarify."
    apply_transition(
        session=session,
        assessment=assessment,
        name=action,
        actor=actor,
        side=Side.buyer,
        reason=reason,
        ip=ip,
    )
    if action == "request_clarification":
        post_requests(session=session, actor=actor, assessment=assessment, drafts=drafts, ip=ip)
        notices.clarification_requested(
            session=session,
            assessment=assessment,
            reviewer=actor,
            reason=reason,
            requests=drafts,
            settings=settings,
        )
    elif action == "complete":
        # The completed review is scored (docs/scoring.md), so the register shows the vendor's
        # maturity at once and the next review follows the tier that score sets.
        score_assessment_and_store(session=session, assessment=assessment, actor=actor, ip=ip)
        set_next_review(session=session, assessment=assessment, actor=actor, ip=ip)
        notices.review_completed(
            session=session,
            assessment=assessment,
            settings=settings,
            decision=outcome_label(decided.outcome) if decided else None,
        )
    return assessment


# --- email delivery, visible on the page ----------------------------------------------------------


def actors_of(*, session: Session, steps: list[AssessmentTransition]) -> dict[int, User]:
    """The users who took the timeline's steps, by id (one query)."""
    ids = {s.actor_id for s in steps if s.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}


def email_to_retry(*, session: Session, email_id: int) -> OutboxEmail:
    """An assessment's email by id; NotFound for any other (access is checked on its assessment)."""
    email = session.get(OutboxEmail, email_id)
    if email is None or email.assessment_id is None:
        raise NotFound("No such email.")
    return email


def emails_of(*, session: Session, assessment: Assessment) -> list[OutboxEmail]:
    return list(
        session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.assessment_id == assessment.id)
            .order_by(col(OutboxEmail.created_at).desc(), col(OutboxEmail.id).desc())
        )
    )


def retry_email(
    *, session: Session, actor: User, assessment: Assessment, email_id: int, ip: str | None = None
) -> OutboxEmail:
    """Put a failed email back in the queue (after an SMTP outage was fixed)."""
    email = session.get(OutboxEmail, email_id)
    if email is None or email.assessment_id != assessment.id:
        raise NotFound("No such email.")
    if email.status != OutboxStatus.failed:
        raise Conflict("Only a failed email can be retried; this one is still queued or sent.")
    email.status = OutboxStatus.pending
    email.attempts = 0
    email.next_attempt_at = utcnow()
    session.add(email)
    session.flush()
    record(
        session=session,
        action="email.retried",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="email",
        object_id=email.id,
        data={"to": email.to_address, "kind": email.kind},
        ip=ip,
    )
    return email
