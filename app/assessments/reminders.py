"""Reminders before the due date and when overdue, each threshold at most once per assessment.

A reminder is claimed by inserting its ReminderLog row (unique per assessment and threshold) in a
savepoint, in the same transaction that queues the emails: when two processes run at the same time
the database lets exactly one insert win, and only the winner queues anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.assessments.clarifications import FLAGGED
from app.assessments.sending import email_contacts, invitation_valid_until
from app.assessments.service import answers_of, evidence_keys
from app.assessments.sheet import progress
from app.audit.service import record
from app.auth.invitations import invite_vendor_contact
from app.config import Settings
from app.db import session_scope
from app.models import Assessment, AssessmentStatus, ReminderLog, Vendor, VendorContact, utcnow
from app.questionnaires.service import questionnaire_of

# The vendor has work to do in these states.
AWAITING_VENDOR = (
    AssessmentStatus.sent,
    AssessmentStatus.in_progress,
    AssessmentStatus.clarification_requested,
)
OVERDUE = "overdue"


@dataclass(frozen=True)
class ReminderReport:
    sent: int = 0  # reminders (not emails) queued
    already_sent: int = 0
    emails: int = 0


def threshold_for(due_date: date, today: date, days_before: Sequence[int]) -> str | None:
    """The most urgent threshold reached today: "overdue", "before-N" (N the smallest reached)."""
    days_left = (due_date - today).days
    if days_left < 0:
        return OVERDUE
    reached = [n for n in days_before if n >= 0 and days_left <= n]
    return f"before-{min(reached)}" if reached else None


def claim_reminder(*, session: Session, assessment_id: int, threshold: str) -> bool:
    """Insert the log row first; False if another run already holds this threshold."""
    try:
        with session.begin_nested():
            session.add(ReminderLog(assessment_id=assessment_id, threshold=threshold))
    except IntegrityError:
        return False
    return True


def candidates(*, session: Session, today: date, days_before: Sequence[int]) -> list[int]:
    horizon = max([0, *days_before])
    return list(
        session.exec(
            select(Assessment.id)
            .where(
                col(Assessment.status).in_(AWAITING_VENDOR),
                col(Assessment.due_date).is_not(None),
                col(Assessment.due_date) <= date.fromordinal(today.toordinal() + horizon),
            )
            .order_by(Assessment.id)
        )
    )


def remind_one(
    *, session: Session, assessment: Assessment, today: date, settings: Settings
) -> int | None:
    """Queue this assessment's reminder if one is due and unclaimed; the number of emails or None."""
    if assessment.status not in AWAITING_VENDOR or assessment.due_date is None:
        return None
    threshold = threshold_for(assessment.due_date, today, settings.reminder_days_before)
    if threshold is None or not claim_reminder(
        session=session, assessment_id=assessment.id, threshold=threshold
    ):
        return None
    compiled = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    values = {k: a.value for k, a in answers.items()}
    done = progress(compiled, values, evidence_keys(session=session, assessment_id=assessment.id))
    days_left = (assessment.due_date - today).days
    overdue = threshold == OVERDUE
    # Owing only clarifications: the answers were submitted once; the buyer asked about some.
    clarifications = (
        sum(1 for a in answers.values() if a.review_state in FLAGGED)
        if assessment.status == AssessmentStatus.clarification_requested
        else None
    )
    what = "clarification request" if clarifications is not None else "questionnaire"
    subject = (
        f"Overdue: {what} “{compiled.definition.title}”"
        if overdue
        else f"Reminder: {what} “{compiled.definition.title}” due {assessment.due_date:%d %b %Y}"
    )
    emailed = _remind_contacts(
        session=session,
        assessment=assessment,
        subject=subject,
        context={
            "overdue": overdue,
            "days_left": days_left,
            "answered": done.answered,
            "required": done.required,
            "clarifications": clarifications,
        },
        settings=settings,
    )
    record(
        session=session,
        action="assessment.reminded",
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"threshold": threshold, "recipients": len(emailed)},
    )
    return len(emailed)


def _remind_contacts(
    *,
    session: Session,
    assessment: Assessment,
    subject: str,
    context: dict,
    settings: Settings,
) -> list[str]:
    """One reminder per contact; a contact without an account gets a fresh invitation link in
    it (valid until after the due date), since a sign-in page would be a dead end for them."""
    vendor = session.get(Vendor, assessment.vendor_id)
    contacts = session.exec(
        select(VendorContact)
        .where(VendorContact.vendor_id == assessment.vendor_id)
        .order_by(VendorContact.id)
    ).all()
    sent = []
    for contact in contacts:
        invitation_url = None
        if contact.user_id is None and vendor is not None:
            _, invitation_url = invite_vendor_contact(
                session=session,
                actor=None,
                vendor=vendor,
                email=contact.email,
                name=contact.name,
                settings=settings,
                valid_until=invitation_valid_until(assessment.due_date),
                send_email=False,
            )
        sent += email_contacts(
            session=session,
            assessment=assessment,
            template="assessment_reminder",
            subject=subject,
            kind="reminder",
            context={**context, "invitation_url": invitation_url},
            settings=settings,
            contacts=[contact],
        )
    return sent


def send_reminders(
    engine: Engine, settings: Settings, *, today: date | None = None
) -> ReminderReport:
    """Every due reminder, one short transaction per assessment (safe to run concurrently)."""
    today = today or utcnow().date()
    with Session(engine) as session:
        ids = candidates(session=session, today=today, days_before=settings.reminder_days_before)
    sent = already = emails = 0
    for assessment_id in ids:
        with session_scope(engine) as session:
            assessment = session.get(Assessment, assessment_id)
            if assessment is None:
                continue
            queued = remind_one(
                session=session, assessment=assessment, today=today, settings=settings
            )
        if queued is None:
            already += 1
        else:
            sent += 1
            emails += queued
    return ReminderReport(sent=sent, already_sent=already, emails=emails)
