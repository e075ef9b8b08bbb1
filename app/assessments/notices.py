"""Who hears what about an assessment: the reviewer of a submission (and what changed on a
resubmission), the vendor of a clarification round, of the completed review and its decision.

Every email is queued in the caller's transaction, so it leaves only if the step it announces
commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.assessments.clarifications import Request, clarification_round
from app.assessments.reviewers import can_review, reviewer_choices
from app.assessments.sending import email_contacts
from app.assessments.service import answers_of
from app.config import Settings, get_settings
from app.models import (
    VENDOR_ROLES,
    Assessment,
    Comment,
    CommentVisibility,
    ReviewState,
    User,
    Vendor,
)
from app.notifications.service import queue_email
from app.questionnaires.service import questionnaire_of


def reviewers_to_tell(*, session: Session, assessment: Assessment) -> list[User]:
    """The assigned reviewer; without one (or when they left), everyone who can review."""
    assigned = session.get(User, assessment.reviewer_id) if assessment.reviewer_id else None
    if can_review(assigned, assessment.organisation_id):
        return [assigned]  # type: ignore[list-item]
    return reviewer_choices(session=session, organisation_id=assessment.organisation_id)


def changed_since_round(*, session: Session, assessment: Assessment) -> list[str] | None:
    """What the vendor changed after the last clarification round, as lines for an email; None
    when there was no round (a first submission)."""
    sent_at = clarification_round(session=session, assessment=assessment).sent_at
    if sent_at is None:
        return None
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    replied = set(
        session.exec(
            select(Comment.question_key)
            .join(User, col(User.id) == col(Comment.author_id))
            .where(
                Comment.assessment_id == assessment.id,
                Comment.visibility == CommentVisibility.vendor,
                col(Comment.created_at) > sent_at,
                col(User.role).in_(VENDOR_ROLES),
            )
        )
    )
    lines = []
    for key, answer in answers_of(session=session, assessment_id=assessment.id).items():
        question = questionnaire.by_key.get(key)
        if question is None:
            continue
        edited = answer.answered_at > sent_at
        if edited or key in replied:
            what = " and ".join(
                part
                for part, done in (("answer changed", edited), ("replied", key in replied))
                if done
            )
            lines.append(f"{question.text} ({what})")
    return sorted(lines)


def submitted(
    *, session: Session, assessment: Assessment, settings: Settings | None = None
) -> list[str]:
    """Tell the reviewer a vendor submitted (again, with what changed); the addresses emailed."""
    settings = settings or get_settings()
    vendor = session.get(Vendor, assessment.vendor_id)
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    changed = changed_since_round(session=session, assessment=assessment)
    people = reviewers_to_tell(session=session, assessment=assessment)
    assigned = len(people) == 1 and people[0].id == assessment.reviewer_id
    name = vendor.legal_name if vendor else "A vendor"
    subject = (
        f"{name} answered your clarification request"
        if changed is not None
        else f"{name} submitted its assessment"
    )
    for person in people:
        queue_email(
            session=session,
            to=person.email,
            subject=subject,
            template="portal_assessment_submitted",
            context={
                "recipient": person.name,
                "vendor": name,
                "questionnaire": questionnaire.definition.title,
                "assessment_id": assessment.id,
                "signer": (assessment.attestation or {}).get("name", ""),
                "resubmitted": changed is not None,
                "changed": changed or [],
                "reviewer_note": ""
                if assigned
                else "No reviewer is assigned to this assessment: whoever starts it takes it.",
                "url": f"{settings.base_url.rstrip('/')}/assessments/{assessment.id}",
            },
            kind="assessment_submitted",
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
        )
    return [p.email for p in people]


def clarification_requested(
    *,
    session: Session,
    assessment: Assessment,
    reviewer: User,
    reason: str | None,
    requests: Sequence[Request],
    settings: Settings,
) -> list[str]:
    """One email per vendor contact listing each question with the analyst's request."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    listed = [
        {
            "question": questionnaire.by_key[r.question_key].text,
            "request": r.reason,
            "rejected": r.state == ReviewState.rejected,
        }
        for r in requests
        if r.question_key in questionnaire.by_key
    ]
    return email_contacts(
        session=session,
        assessment=assessment,
        template="clarification_requested",
        subject=f"Clarification requested: “{questionnaire.definition.title}”"
        + (f" ({len(listed)} question{'s' if len(listed) != 1 else ''})" if listed else ""),
        kind="clarification",
        context={"reviewer": reviewer.name, "reason": reason, "requests": listed, "questions": []},
        settings=settings,
    )


def review_completed(
    *,
    session: Session,
    assessment: Assessment,
    settings: Settings,
    decision: str | None = None,
) -> list[str]:
    """Tell the vendor the review is complete, with the decision when one was taken."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id).values()
    states = [a.review_state for a in answers]
    return email_contacts(
        session=session,
        assessment=assessment,
        template="review_completed",
        subject=f"Review completed: “{questionnaire.definition.title}”",
        kind="review_completed",
        context={
            "decision": decision,
            "accepted": states.count(ReviewState.accepted),
            "rejected": states.count(ReviewState.rejected),
            "answers": len(states),
        },
        settings=settings,
    )
