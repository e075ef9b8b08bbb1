"""The risk analyst's review: answers beside their evidence, the previous answer and the maturity
each answer contributes; verdicts per answer and per file; the overall lifecycle steps.

Verdicts are given while the assessment is under review (the vendor cannot change answers then).
Visibility of threads is decided by `comments.comments_for`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.comments import add_comment, comments_for
from app.assessments.context import buyer_facts
from app.assessments.decisions import check_can_complete
from app.assessments.lifecycle import TRANSITIONS, Side, Transition, available
from app.assessments.reassessment import set_next_review
from app.assessments.sending import email_contacts, send_assessment
from app.assessments.service import answers_of, apply_transition
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
    Evidence,
    OutboxEmail,
    OutboxStatus,
    ReviewState,
    User,
    VendorContact,
    utcnow,
)
from app.questionnaires.conditions import visible_questions
from app.questionnaires.schema import Question, Section
from app.questionnaires.service import questionnaire_of
from app.scoring.adapter import answer_level
from app.scoring.result import CAP_REASONS
from app.scoring.service import score_assessment_and_store

MAX_REASON = 2000

# --- maturity contribution ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one answer contributes: the level claimed, the level that counts, and why they differ."""

    claimed: int | None
    effective: int | None
    reason: str | None = None

    @property
    def capped(self) -> bool:
        return self.claimed is not None and self.effective != self.claimed


def contribution(
    question: Question,
    value: Any,
    review_state: str,
    evidence: list[tuple[AnswerEvidence, Evidence]],
    *,
    today: date,
) -> Contribution | None:
    """The claimed level (`answer_level`) and the effective one after the evidence caps of the
    scoring model: a rejected answer counts 0; a level that needs evidence counts one below the
    evidence threshold without a current, unrejected file. None for unscored questions."""
    if not question.scored:
        return None
    claimed = answer_level(question, value)
    if claimed is None:
        if value is None:
            return Contribution(None, 0, CAP_REASONS["unanswered"])
        return Contribution(None, None, "not applicable")
    if review_state == ReviewState.rejected:
        return Contribution(claimed, 0, CAP_REASONS["answer_rejected"])
    rule = question.evidence
    if rule is None or claimed < rule.required_from_level or rule.required_from_level == 0:
        return Contribution(claimed, claimed)
    saw_rejected = saw_expired = False
    for link, item in evidence:
        if link.review_state == ReviewState.rejected:
            saw_rejected = True
        elif item.valid_until is not None and item.valid_until < today:
            saw_expired = True
        else:
            return Contribution(claimed, claimed)
    code = (
        "evidence_expired"
        if saw_expired
        else "evidence_rejected"
        if saw_rejected
        else "evidence_missing"
    )
    return Contribution(claimed, rule.required_from_level - 1, CAP_REASONS[code])


# --- the review page ------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    question: Question
    answer: Answer | None
    evidence: list[tuple[AnswerEvidence, Evidence]]
    previous: Answer | None
    contribution: Contribution | None
    notes: list[tuple[Comment, User | None]] = field(default_factory=list)  # internal
    messages: list[tuple[Comment, User | None]] = field(default_factory=list)  # with the vendor


def evidence_by_answer(
    *, session: Session, answer_ids: list[int]
) -> dict[int, list[tuple[AnswerEvidence, Evidence]]]:
    found: dict[int, list[tuple[AnswerEvidence, Evidence]]] = {}
    if not answer_ids:
        return found
    rows = session.exec(
        select(AnswerEvidence, Evidence)
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .where(col(AnswerEvidence.answer_id).in_(answer_ids))
        .order_by(col(Evidence.filename))
    ).all()
    for link, item in rows:
        found.setdefault(link.answer_id, []).append((link, item))
    return found


def review_sections(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User,
    today: date,
    only_key: str | None = None,
) -> list[tuple[Section, list[ReviewRow]]]:
    """Every visible (or answered) question with its answer, evidence, previous answer, maturity
    contribution and both threads as `viewer` may see them. A fixed number of queries."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    values = {k: a.value for k, a in answers.items()}
    facts = buyer_facts(session=session, vendor_id=assessment.vendor_id)
    visible = {q.key for q in visible_questions(questionnaire.definition, values, facts)}
    previous = (
        answers_of(session=session, assessment_id=assessment.previous_assessment_id)
        if assessment.previous_assessment_id
        else {}
    )
    evidence = evidence_by_answer(session=session, answer_ids=[a.id for a in answers.values()])
    threads = comments_for(
        session=session, assessment=assessment, viewer=viewer, question_key=only_key
    )
    sections = []
    for section in questionnaire.definition.sections:
        rows = []
        for question in section.questions:
            if only_key is not None and question.key != only_key:
                continue
            answer = answers.get(question.key)
            if question.key not in visible and answer is None:
                continue
            files = evidence.get(answer.id, []) if answer else []
            thread = threads.get(question.key, [])
            rows.append(
                ReviewRow(
                    question=question,
                    answer=answer,
                    evidence=files,
                    previous=previous.get(question.key),
                    contribution=contribution(
                        question,
                        answer.value if answer else None,
                        answer.review_state if answer else ReviewState.pending,
                        files,
                        today=today,
                    ),
                    notes=[t for t in thread if t[0].visibility == CommentVisibility.internal],
                    messages=[t for t in thread if t[0].visibility == CommentVisibility.vendor],
                )
            )
        if rows:
            sections.append((section, rows))
    return sections


def review_counts(*, session: Session, assessment: Assessment) -> dict[str, int]:
    counts = {state.value: 0 for state in ReviewState}
    for answer in answers_of(session=session, assessment_id=assessment.id).values():
        counts[ReviewState(answer.review_state).value] += 1
    return counts


# --- verdicts -------------------------------------------------------------------------------------


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

    A clarification request is also posted to the vendor-visible thread, so the vendor reads the
    question there and answers it; a rejection needs a reason.
    """
    _require_under_review(assessment)
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
    before = answer.review_state
    answer.review_state = decision
    answer.review_reason = reason
    answer.reviewed_by_id = actor.id
    answer.reviewed_at = utcnow()
    session.add(answer)
    session.flush()
    if decision == ReviewState.clarification:
        add_comment(
            session=session,
            actor=actor,
            assessment=assessment,
            question_key=question_key,
            body=reason or "",
            visibility=CommentVisibility.vendor,
            ip=ip,
        )
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
    _require_under_review(assessment)
    decision = ReviewState(decision)
    if decision not in (ReviewState.accepted, ReviewState.rejected, ReviewState.pending):
        raise InvalidInput("Evidence is accepted or rejected.")
    answer = _answer(session, assessment, question_key)
    link = session.get(AnswerEvidence, (answer.id, evidence_id))
    if link is None:
        raise NotFound("That file is not attached to this answer.")
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
) -> Assessment:
    """One lifecycle step by the buyer, through apply_transition, plus what follows from it:
    sending emails the vendor, a clarification request emails the vendor the reason, completing
    sets the vendor's next review date."""
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
    if action == "complete":
        check_can_complete(session=session, assessment=assessment)
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
        compiled = questionnaire_of(session=session, assessment=assessment)
        flagged = [
            compiled.by_key[a.question_key].text
            for a in answers_of(session=session, assessment_id=assessment.id).values()
            if a.review_state in (ReviewState.clarification, ReviewState.rejected)
            and a.question_key in compiled.by_key
        ]
        email_contacts(
            session=session,
            assessment=assessment,
            template="clarification_requested",
            subject=f"Clarification requested: “{compiled.definition.title}”",
            kind="clarification",
            context={"reviewer": actor.name, "reason": reason, "questions": flagged},
            settings=settings,
        )
    elif action == "complete":
        # The completed review is scored (docs/scoring.md), so the register shows the vendor's
        # maturity at once and the next review follows the tier that score sets.
        score_assessment_and_store(session=session, assessment=assessment, actor=actor, ip=ip)
        set_next_review(session=session, assessment=assessment, actor=actor, ip=ip)
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
