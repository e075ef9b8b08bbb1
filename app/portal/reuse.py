"""Reusing earlier answers: what the vendor answered before, offered in one click.

An earlier answer comes from the same vendor row (earlier assessments for this buyer) or, when
the vendor opted in, from its other vendor rows (the same company as other buyers know it).
Copying one goes through `save_answer` and brings its files along (audited).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.answers import coerce_answer, display_value
from app.assessments.service import save_answer
from app.audit.service import record
from app.errors import InvalidInput, NotFound
from app.evidence.service import attach_evidence
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
    VendorContact,
)
from app.questionnaires.service import Compiled, pinned_questionnaire, questionnaire_of


@dataclass
class PreviousAnswer:
    """An earlier answer to the same question key that the vendor may reuse in one click."""

    answer: Answer
    assessment_id: int
    buyer: str
    evidence: list[Evidence]
    display: str
    answered_on: str  # "25 Jul 2025", as the offer shows it
    reworded: bool = False  # the question's wording changed since that answer was given


def worth_offering(offer: PreviousAnswer | None, answer: Answer | None) -> PreviousAnswer | None:
    """The earlier answer to offer beside `answer`, unless the answer already says the same."""
    if offer and answer is not None and answer.value == offer.answer.value:
        return None
    return offer


def _reusable_vendor_ids(session: Session, user: User, assessment: Assessment) -> list[int]:
    """The same vendor row (earlier assessments for this buyer) and, when the vendor opted in,
    the user's other vendor rows (the same company as other buyers know it)."""
    ids = [assessment.vendor_id]
    if assessment.reuse_across_buyers:
        ids += [
            vid
            for vid in session.exec(
                select(VendorContact.vendor_id).where(VendorContact.user_id == user.id)
            )
            if vid != assessment.vendor_id
        ]
    return ids


def previous_answers(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    keys: Collection[str] | None = None,
    questionnaire: Compiled | None = None,
) -> dict[str, PreviousAnswer]:
    """The newest earlier answer per question key this vendor gave elsewhere, with its files
    (for every question, or only those in `keys`). Pass the assessment's `questionnaire` if
    the caller has it already."""
    questionnaire = questionnaire or questionnaire_of(session=session, assessment=assessment)
    wanted = [k for k in keys if k in questionnaire.by_key] if keys is not None else None
    # The earlier assessment's id and the buyer's name, not their rows: each of the ~150 result
    # rows would decode the assessment's and the organisation's JSON columns again.
    rows = session.exec(
        select(Answer, Assessment.id, Organisation.name, Assessment.questionnaire_id)
        .join(Assessment, col(Assessment.id) == col(Answer.assessment_id))
        .join(Organisation, col(Organisation.id) == col(Assessment.organisation_id))
        .where(
            col(Assessment.vendor_id).in_(_reusable_vendor_ids(session, user, assessment)),
            Assessment.id != assessment.id,
            Assessment.status != AssessmentStatus.draft,
            # A rejected answer is never offered for one-click reuse as if it were fine.
            Answer.review_state != ReviewState.rejected,
            col(Answer.question_key).in_(list(questionnaire.by_key) if wanted is None else wanted),
        )
        .order_by(col(Answer.answered_at).desc(), col(Answer.id).desc())
    ).all()
    # Per key, the newest answers up to the first with a value: an empty one counts only if it
    # has files. Their files come in one query, not one per question.
    candidates: dict[str, list[tuple[Answer, int, str, Any]]] = {}
    settled: set[str] = set()
    asked_in: dict[int, int] = {}  # earlier assessment → its questionnaire version
    for answer, earlier_id, buyer, questionnaire_id in rows:
        asked_in[earlier_id] = questionnaire_id
        if answer.question_key in settled:
            continue
        question = questionnaire.by_key[answer.question_key]
        try:
            value = coerce_answer(question, answer.value) if answer.value is not None else None
        except InvalidInput:
            continue  # the question changed shape between versions: nothing to offer
        candidates.setdefault(answer.question_key, []).append((answer, earlier_id, buyer, value))
        if value is not None:
            settled.add(answer.question_key)
    files: dict[int, list[Evidence]] = {}
    answer_ids = [answer.id for options in candidates.values() for answer, *_ in options]
    for answer_id, evidence in session.exec(
        select(AnswerEvidence.answer_id, Evidence)
        .join(AnswerEvidence, col(AnswerEvidence.evidence_id) == col(Evidence.id))
        .where(col(AnswerEvidence.answer_id).in_(answer_ids))
        .order_by(col(AnswerEvidence.answer_id), col(Evidence.id))
    ).all():
        files.setdefault(answer_id, []).append(evidence)
    wording = _wording(session, set(asked_in.values()))
    found: dict[str, PreviousAnswer] = {}
    # An earlier assessment's answers share a few days: each is formatted once, not per offer.
    days: dict[date, str] = {}
    for key, options in candidates.items():
        for answer, earlier_id, buyer, value in options:
            attached = files.get(answer.id, [])
            if value is None and not attached:
                continue
            day = answer.answered_at.date()
            answered_on = days.get(day)
            if answered_on is None:
                answered_on = days[day] = day.strftime("%d %b %Y")
            found[key] = PreviousAnswer(
                answer=answer,
                assessment_id=earlier_id,
                buyer=buyer,
                evidence=attached,
                display=display_value(questionnaire.by_key[key], value),
                answered_on=answered_on,
                reworded=_text(wording.get(asked_in[earlier_id]), key)
                != questionnaire.by_key[key].text,
            )
            break
    return found


def _wording(session: Session, questionnaire_ids: set[int]) -> dict[int, Compiled]:
    """Each earlier questionnaire version, parsed (versions are few, each parsed once per
    content hash: only the hash is read, not the ~120 kB definition)."""
    rows = session.exec(
        select(Questionnaire.id, Questionnaire.content_hash).where(
            col(Questionnaire.id).in_(questionnaire_ids)
        )
    )
    return {
        qid: pinned_questionnaire(session=session, questionnaire_id=qid, content_hash=content_hash)
        for qid, content_hash in rows
    }


def _text(questionnaire: Compiled | None, key: str) -> str:
    """The question's wording in that version ("" when it was not asked there)."""
    question = questionnaire.by_key.get(key) if questionnaire else None
    return question.text if question else ""


def _evidence_for_vendor(
    session: Session, actor: User, evidence: Evidence, vendor_id: int, organisation_id: int
) -> Evidence:
    """The same file in this vendor's library: the item itself, or a library entry pointing to the
    same stored blob (files are stored once by content hash)."""
    if evidence.vendor_id == vendor_id:
        return evidence
    existing = session.exec(
        select(Evidence).where(Evidence.vendor_id == vendor_id, Evidence.sha256 == evidence.sha256)
    ).first()
    if existing is not None:
        return existing
    copy = Evidence(
        vendor_id=vendor_id,
        sha256=evidence.sha256,
        filename=evidence.filename,
        size=evidence.size,
        media_type=evidence.media_type,
        storage_key=evidence.storage_key,
        kind=evidence.kind,
        title=evidence.title,
        valid_until=evidence.valid_until,
        uploaded_by_id=actor.id,
    )
    session.add(copy)
    session.flush()
    record(
        session=session,
        action="evidence.reused",
        actor=actor,
        organisation_id=organisation_id,
        object_type="evidence",
        object_id=copy.id,
        data={"from_evidence_id": evidence.id, "sha256": evidence.sha256},
    )
    return copy


def use_previous(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    key: str,
    source_answer_id: int,
    expected_version: int,
    ip: str | None = None,
) -> Answer:
    """Copy an offered earlier answer and its files into this assessment (audited)."""
    offer = previous_answers(session=session, user=actor, assessment=assessment).get(key)
    if offer is None or offer.answer.id != source_answer_id:
        raise NotFound("That earlier answer is not available here any more.")
    answer = save_answer(
        session=session,
        actor=actor,
        assessment=assessment,
        key=key,
        raw_value=offer.answer.value,
        expected_version=expected_version,
        ip=ip,
    )
    answer.prefilled_from_id = offer.answer.id
    session.add(answer)
    session.flush()
    for evidence in offer.evidence:
        mine = _evidence_for_vendor(
            session, actor, evidence, assessment.vendor_id, assessment.organisation_id
        )
        attach_evidence(session=session, actor=actor, answer=answer, evidence=mine, ip=ip)
    record(
        session=session,
        action="answer.prefilled",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="answer",
        object_id=f"{assessment.id}:{key}",
        data={
            "from_answer_id": offer.answer.id,
            "from_assessment_id": offer.assessment_id,
            "evidence_ids": [e.id for e in offer.evidence],
        },
        ip=ip,
    )
    return answer


def set_reuse(
    *, session: Session, actor: User, assessment: Assessment, reuse: bool, ip: str | None = None
) -> Assessment:
    """The vendor's opt-in to be offered answers it gave other buyers."""
    if assessment.reuse_across_buyers == reuse:
        return assessment
    assessment.reuse_across_buyers = reuse
    session.add(assessment)
    session.flush()
    record(
        session=session,
        action="assessment.reuse_set",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"reuse_across_buyers": reuse},
        ip=ip,
    )
    return assessment
