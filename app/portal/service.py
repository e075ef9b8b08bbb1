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
from app.errors import Conflict, InvalidInput, NotFound
from app.evidence.schemas import EVIDENCE_KINDS
from app.evidence.service import attach_evidence, detach_evidence
from app.models import (
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    Evidence,
    SectionAssignment,
    User,
    VendorContact,
    utcnow,
)
from app.questionnaires.schema import Question
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


def accepts(question: Question, kind: str | None) -> bool:
    """Whether a question takes a file of this kind. A file nobody labelled with a kind goes
    wherever evidence is asked for: there is nothing to check it against."""
    if question.evidence is None:
        return False
    return kind is None or kind in question.evidence.kinds


def _library_item(session: Session, assessment: Assessment, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.vendor_id != assessment.vendor_id:
        raise NotFound("There is no such evidence, or you do not have access to it.")
    return evidence


def _refusal(question: Question | None, key: str, evidence: Evidence, shown: bool) -> str | None:
    """Why this file cannot go on this question, or None."""
    if question is None:
        return f"“{key[:120]}” is not a question of this assessment."
    if not shown:
        return f"“{question.text}” is not asked of you (an earlier answer hides it)."
    if question.evidence is None:
        return f"“{question.text}” does not take files."
    if not accepts(question, evidence.kind):
        wanted = " or ".join(EVIDENCE_KINDS[k] for k in question.evidence.kinds).lower()
        return (
            f"“{question.text}” asks for a {wanted} document, and "
            f"“{evidence.title or evidence.filename}” is a {evidence.kind}."
        )
    return None


def attach_files(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    evidence_ids: list[int],
    keys: list[str],
    ip: str | None = None,
) -> int:
    """Attach library files to questions in one action, all or nothing: every file must be
    the vendor's and every question belong to this assessment, be shown and accept each file's
    kind, or nothing is attached (InvalidInput lists every refusal). The links newly made."""
    if not is_editable(assessment):
        raise Conflict("Files can be changed only while the assessment is open for answers.")
    files = [_library_item(session, assessment, i) for i in dict.fromkeys(evidence_ids)]
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise InvalidInput("Choose at least one question this document covers.")
    if not files:
        raise InvalidInput("Choose a file from the library.")
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    shown = questionnaire.visible_keys({k: a.value for k, a in answers.items()})
    problems = [
        reason
        for evidence in files
        for key in keys
        if (reason := _refusal(questionnaire.by_key.get(key), key, evidence, key in shown))
    ]
    if problems:
        raise InvalidInput("Nothing was attached.", details=list(dict.fromkeys(problems)))
    made = 0
    for key in keys:
        answer = answers.get(key)
        if answer is None:  # the row files hang on; an evidence-only question gets an empty one
            answer = save_answer(
                session=session,
                actor=actor,
                assessment=assessment,
                key=key,
                raw_value=None,
                expected_version=0,
                ip=ip,
            )
        for evidence in files:
            if session.get(AnswerEvidence, (answer.id, evidence.id)) is None:
                attach_evidence(
                    session=session, actor=actor, answer=answer, evidence=evidence, ip=ip
                )
                made += 1
    return made


def detach_from_question(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    key: str,
    evidence_id: int,
    ip: str | None = None,
) -> None:
    if not is_editable(assessment):
        raise Conflict("Files can be changed only while the assessment is open for answers.")
    evidence = _library_item(session, assessment, evidence_id)
    if key not in questionnaire_of(session=session, assessment=assessment).by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    answer = answers_of(session=session, assessment_id=assessment.id).get(key)
    if answer is not None:
        detach_evidence(session=session, actor=actor, answer=answer, evidence=evidence, ip=ip)
