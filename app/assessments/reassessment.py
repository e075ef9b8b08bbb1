"""Periodic re-assessment: each vendor's next review date, the overdue list, automatic re-sending.

The next review is the earlier of (a) the completion date plus the cadence of the vendor's risk
tier (Organisation.settings["review_cadence_months"]) and (b) the earliest valid_until of the
evidence attached to that completed assessment. Vendors with automatic re-sending get a new
assessment from the latest questionnaire version when the date arrives, prefilled with their last
accepted answers to questions that did not change.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.assessments.lifecycle import OPEN_STATES
from app.assessments.sending import send_assessment
from app.assessments.service import answers_of, create_assessment
from app.audit.service import record
from app.config import Settings
from app.db import session_scope
from app.errors import DomainError, InvalidInput, NotFound
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    Evidence,
    Organisation,
    Questionnaire,
    ReviewState,
    User,
    Vendor,
    VendorContact,
    VendorStatus,
    utcnow,
)
from app.questionnaires.schema import Question
from app.questionnaires.service import Compiled, compiled, latest_version

log = logging.getLogger("assay.reassessment")

DEFAULT_CADENCE_MONTHS = {"critical": 12, "high": 12, "medium": 24, "low": 36}
UNTIERED = "high"  # a vendor not yet tiered is reviewed as often as a high-risk one
DEFAULT_DUE_DAYS = 30


# --- next review date -----------------------------------------------------------------------------


def cadence_months(organisation: Organisation | None) -> dict[str, int]:
    """Months between reviews per risk tier: the organisation's settings over the defaults."""
    configured = (organisation.settings if organisation else {}) or {}
    cadence = dict(DEFAULT_CADENCE_MONTHS)
    for tier, months in (configured.get("review_cadence_months") or {}).items():
        try:
            if int(months) > 0:
                cadence[str(tier)] = int(months)
        except (TypeError, ValueError):
            continue
    return cadence


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_evidence_expiry(*, session: Session, assessment_id: int) -> date | None:
    """The first valid_until among evidence attached to the assessment (rejected files ignored)."""
    return session.exec(
        select(func.min(Evidence.valid_until))
        .join(AnswerEvidence, col(AnswerEvidence.evidence_id) == col(Evidence.id))
        .join(Answer, col(Answer.id) == col(AnswerEvidence.answer_id))
        .where(
            Answer.assessment_id == assessment_id,
            col(Evidence.valid_until).is_not(None),
            AnswerEvidence.review_state != ReviewState.rejected,
        )
    ).one()


def compute_next_review(
    *,
    session: Session,
    vendor: Vendor,
    completed_on: date,
    assessment_id: int | None,
    organisation: Organisation | None = None,
) -> date:
    """When `vendor` must be reviewed again after an assessment completed on `completed_on`."""
    organisation = organisation or session.get(Organisation, vendor.organisation_id)
    cadence = cadence_months(organisation)
    months = cadence.get(str(vendor.tier or UNTIERED), cadence[UNTIERED])
    by_tier = add_months(completed_on, months)
    expiry = (
        earliest_evidence_expiry(session=session, assessment_id=assessment_id)
        if assessment_id
        else None
    )
    return min(by_tier, expiry) if expiry else by_tier


def set_next_review(
    *, session: Session, assessment: Assessment, actor: User | None, ip: str | None = None
) -> date:
    """Record the vendor's next review date after `assessment` completed (called by the review)."""
    vendor = session.get(Vendor, assessment.vendor_id)
    assert vendor is not None  # foreign key
    completed = assessment.completed_at or utcnow()
    next_date = compute_next_review(
        session=session, vendor=vendor, completed_on=completed.date(), assessment_id=assessment.id
    )
    before = vendor.next_review_date
    vendor.next_review_date = next_date
    session.add(vendor)
    session.flush()
    record(
        session=session,
        action="vendor.next_review_set",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"from": before, "to": next_date, "assessment_id": assessment.id},
        ip=ip,
    )
    return next_date


# --- overdue reviews (register and dashboard) -------------------------------------------------------


def reviews_due_query(*, organisation_id: int, today: date, within_days: int = 0):
    """Vendors of the organisation whose next review date is on or before today (+ within_days).

    A select() others can filter, count or paginate further; offboarded vendors are left out.
    """
    return (
        select(Vendor)
        .where(
            Vendor.organisation_id == organisation_id,
            col(Vendor.next_review_date).is_not(None),
            col(Vendor.next_review_date) <= today + timedelta(days=within_days),
            Vendor.status != VendorStatus.offboarded,
        )
        .order_by(col(Vendor.next_review_date), col(Vendor.legal_name))
    )


def overdue_reviews(
    *, session: Session, organisation_id: int, today: date | None = None
) -> list[Vendor]:
    """Vendors whose review is due or overdue (next_review_date ≤ today), most overdue first."""
    today = today or utcnow().date()
    return list(session.exec(reviews_due_query(organisation_id=organisation_id, today=today)).all())


# --- automatic re-sending -------------------------------------------------------------------------


AUTO_RESEND_TIERS = "auto_resend_tiers"
TIERS = ("critical", "high", "medium", "low")


def resend_tiers(organisation: Organisation | None) -> set[str]:
    """The tiers re-sent automatically by default (an untiered vendor counts as UNTIERED); the
    older all-or-nothing setting ("auto_resend": true) means every tier."""
    configured = (organisation.settings if organisation else {}) or {}
    tiers = configured.get(AUTO_RESEND_TIERS)
    if tiers is None:
        return set(TIERS) if configured.get("auto_resend") else set()
    return {str(t) for t in tiers if str(t) in TIERS}


def auto_resend_enabled(vendor: Vendor, organisation: Organisation | None) -> bool:
    """The vendor's own choice (on or off), else the organisation's default for its tier."""
    if vendor.auto_resend is not None:
        return bool(vendor.auto_resend)
    return str(vendor.tier or UNTIERED) in resend_tiers(organisation)


def set_vendor_resend(
    *, session: Session, actor: User, vendor: Vendor, choice: str, ip: str | None = None
) -> Vendor:
    """Turn a vendor's automatic re-sending on, off, or back to the organisation's default."""
    if vendor.organisation_id != actor.organisation_id:
        raise NotFound("No such vendor.")
    before = vendor.auto_resend
    vendor.auto_resend = {"on": True, "off": False}.get(choice)
    session.add(vendor)
    session.flush()
    record(
        session=session,
        action="vendor.auto_resend_set",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"from": before, "to": vendor.auto_resend},
        ip=ip,
    )
    return vendor


def set_resend_tiers(
    *, session: Session, actor: User, tiers: list[str], ip: str | None = None
) -> set[str]:
    """The organisation's default: which tiers are re-sent automatically when their review is due."""
    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        raise InvalidInput(f"Unknown tier {unknown[0]!r}: choose among {', '.join(TIERS)}.")
    organisation = session.get(Organisation, actor.organisation_id)
    assert organisation is not None  # buyer users belong to one
    settings = dict(organisation.settings or {})
    before = sorted(resend_tiers(organisation))
    settings[AUTO_RESEND_TIERS] = [t for t in TIERS if t in tiers]
    settings.pop("auto_resend", None)
    organisation.settings = settings
    session.add(organisation)
    session.flush()
    record(
        session=session,
        action="organisation.auto_resend_set",
        actor=actor,
        organisation_id=organisation.id,
        object_type="organisation",
        object_id=organisation.id,
        data={"from": before, "to": settings[AUTO_RESEND_TIERS]},
        ip=ip,
    )
    return set(settings[AUTO_RESEND_TIERS])


def _definition_of(question: Question) -> dict:
    """What a respondent reads and chooses from; help text, weights and refs may change freely."""
    return question.model_dump(include={"text", "type", "options", "levels", "fields"})


def unchanged_questions(old: Compiled, new: Compiled) -> set[str]:
    """Keys whose question is the same in both versions (same text, type, options, levels)."""
    return {
        key
        for key, question in new.by_key.items()
        if key in old.by_key and _definition_of(old.by_key[key]) == _definition_of(question)
    }


def prefill_from_previous(*, session: Session, assessment: Assessment, previous: Assessment) -> int:
    """Copy the previous assessment's accepted answers to unchanged questions (and their evidence
    that was not rejected), as pending answers the vendor confirms or updates; the number copied."""
    old_row = session.get(Questionnaire, previous.questionnaire_id)
    new_row = session.get(Questionnaire, assessment.questionnaire_id)
    assert old_row is not None and new_row is not None  # foreign keys
    same = unchanged_questions(compiled(old_row), compiled(new_row))
    existing = answers_of(session=session, assessment_id=assessment.id)
    copied = 0
    for key, old in answers_of(session=session, assessment_id=previous.id).items():
        if key not in same or key in existing or old.review_state != ReviewState.accepted:
            continue
        answer = Answer(
            assessment_id=assessment.id,
            question_key=key,
            value=old.value,
            comment=old.comment,
            answered_by_id=old.answered_by_id,
            prefilled_from_id=old.id,
        )
        session.add(answer)
        session.flush()
        links = session.exec(
            select(AnswerEvidence).where(
                AnswerEvidence.answer_id == old.id,
                AnswerEvidence.review_state != ReviewState.rejected,
            )
        ).all()
        for link in links:
            session.add(AnswerEvidence(answer_id=answer.id, evidence_id=link.evidence_id))
        copied += 1
    session.flush()
    return copied


@dataclass(frozen=True)
class Reassessment:
    vendor_id: int
    assessment_id: int
    prefilled: int


def start_reassessment(
    *,
    session: Session,
    vendor: Vendor,
    actor: User | None,
    settings: Settings,
    today: date | None = None,
) -> Reassessment | None:
    """Create and send the vendor's next assessment, unless one is already open; None then.

    Uses the latest version of the questionnaire of the vendor's last completed assessment.
    """
    today = today or utcnow().date()
    # Lock the vendor row (PostgreSQL; SQLite writers are serialised anyway) so two runs cannot
    # both find "no open assessment" and create one each.
    session.exec(select(Vendor.id).where(Vendor.id == vendor.id).with_for_update()).first()
    open_one = session.exec(
        select(Assessment.id).where(
            Assessment.vendor_id == vendor.id, col(Assessment.status).in_(OPEN_STATES)
        )
    ).first()
    if open_one is not None:
        return None
    previous = session.exec(
        select(Assessment)
        .where(Assessment.vendor_id == vendor.id, Assessment.status == AssessmentStatus.completed)
        .order_by(col(Assessment.completed_at).desc(), col(Assessment.id).desc())
    ).first()
    if previous is None:
        return None
    old_row = session.get(Questionnaire, previous.questionnaire_id)
    assert old_row is not None
    questionnaire = (
        latest_version(session=session, organisation_id=vendor.organisation_id, key=old_row.key)
        or old_row
    )
    contacts = session.exec(
        select(VendorContact).where(VendorContact.vendor_id == vendor.id).order_by(VendorContact.id)
    ).all()
    if not contacts:
        return None
    organisation = session.get(Organisation, vendor.organisation_id)
    due_days = int(
        ((organisation.settings if organisation else {}) or {}).get(
            "reassessment_due_days", DEFAULT_DUE_DAYS
        )
    )
    assessment = create_assessment(
        session=session,
        actor=actor,
        vendor=vendor,
        questionnaire=questionnaire,
        due_date=today + timedelta(days=max(due_days, 1)),
        message="Periodic review: please confirm or update your answers.",
    )
    copied = prefill_from_previous(session=session, assessment=assessment, previous=previous)
    send_assessment(
        session=session,
        actor=actor,
        assessment=assessment,
        contacts=contacts,
        settings=settings,
        reassessment=True,
    )
    record(
        session=session,
        action="assessment.reassessment_started",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"vendor_id": vendor.id, "previous_id": previous.id, "prefilled": copied},
    )
    return Reassessment(vendor.id, assessment.id, copied)


def run_reassessments(
    engine: Engine, settings: Settings, *, today: date | None = None
) -> list[Reassessment]:
    """Start re-assessments for every due vendor with automatic re-sending (all organisations)."""
    today = today or utcnow().date()
    with Session(engine) as session:
        due = session.exec(
            select(Vendor.id, Vendor.organisation_id).where(
                col(Vendor.next_review_date).is_not(None),
                col(Vendor.next_review_date) <= today,
                Vendor.status != VendorStatus.offboarded,
            )
        ).all()
    started: list[Reassessment] = []
    for vendor_id, _org in due:
        try:
            with session_scope(engine) as session:
                vendor = session.get(Vendor, vendor_id)
                organisation = session.get(Organisation, vendor.organisation_id) if vendor else None
                if vendor is None or not auto_resend_enabled(vendor, organisation):
                    continue
                done = start_reassessment(
                    session=session, vendor=vendor, actor=None, settings=settings, today=today
                )
            if done:
                started.append(done)
        except DomainError as exc:  # one vendor's problem must not stop the others
            log.warning("re-assessment of vendor %s not started: %s", vendor_id, exc.message)
    return started
