"""Working on an assessment together: who answers which section, and the files on each answer.

Every function takes an assessment already scoped by `get_assessment`, flushes, never commits.
What a contact sees is in `view`, reusing earlier answers in `reuse`, submitting in
`submission`, the spreadsheet round trip in `excel`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.assessments.lifecycle import EDITABLE_STATES
from app.assessments.service import answers_of, save_answer
from app.audit.service import record
from app.errors import Conflict, NotFound
from app.evidence.service import attach_evidence, detach_evidence
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Evidence,
    SectionAssignment,
    User,
    VendorContact,
    utcnow,
)
from app.questionnaires.service import questionnaire_of


def is_editable(assessment: Assessment) -> bool:
    return AssessmentStatus(assessment.status) in EDITABLE_STATES


def contacts_of(*, session: Session, vendor_id: int) -> list[User]:
    """The vendor's people who can sign in, for the delegation picker."""
    return list(
        session.exec(
            select(User)
            .join(VendorContact, col(VendorContact.user_id) == col(User.id))
            .where(VendorContact.vendor_id == vendor_id, col(User.active))
            .order_by(User.name)
        ).all()
    )


# --- delegation -----------------------------------------------------------------------------------


def assign_section(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    section_key: str,
    user_id: int | None,
    ip: str | None = None,
) -> SectionAssignment | None:
    """Give a section to a colleague at the same vendor (None: nobody); audited."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    if section_key not in {s.key for s in questionnaire.definition.sections}:
        raise NotFound("No such section.")
    if user_id is not None and user_id not in {
        u.id for u in contacts_of(session=session, vendor_id=assessment.vendor_id)
    }:
        raise NotFound("No such colleague.")
    current = session.exec(
        select(SectionAssignment).where(
            SectionAssignment.assessment_id == assessment.id,
            SectionAssignment.section_key == section_key,
        )
    ).first()
    before = current.user_id if current else None
    if before == user_id:
        return current
    if user_id is None:
        assert current is not None
        session.delete(current)
        result = None
    elif current is None:
        result = SectionAssignment(
            assessment_id=assessment.id,
            section_key=section_key,
            user_id=user_id,
            assigned_by_id=actor.id,
        )
        session.add(result)
    else:
        current.user_id = user_id
        current.assigned_by_id = actor.id
        current.assigned_at = utcnow()
        session.add(current)
        result = current
    session.flush()
    record(
        session=session,
        action="assessment.section_assigned",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"section": section_key, "from_user_id": before, "to_user_id": user_id},
        ip=ip,
    )
    return result


# --- evidence on questions ------------------------------------------------------------------------


def _answer_for_evidence(
    session: Session, actor: User, assessment: Assessment, key: str, ip: str | None
) -> Answer:
    """The answer row files hang on; an evidence-only question gets an empty one."""
    if not is_editable(assessment):
        raise Conflict("Files can be changed only while the assessment is open for answers.")
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    if key not in questionnaire.by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    answer = answers_of(session=session, assessment_id=assessment.id).get(key)
    if answer is None:
        answer = save_answer(
            session=session,
            actor=actor,
            assessment=assessment,
            key=key,
            raw_value=None,
            expected_version=0,
            ip=ip,
        )
    return answer


def _library_item(session: Session, assessment: Assessment, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.vendor_id != assessment.vendor_id:
        raise NotFound("There is no such evidence, or you do not have access to it.")
    return evidence


def attach_to_question(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    key: str,
    evidence_id: int,
    ip: str | None = None,
) -> None:
    evidence = _library_item(session, assessment, evidence_id)
    answer = _answer_for_evidence(session, actor, assessment, key, ip)
    attach_evidence(session=session, actor=actor, answer=answer, evidence=evidence, ip=ip)


def detach_from_question(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    key: str,
    evidence_id: int,
    ip: str | None = None,
) -> None:
    evidence = _library_item(session, assessment, evidence_id)
    answer = _answer_for_evidence(session, actor, assessment, key, ip)
    detach_evidence(session=session, actor=actor, answer=answer, evidence=evidence, ip=ip)
