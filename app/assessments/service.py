"""Assessment behaviour: access, creation, lifecycle steps and saving answers without lost updates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.assessments.answer_store import AnswerConflict as AnswerConflict  # raised by save_answer
from app.assessments.answer_store import AnswerStore
from app.assessments.answers import coerce_answer, is_answered
from app.assessments.lifecycle import EDITABLE_STATES, Side, check_transition
from app.audit.service import record
from app.errors import Conflict, InvalidInput, NotFound
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Questionnaire,
    ReviewState,
    Role,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.questionnaires.conditions import visible_questions
from app.questionnaires.schema import QuestionType
from app.questionnaires.service import Compiled, pinned_questionnaire, questionnaire_of
from app.vendors.answer_proposals import propose_from_answers

# --- access ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedAssessment:
    """An assessment with its pinned questionnaire, and whether this transaction holds its row
    lock: what a save needs, so it reads neither again."""

    assessment: Assessment
    questionnaire: Compiled
    locked: bool


def open_assessment(
    *, session: Session, user: User, assessment_id: int, for_update: bool = False
) -> OpenedAssessment:
    """The assessment if the caller's tenant owns it (buyer) or it was sent to them (vendor).

    Anything else is NotFound, so ids of other tenants reveal nothing. One statement checks
    access and reads the pinned questionnaire's hash, so the questionnaire costs no statement
    once this process has parsed it. `for_update` also locks the row for the rest of the
    transaction (an autosave), so the save does not lock and read it again.
    """
    query = (
        select(Assessment, Questionnaire.content_hash)
        .join(Questionnaire, col(Questionnaire.id) == col(Assessment.questionnaire_id))
        .where(Assessment.id == assessment_id)
    )
    if Role(user.role).is_vendor:
        their_vendors = select(VendorContact.vendor_id).where(VendorContact.user_id == user.id)
        query = query.where(
            col(Assessment.vendor_id).in_(their_vendors),
            Assessment.status != AssessmentStatus.draft,
        )
    else:
        query = query.where(Assessment.organisation_id == user.organisation_id)
    if for_update:
        query = query.with_for_update(of=Assessment).execution_options(populate_existing=True)
    found = session.exec(query).first()
    if found is None:
        raise NotFound("No such assessment.")
    assessment, content_hash = found
    questionnaire = pinned_questionnaire(
        session=session, questionnaire_id=assessment.questionnaire_id, content_hash=content_hash
    )
    return OpenedAssessment(assessment, questionnaire, locked=for_update)


def get_assessment(*, session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment if the caller may see it (`open_assessment`), for a caller that needs
    only the row."""
    return open_assessment(session=session, user=user, assessment_id=assessment_id).assessment


def lock_for_answers(*, session: Session, assessment: Assessment) -> OpenedAssessment:
    """Lock the assessment row, read its committed status and version, and its questionnaire:
    what a save needs, for a caller that has only the assessment. Saving many answers in one
    transaction, lock once and pass the result to each `save_answer`.

    On PostgreSQL a concurrent change waits here for ours; SQLite serialises writers anyway."""
    session.refresh(assessment, ["status", "version"], with_for_update=True)
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    return OpenedAssessment(assessment, questionnaire, locked=True)


# --- creation and lifecycle -----------------------------------------------------------------------


def create_assessment(
    *,
    session: Session,
    actor: User | None,
    vendor: Vendor,
    questionnaire: Questionnaire,
    due_date: date | None,
    message: str | None = None,
    campaign_id: int | None = None,
) -> Assessment:
    """A draft assessment of `vendor` against a pinned questionnaire version.

    `actor` is None when Assay itself creates it (an automatic re-assessment).
    """
    if actor is not None and vendor.organisation_id != actor.organisation_id:
        raise NotFound("No such vendor.")
    if due_date is not None and due_date < date.today():
        raise InvalidInput("The due date is in the past.")
    previous = session.exec(
        select(Assessment)
        .where(Assessment.vendor_id == vendor.id, Assessment.status == AssessmentStatus.completed)
        .order_by(col(Assessment.completed_at).desc())
    ).first()
    assessment = Assessment(
        organisation_id=vendor.organisation_id,
        vendor_id=vendor.id,
        questionnaire_id=questionnaire.id,
        campaign_id=campaign_id,
        previous_assessment_id=previous.id if previous else None,
        due_date=due_date,
        message=message,
        created_by_id=actor.id if actor else None,
    )
    session.add(assessment)
    session.flush()
    record(
        session=session,
        action="assessment.created",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={
            "vendor_id": vendor.id,
            "questionnaire": f"{questionnaire.key} v{questionnaire.version}",
            "due_date": due_date,
        },
    )
    return assessment


_TIMESTAMPS = {
    AssessmentStatus.sent: "sent_at",
    AssessmentStatus.submitted: "submitted_at",
    AssessmentStatus.completed: "completed_at",
}


def apply_transition(
    *,
    session: Session,
    assessment: Assessment,
    name: str,
    actor: User | None,
    side: Side,
    reason: str | None = None,
    ip: str | None = None,
) -> Assessment:
    """Move the assessment through the state machine, recording who, when and why."""
    before = AssessmentStatus(assessment.status)
    target = check_transition(before, name, side=side, reason=reason)
    now = utcnow()
    stamp = _TIMESTAMPS.get(target)
    values: dict[str, Any] = {"status": target, "version": assessment.version + 1}
    if stamp:
        values[stamp] = now
    # Compare-and-set on the status: a concurrent step on the same assessment loses cleanly.
    result = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == before)
        .values(**values)
    )
    if result.rowcount != 1:
        session.refresh(assessment)
        raise Conflict("The assessment changed meanwhile; reload the page.")
    session.refresh(assessment)
    session.add(
        AssessmentTransition(
            assessment_id=assessment.id,
            from_status=before,
            to_status=target,
            actor_id=actor.id if actor else None,
            reason=reason.strip() if reason else None,
            at=now,
        )
    )
    record(
        session=session,
        action=f"assessment.{name}",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"from": before, "to": target, "reason": reason},
        ip=ip,
    )
    if target == AssessmentStatus.submitted:
        # What the answers state about the vendor reaches the buyer's register as a proposal.
        values = {
            k: a.value for k, a in answers_of(session=session, assessment_id=assessment.id).items()
        }
        propose_from_answers(
            session=session, actor=actor, assessment=assessment, values=values, ip=ip
        )
    return assessment


def timeline(*, session: Session, assessment: Assessment) -> list[AssessmentTransition]:
    return list(
        session.exec(
            select(AssessmentTransition)
            .where(AssessmentTransition.assessment_id == assessment.id)
            .order_by(AssessmentTransition.at, AssessmentTransition.id)
        )
    )


# --- answers --------------------------------------------------------------------------------------


def answers_of(*, session: Session, assessment_id: int) -> dict[str, Answer]:
    return {
        a.question_key: a
        for a in session.exec(select(Answer).where(Answer.assessment_id == assessment_id))
    }


def save_answer(
    *,
    session: Session,
    actor: User,
    assessment: Assessment | OpenedAssessment,
    key: str,
    raw_value: Any,
    expected_version: int,
    comment: str | None = None,
    ip: str | None = None,
    store: AnswerStore | None = None,
) -> Answer:
    """Validate and store one answer if nobody changed it since `expected_version` (0 = new).

    The write is a compare-and-set on the row version (`AnswerStore`), so two contacts saving
    the same answer can never silently overwrite each other: the later one gets AnswerConflict
    with both values. Pass the `store` that read the answers in this transaction, if any, and
    the locked `OpenedAssessment` if the caller has one (an autosave, an import), so the save
    neither locks the row nor reads the questionnaire again.
    """
    # Lock the assessment row first (PostgreSQL; SQLite writers are serialised already): the
    # status checked below and the first save's `start` step must be what concurrent saves
    # committed while this one waited, or a save of another answer fails as a conflict.
    if isinstance(assessment, OpenedAssessment) and assessment.locked:
        opened = assessment
    else:
        row = assessment.assessment if isinstance(assessment, OpenedAssessment) else assessment
        opened = lock_for_answers(session=session, assessment=row)
    assessment = opened.assessment
    if AssessmentStatus(assessment.status) not in EDITABLE_STATES:
        raise Conflict(
            f"Answers are locked while the assessment is "
            f"{AssessmentStatus(assessment.status).value.replace('_', ' ')}."
        )
    question = opened.questionnaire.by_key.get(key)
    if question is None:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    value = coerce_answer(question, raw_value)
    if comment is not None and len(comment) > 5000:
        raise InvalidInput("Keep the comment under 5,000 characters.")
    now = utcnow()
    changes: dict[str, Any] = {
        "value": value,
        "version": expected_version + 1,
        "answered_by_id": actor.id,
        "answered_at": now,
        "review_state": ReviewState.pending,
    }
    if comment is not None:
        changes["comment"] = comment
    answer, before = (store or AnswerStore(session, assessment.id)).write(
        key=key,
        expected_version=expected_version,
        value=value,
        changes=changes,
        new_answer=lambda: Answer(
            assessment_id=assessment.id,
            question_key=key,
            value=value,
            comment=comment,
            answered_by_id=actor.id,
            answered_at=now,
        ),
    )
    if AssessmentStatus(assessment.status) == AssessmentStatus.sent:
        apply_transition(
            session=session,
            assessment=assessment,
            name="start",
            actor=actor,
            side=Side.vendor,
            ip=ip,
        )
    record(
        session=session,
        action="answer.saved",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="answer",
        object_id=f"{assessment.id}:{key}",
        data={"before": before, "after": value, "version": answer.version},
        ip=ip,
    )
    return answer


# --- progress -------------------------------------------------------------------------------------


@dataclass
class SectionProgress:
    key: str
    title: str
    required: int = 0
    answered: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.answered / self.required)


@dataclass
class Progress:
    sections: list[SectionProgress]

    @property
    def required(self) -> int:
        return sum(s.required for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.answered / self.required)

    @property
    def missing(self) -> list[str]:
        return [key for s in self.sections for key in s.missing]


def evidence_keys(*, session: Session, assessment_id: int) -> set[str]:
    """Question keys that have at least one evidence file attached."""
    rows = session.exec(
        select(Answer.question_key)
        .join(AnswerEvidence, AnswerEvidence.answer_id == Answer.id)
        .where(Answer.assessment_id == assessment_id)
        .distinct()
    )
    return set(rows)


def progress(
    questionnaire: Compiled,
    values: dict[str, Any],
    with_evidence: set[str],
    visible: set[str] | None = None,
) -> Progress:
    """Required visible questions answered, per section (evidence-only ones need a file).
    Pass `visible` when the caller has worked out the visible question keys already."""
    if visible is None:
        visible = {q.key for q in visible_questions(questionnaire.definition, values)}
    sections = []
    for section in questionnaire.definition.sections:
        sp = SectionProgress(section.key, section.title)
        for question in section.questions:
            if question.key not in visible or not question.required:
                continue
            sp.required += 1
            if question.type == QuestionType.evidence_only:
                done = question.key in with_evidence
            else:
                done = is_answered(question, values.get(question.key))
            if done:
                sp.answered += 1
            else:
                sp.missing.append(question.key)
        sections.append(sp)
    return Progress(sections)
