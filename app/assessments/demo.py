"""Demo assessments: the library questionnaire sent to the twelve demo vendors, in every status.

Get-or-create by vendor and questionnaire version, so `assay demo` can run again. Maturity varies
by vendor so scores differ; the evidence demo step's files are attached where a level needs them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.answers import coerce_answer
from app.assessments.comments import add_comment
from app.assessments.context import buyer_facts
from app.assessments.decisions import Condition, record_review_decision
from app.assessments.lifecycle import TRANSITIONS, Side
from app.assessments.reassessment import set_next_review
from app.assessments.service import apply_transition, create_assessment
from app.config import Settings
from app.errors import DomainError
from app.evidence.service import attach_evidence
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    CommentVisibility,
    DecisionOutcome,
    Evidence,
    Organisation,
    ReviewState,
    Role,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.questionnaires.conditions import visible_questions
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import compiled, latest_version, publish_library
from app.scoring.adapter import answer_level, judged_values

LIBRARY_KEY = "ai-governance-dora"

# (status, base maturity) per demo vendor, in the order of app.demo.VENDORS.
PLAN: list[tuple[str, int]] = [
    ("completed", 4),
    ("under_review", 3),
    ("completed", 2),
    ("clarification_requested", 3),
    ("sent", 1),
    ("submitted", 4),
    ("completed", 5),
    ("in_progress", 2),
    ("draft", 2),
    ("completed", 3),
    ("cancelled", 1),
    ("completed", 3),
]

PATHS = {
    "draft": [],
    "sent": ["send"],
    "in_progress": ["send", "start"],
    "submitted": ["send", "start", "submit"],
    "under_review": ["send", "start", "submit", "begin_review"],
    "clarification_requested": [
        "send",
        "start",
        "submit",
        "begin_review",
        "request_clarification",
    ],
    "completed": ["send", "start", "submit", "begin_review", "complete"],
    "cancelled": ["send", "cancel"],
}
# One completed assessment went through a clarification round first.
ROUND_TRIP = [
    "send",
    "start",
    "submit",
    "begin_review",
    "request_clarification",
    "resume",
    "submit",
    "begin_review",
    "complete",
]
REASONS = {
    "request_clarification": "Please explain how model changes are approved before release.",
    "cancel": "The service was not contracted after all.",
}
ATTESTATION = (
    "I confirm that these answers and the attached evidence are accurate and complete to the best "
    "of my knowledge, and that I am authorised to submit them for my organisation."
)


def _user(session: Session, org: Organisation, role: Role) -> User | None:
    return session.exec(
        select(User).where(User.organisation_id == org.id, User.role == role).order_by(User.id)
    ).first()


def _vendor_user(session: Session, vendor: Vendor) -> User | None:
    return session.exec(
        select(User)
        .join(VendorContact, col(VendorContact.user_id) == col(User.id))
        .where(VendorContact.vendor_id == vendor.id)
        .order_by(User.id)
    ).first()


# No demo vendor declares a prohibited AI practice: that stops a review until a recorded decision.
PROHIBITED = "prohibited"


def _raw_answer(question: Question, level: int, rng: random.Random) -> Any:
    """A plausible answer at about `level` of maturity."""
    kind = question.type
    if kind == QuestionType.maturity:
        return max(0, min(5, level + rng.choice([-1, 0, 0, 1])))
    if kind == QuestionType.yes_no_na:
        return "yes" if level >= 2 or rng.random() < 0.3 else "no"
    if kind == QuestionType.single_choice:
        scored = [o for o in question.options if o.level is not None]
        if scored:
            return min(scored, key=lambda o: (abs(o.level - level), rng.random())).value
        return question.options[0].value
    if kind == QuestionType.multi_choice:
        scored = [
            o.value
            for o in question.options
            if o.level is not None and o.level <= level and o.value != PROHIBITED
        ]
        if scored:
            return scored
        return [question.options[0].value]
    if kind == QuestionType.number:
        return rng.randint(1, 40)
    if kind == QuestionType.date:
        return (date.today() - timedelta(days=rng.randint(30, 400))).isoformat()
    if kind == QuestionType.text:
        return rng.choice(
            [
                "Described in our AI governance policy, section 3; owned by the CTO.",
                "A cross-functional AI board reviews this quarterly and records decisions.",
                "Handled by the platform team with a documented runbook.",
                "Not formalised yet; planned for next year.",
            ]
        )
    if kind == QuestionType.group:
        row = {}
        for fld in question.fields:
            if fld.type in (QuestionType.single_choice, QuestionType.multi_choice):
                first = next(o.value for o in fld.options if o.value != PROHIBITED)
                row[fld.key] = [first] if fld.type == QuestionType.multi_choice else first
            elif fld.type == QuestionType.yes_no_na:
                row[fld.key] = "yes"
            elif fld.type == QuestionType.number:
                row[fld.key] = 1
            elif fld.type == QuestionType.date:
                row[fld.key] = date.today().isoformat()
            else:
                row[fld.key] = "Scoring assistant"
        return [row]
    return None


def _answer_all(
    session: Session,
    assessment: Assessment,
    questionnaire,
    level: int,
    author: User | None,
    rng: random.Random,
    fraction: float,
    library: list[Evidence],
    at: datetime,
) -> list[Answer]:
    values: dict[str, Any] = {}
    # The buyer's facts (its AI Act classes) decide what the vendor is asked, as in the portal.
    facts = buyer_facts(session=session, vendor_id=assessment.vendor_id)
    rows: list[Answer] = []
    questions = list(questionnaire.definition.questions())
    limit = int(len(questions) * fraction)
    for question in questions[:limit]:
        shown = visible_questions(questionnaire.definition, judged_values(facts | values))
        visible = {q.key for q in shown}
        if question.key not in visible or question.type == QuestionType.evidence_only:
            continue
        try:
            value = coerce_answer(question, _raw_answer(question, level, rng))
        except DomainError:
            continue
        if value is None:
            continue
        values[question.key] = value
        answer = Answer(
            assessment_id=assessment.id,
            question_key=question.key,
            value=value,
            answered_by_id=author.id if author else None,
            answered_at=at,
        )
        session.add(answer)
        rows.append(answer)
    session.flush()
    if library:
        for answer in rows:
            question = questionnaire.by_key[answer.question_key]
            claimed = answer_level(question, answer.value)
            needs = question.evidence.required_from_level if question.evidence else None
            if (
                needs is not None
                and claimed is not None
                and claimed >= needs
                and (level >= 4 or rng.random() < 0.95)  # a strong vendor never forgets one
            ):
                kinds = {str(k) for k in question.evidence.kinds}  # type: ignore[union-attr]
                fitting = [e for e in library if e.kind in kinds] or library
                attach_evidence(
                    session=session, actor=author, answer=answer, evidence=rng.choice(fitting)
                )
    return rows


def _walk(
    session: Session,
    assessment: Assessment,
    path: list[str],
    actors: dict[str, User | None],
    start: datetime,
) -> None:
    """Take each step through apply_transition, then date it as if it happened over weeks."""
    for step, name in enumerate(path):
        side = TRANSITIONS[name].side
        actor = actors["vendor"] if side == Side.vendor else actors[name]
        apply_transition(
            session=session,
            assessment=assessment,
            name=name,
            actor=actor,
            side=Side.system if actor is None else side,
            reason=REASONS.get(name) or ("Figures confirmed." if name == "reopen" else None),
        )
        when = start + timedelta(days=3 * step, hours=step)
        transition = session.exec(
            select(AssessmentTransition)
            .where(AssessmentTransition.assessment_id == assessment.id)
            .order_by(col(AssessmentTransition.id).desc())
        ).first()
        transition.at = when
        session.add(transition)
        stamp = {"send": "sent_at", "submit": "submitted_at", "complete": "completed_at"}.get(name)
        if stamp:
            setattr(assessment, stamp, when)
    session.add(assessment)
    session.flush()


def load(session: Session, organisation: Organisation, settings: Settings) -> None:
    """Assessments for the named demo vendors in every status, with answers, reviews and threads."""
    publish_library(session=session)
    questionnaire_row = latest_version(
        session=session, organisation_id=organisation.id, key=LIBRARY_KEY
    )
    if questionnaire_row is None:
        return
    questionnaire = compiled(questionnaire_row)
    procurement = _user(session, organisation, Role.procurement)
    analyst = _user(session, organisation, Role.risk_analyst)
    if procurement is None or analyst is None:
        return
    vendors = session.exec(
        select(Vendor)
        .where(
            Vendor.organisation_id == organisation.id,
            col(Vendor.legal_name).not_like("Generated %"),
        )
        .order_by(Vendor.id)
    ).all()
    today = utcnow()
    for index, (vendor, (status, level)) in enumerate(zip(vendors, PLAN, strict=False)):
        exists = session.exec(
            select(Assessment.id).where(
                Assessment.vendor_id == vendor.id,
                Assessment.questionnaire_id == questionnaire_row.id,
            )
        ).first()
        if exists is not None:
            continue
        rng = random.Random(1000 + index)
        vendor_user = _vendor_user(session, vendor)
        start = today - timedelta(days=60 - 2 * index)
        due = (today + timedelta(days=[21, 6, 1, 14][index % 4])).date()
        if status in ("sent", "in_progress"):
            due = (today + timedelta(days=[-3, 5][index % 2])).date()  # one overdue, one soon
        assessment = create_assessment(
            session=session,
            actor=procurement,
            vendor=vendor,
            questionnaire=questionnaire_row,
            due_date=max(due, date.today()),
            message="Our annual AI governance and DORA due diligence. Thank you for your time.",
        )
        assessment.due_date = due  # may lie in the past: a demo of an overdue assessment
        assessment.created_at = start - timedelta(days=1)
        library = list(session.exec(select(Evidence).where(Evidence.vendor_id == vendor.id)))
        path = ROUND_TRIP if index == 0 else PATHS[status]
        actors = {
            "vendor": vendor_user,
            "send": procurement,
            "cancel": procurement,
            "begin_review": analyst,
            "request_clarification": analyst,
            "complete": analyst,
            "reopen": analyst,
        }
        answered = 0.5 if status == "in_progress" else 1.0
        answers: list[Answer] = []
        if "start" in path:
            answers = _answer_all(
                session,
                assessment,
                questionnaire,
                level,
                vendor_user,
                rng,
                answered,
                library,
                start + timedelta(days=3),
            )
        if "submit" in path:
            assessment.attestation = {
                "name": vendor_user.name if vendor_user else "Compliance lead",
                "title": "Head of compliance",
                "user_id": vendor_user.id if vendor_user else None,
                "email": vendor_user.email if vendor_user else None,
                "at": (start + timedelta(days=6)).isoformat(),
                "statement": ATTESTATION,
            }
        _walk(session, assessment, path, actors, start)
        if status in ("under_review", "clarification_requested", "completed") and answers:
            _review(session, assessment, answers, analyst, vendor_user, status, level, rng)
        if status == "completed":
            _decide(session, assessment, analyst, level)
            set_next_review(session=session, assessment=assessment, actor=analyst)


# What the analyst decided on each completed review, by the vendor's base maturity.
DECISIONS: dict[int, tuple[str, str, str | None]] = {
    5: (DecisionOutcome.approve, "Mature controls, evidence accepted in full.", None),
    4: (DecisionOutcome.approve, "Controls meet our targets; evidence accepted.", None),
    3: (
        DecisionOutcome.approve_with_conditions,
        "Acceptable for the contracted service once the weak controls are remediated.",
        "Share the remediation plan for the domains below target.",
    ),
    2: (
        DecisionOutcome.reject_do_not_onboard,
        "Governance and incident handling fall well short of what a critical service needs.",
        None,
    ),
}


def _decide(session: Session, assessment: Assessment, analyst: User, level: int) -> None:
    """The review's decision, through the service (a review ends with one), dated at completion."""
    outcome, rationale, condition = DECISIONS[max(2, min(level, 5))]
    due = (assessment.completed_at or utcnow()).date() + timedelta(days=90)
    decision = record_review_decision(
        session=session,
        actor=analyst,
        assessment=assessment,
        outcome=outcome,
        rationale=rationale,
        conditions=[Condition(condition, analyst.id or 0, max(due, date.today()))]
        if condition
        else [],
        on_completion=True,
    )
    if assessment.completed_at is not None:
        decision.decided_at = assessment.completed_at
        session.add(decision)
        session.flush()


def _review(
    session: Session,
    assessment: Assessment,
    answers: list[Answer],
    analyst: User,
    vendor_user: User | None,
    status: str,
    level: int,
    rng: random.Random,
) -> None:
    """Verdicts on the answers and both kinds of thread on a few of them. A strong vendor's
    answers (base maturity 4 or more) all hold up; the others have the odd one rejected."""
    now = utcnow()
    for n, answer in enumerate(answers):
        if status == "under_review" and n % 3:
            continue  # review half done
        verdict = ReviewState.accepted
        if n % 17 == 5 and level < 4:
            verdict = ReviewState.rejected
            answer.review_reason = "The policy provided does not cover generative AI systems."
        elif n % 19 == 7 and status == "clarification_requested":
            verdict = ReviewState.clarification
            answer.review_reason = "Which team signs off a model before release?"
        answer.review_state = verdict
        answer.reviewed_by_id = analyst.id
        answer.reviewed_at = now
        session.add(answer)
    session.flush()
    for answer in answers[:3]:
        add_comment(
            session=session,
            actor=analyst,
            assessment=assessment,
            question_key=answer.question_key,
            body="Internal: compare with last year's pen-test findings before accepting.",
            visibility=CommentVisibility.internal,
        )
        add_comment(
            session=session,
            actor=analyst,
            assessment=assessment,
            question_key=answer.question_key,
            body=answer.review_reason or "Could you share the latest version of this document?",
            visibility=CommentVisibility.vendor,
        )
        if vendor_user is not None:
            add_comment(
                session=session,
                actor=vendor_user,
                assessment=assessment,
                question_key=answer.question_key,
                body="Attached the current version; the approval board minutes are in section 4.",
                visibility=CommentVisibility.vendor,
            )
    if assessment.status == AssessmentStatus.completed:
        session.add(assessment)
