"""The vendor portal's behaviour: what a contact sees, saves, reuses, delegates and submits.

Every function takes an assessment already scoped by `get_assessment`, flushes, never commits.
Answer writes go through `save_answer`, so every entry point (page, conflict choice, previous
answer, spreadsheet) gets the same validation, compare-and-set and audit event.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.answers import coerce_answer, display_value, is_answered
from app.assessments.lifecycle import EDITABLE_STATES, Side
from app.assessments.service import (
    AnswerConflict,
    Progress,
    answers_of,
    apply_transition,
    evidence_keys,
    progress,
    save_answer,
)
from app.audit.service import record
from app.errors import Conflict, InvalidInput, NotFound
from app.evidence.service import attach_evidence, detach_evidence, validity
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    Evidence,
    Organisation,
    SectionAssignment,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import Compiled, questionnaire_of
from app.scoring.adapter import answer_level
from app.scoring.service import score_assessment_and_store

MAX_ATTESTATION = 200
# States in which the answers were submitted, so a receipt exists.
SUBMITTED_STATES = frozenset(
    {
        AssessmentStatus.submitted,
        AssessmentStatus.under_review,
        AssessmentStatus.clarification_requested,
        AssessmentStatus.completed,
    }
)

# --- presenting answers (pure) --------------------------------------------------------------------


def anchor(key: str) -> str:
    """An HTML id for a question key (dots would need escaping in CSS selectors)."""
    return "q-" + key.replace(".", "-")


def raw_from_form(question: Question, form: Mapping[str, Any], getlist) -> Any:
    """What a question's form posted, in the shape `coerce_answer` takes.

    `value_json` (the conflict screen's "keep mine") carries an already-shaped value. Group rows
    are `row-<n>-<field>`; the row named in `remove_row` is left out.
    """
    if form.get("value_json"):
        try:
            return json.loads(str(form["value_json"]))
        except (ValueError, RecursionError):  # RecursionError: JSON nested past any real answer
            raise InvalidInput("The kept answer could not be read; reload the page.") from None
    kind = QuestionType(question.type)
    if kind == QuestionType.multi_choice:
        return [v for v in getlist("value") if str(v).strip()]
    if kind == QuestionType.group:
        indices = sorted(
            {
                int(name.split("-")[1])
                for name in form
                if name.startswith("row-") and name.split("-")[1].isdecimal()
            }
        )
        removed = str(form.get("remove_row", ""))
        rows = []
        for index in indices:
            if removed == str(index):
                continue
            row = {}
            for f in question.fields:
                name = f"row-{index}-{f.key}"
                if f.type == QuestionType.multi_choice:
                    row[f.key] = [v for v in getlist(name) if str(v).strip()]
                else:
                    row[f.key] = form.get(name)
            rows.append(row)
        return rows
    if kind == QuestionType.evidence_only:
        return None
    return form.get("value")


# --- the vendor's home ---------------------------------------------------------------------------


@dataclass
class PortalRow:
    assessment: Assessment
    buyer: str
    vendor: Vendor
    questionnaire_title: str
    progress: Progress
    overdue: bool


def portal_assessments(*, session: Session, user: User, today: date) -> list[PortalRow]:
    """Every non-draft assessment sent to any vendor the user is a contact of, due first."""
    rows = session.exec(
        select(Assessment, Vendor, Organisation)
        .join(Vendor, col(Vendor.id) == col(Assessment.vendor_id))
        .join(Organisation, col(Organisation.id) == col(Assessment.organisation_id))
        .join(VendorContact, col(VendorContact.vendor_id) == col(Vendor.id))
        .where(
            VendorContact.user_id == user.id,
            Assessment.status != AssessmentStatus.draft,
        )
        .order_by(col(Assessment.due_date).is_(None), col(Assessment.due_date), col(Assessment.id))
    ).all()
    result = []
    for assessment, vendor, organisation in rows:
        questionnaire = questionnaire_of(session, assessment)
        values = {k: a.value for k, a in answers_of(session, assessment.id).items()}
        done = progress(questionnaire, values, evidence_keys(session, assessment.id))
        open_ = AssessmentStatus(assessment.status) in EDITABLE_STATES | {
            AssessmentStatus.clarification_requested
        }
        result.append(
            PortalRow(
                assessment=assessment,
                buyer=organisation.name,
                vendor=vendor,
                questionnaire_title=questionnaire.definition.title,
                progress=done,
                overdue=bool(open_ and assessment.due_date and assessment.due_date < today),
            )
        )
    return result


# --- one assessment as the vendor sees it --------------------------------------------------------


@dataclass
class AttachedEvidence:
    evidence: Evidence
    validity: str | None  # expired | expiring | valid | None


@dataclass
class PreviousAnswer:
    """An earlier answer to the same question key that the vendor may reuse in one click."""

    answer: Answer
    assessment_id: int
    buyer: str
    evidence: list[Evidence]
    display: str
    answered_on: str  # "25 Jul 2025", as the offer shows it


@dataclass
class QuestionView:
    question: Question
    section_key: str
    visible: bool
    answer: Answer | None
    evidence: list[AttachedEvidence] = field(default_factory=list)
    comments: list = field(default_factory=list)
    previous: PreviousAnswer | None = None
    evidence_needed: bool = False
    state: str = ""  # saved | error | conflict
    message: str = ""
    conflict: AnswerConflict | None = None
    extra_rows: int = 0

    @property
    def key(self) -> str:
        return self.question.key

    @cached_property
    def anchor(self) -> str:
        """Read about ten times per card: computed once."""
        return anchor(self.question.key)

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def rows(self) -> list[dict]:
        """Group rows to render: the saved ones plus blank rows to fill in."""
        saved = list(self.value or []) if self.question.type == QuestionType.group else []
        return saved + [
            {} for _ in range(max(1, self.extra_rows) if not saved else self.extra_rows)
        ]

    @property
    def theirs(self) -> str:
        return display_value(self.question, self.conflict.current.value) if self.conflict else ""

    @property
    def yours(self) -> str:
        return display_value(self.question, self.conflict.attempted) if self.conflict else ""

    @property
    def yours_json(self) -> str:
        return json.dumps(self.conflict.attempted) if self.conflict else ""


@dataclass
class SectionView:
    key: str
    title: str
    description: str | None
    questions: list[QuestionView]
    required: int
    answered: int
    assignee: User | None
    mine: bool

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.answered / self.required)


@dataclass
class AssessmentView:
    assessment: Assessment
    questionnaire: Compiled
    buyer: str
    vendor: Vendor
    sections: list[SectionView]
    progress: Progress
    editable: bool
    contacts: list[User]
    library: list[AttachedEvidence]

    def question(self, key: str) -> QuestionView:
        for section in self.sections:
            for view in section.questions:
                if view.key == key:
                    return view
        raise NotFound(f"No question {key!r} in this questionnaire.")


def worth_offering(offer: PreviousAnswer | None, answer: Answer | None) -> PreviousAnswer | None:
    """The earlier answer to offer beside `answer`, unless the answer already says the same."""
    if offer and answer is not None and answer.value == offer.answer.value:
        return None
    return offer


def is_editable(assessment: Assessment) -> bool:
    return AssessmentStatus(assessment.status) in EDITABLE_STATES


def attached_evidence(
    *, session: Session, assessment_id: int, today: date, keys: Collection[str] | None = None
) -> dict[str, list[AttachedEvidence]]:
    """Files linked to each answer of the assessment (or of the questions in `keys`), by
    question key."""
    query = (
        select(Answer.question_key, Evidence)
        .join(AnswerEvidence, col(AnswerEvidence.answer_id) == col(Answer.id))
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .where(Answer.assessment_id == assessment_id)
        .order_by(col(AnswerEvidence.linked_at), col(Evidence.id))
    )
    if keys is not None:
        query = query.where(col(Answer.question_key).in_(list(keys)))
    rows = session.exec(query).all()
    grouped: dict[str, list[AttachedEvidence]] = {}
    for key, evidence in rows:
        grouped.setdefault(key, []).append(
            AttachedEvidence(evidence, validity(evidence.valid_until, today=today))
        )
    return grouped


def evidence_required(question: Question, value: Any) -> bool:
    """Whether this answer claims a level at which the questionnaire asks for a file."""
    if question.evidence is None:
        return False
    needed = question.evidence.required_from_level
    if question.type == QuestionType.evidence_only:
        return question.required
    level = answer_level(question, value)
    if level is not None:
        return level >= needed
    return not question.scored and needed == 0 and is_answered(question, value)


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


def assessment_view(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    today: date,
    mine_only: bool = False,
) -> AssessmentView:
    """Everything the assessment page shows, in one pass over the questionnaire (an autosave
    redraws a few cards with `app.portal.autosave.redraw` instead)."""
    from app.assessments.comments import comments_for

    questionnaire = questionnaire_of(session, assessment)
    answers = answers_of(session, assessment.id)
    values = {k: a.value for k, a in answers.items()}
    evidence = attached_evidence(session=session, assessment_id=assessment.id, today=today)
    done = progress(questionnaire, values, set(evidence))
    visible = questionnaire.visible_keys(values)
    threads = comments_for(session=session, assessment=assessment, viewer=user)
    editable = is_editable(assessment)
    offers = previous_answers(session=session, user=user, assessment=assessment) if editable else {}
    assignments = {
        a.section_key: a
        for a in session.exec(
            select(SectionAssignment).where(SectionAssignment.assessment_id == assessment.id)
        )
    }
    contacts = contacts_of(session=session, vendor_id=assessment.vendor_id)
    people = {u.id: u for u in contacts}
    by_section = {s.key: s for s in done.sections}
    sections = []
    for section in questionnaire.definition.sections:
        views = []
        for question in section.questions:
            answer = answers.get(question.key)
            offer = worth_offering(offers.get(question.key), answer)
            views.append(
                QuestionView(
                    question=question,
                    section_key=section.key,
                    visible=question.key in visible,
                    answer=answer,
                    evidence=evidence.get(question.key, []),
                    comments=threads.get(question.key, []),
                    previous=offer,
                    evidence_needed=evidence_required(question, values.get(question.key)),
                )
            )
        assignment = assignments.get(section.key)
        assignee = people.get(assignment.user_id) if assignment else None
        sp = by_section[section.key]
        sections.append(
            SectionView(
                key=section.key,
                title=section.title,
                description=section.description,
                questions=views,
                required=sp.required,
                answered=sp.answered,
                assignee=assignee,
                mine=assignee is not None and assignee.id == user.id,
            )
        )
    # A contact's own sections come first; "My sections" shows only those.
    sections.sort(key=lambda s: not s.mine)
    if mine_only:
        sections = [s for s in sections if s.mine]
    organisation = session.get(Organisation, assessment.organisation_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    assert organisation is not None and vendor is not None
    from app.evidence.service import evidence_library

    library = [
        AttachedEvidence(e, validity(e.valid_until, today=today))
        for e in evidence_library(session=session, vendor_id=assessment.vendor_id)
    ]
    return AssessmentView(
        assessment=assessment,
        questionnaire=questionnaire,
        buyer=organisation.name,
        vendor=vendor,
        sections=sections,
        progress=done,
        editable=editable,
        contacts=contacts,
        library=library,
    )


# --- reusing earlier answers ----------------------------------------------------------------------


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
) -> dict[str, PreviousAnswer]:
    """The newest earlier answer per question key this vendor gave elsewhere, with its files
    (for every question, or only those in `keys`)."""
    questionnaire = questionnaire_of(session, assessment)
    wanted = [k for k in keys if k in questionnaire.by_key] if keys is not None else None
    # The earlier assessment's id and the buyer's name, not their rows: each of the ~150 result
    # rows would decode the assessment's and the organisation's JSON columns again.
    rows = session.exec(
        select(Answer, Assessment.id, Organisation.name)
        .join(Assessment, col(Assessment.id) == col(Answer.assessment_id))
        .join(Organisation, col(Organisation.id) == col(Assessment.organisation_id))
        .where(
            col(Assessment.vendor_id).in_(_reusable_vendor_ids(session, user, assessment)),
            Assessment.id != assessment.id,
            Assessment.status != AssessmentStatus.draft,
            col(Answer.question_key).in_(list(questionnaire.by_key) if wanted is None else wanted),
        )
        .order_by(col(Answer.answered_at).desc(), col(Answer.id).desc())
    ).all()
    # Per key, the newest answers up to the first with a value: an empty one counts only if it
    # has files. Their files come in one query, not one per question.
    candidates: dict[str, list[tuple[Answer, int, str, Any]]] = {}
    settled: set[str] = set()
    for answer, earlier_id, buyer in rows:
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
            )
            break
    return found


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
        session,
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
        session,
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
        session,
        action="assessment.reuse_set",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"reuse_across_buyers": reuse},
        ip=ip,
    )
    return assessment


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
    questionnaire = questionnaire_of(session, assessment)
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
        session,
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
    questionnaire = questionnaire_of(session, assessment)
    if key not in questionnaire.by_key:
        raise NotFound(f"No question {key!r} in this questionnaire.")
    answer = answers_of(session, assessment.id).get(key)
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


# --- submitting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingItem:
    key: str
    section: str
    text: str
    reason: str

    @property
    def anchor(self) -> str:
        return anchor(self.key)


def missing_items(*, session: Session, assessment: Assessment) -> list[MissingItem]:
    """What stops submission: required visible answers, and files the claimed levels call for."""
    questionnaire = questionnaire_of(session, assessment)
    values = {k: a.value for k, a in answers_of(session, assessment.id).items()}
    with_files = evidence_keys(session, assessment.id)
    visible = questionnaire.visible_keys(values)
    missing = []
    for section in questionnaire.definition.sections:
        for question in section.questions:
            if question.key not in visible:
                continue
            value = values.get(question.key)
            if question.type == QuestionType.evidence_only:
                if question.required and question.key not in with_files:
                    missing.append(
                        MissingItem(question.key, section.title, question.text, "Attach a file.")
                    )
                continue
            if question.required and not is_answered(question, value):
                missing.append(
                    MissingItem(question.key, section.title, question.text, "Answer required.")
                )
            elif evidence_required(question, value) and question.key not in with_files:
                missing.append(
                    MissingItem(
                        question.key,
                        section.title,
                        question.text,
                        "Your answer needs supporting evidence: attach at least one file.",
                    )
                )
    return missing


def submit(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    name: str,
    title: str,
    confirmed: bool,
    ip: str | None = None,
) -> Assessment:
    """Lock the answers with the signer's attestation and tell the buyer (all or nothing)."""
    problems = []
    name, title = name.strip(), title.strip()
    if not name:
        problems.append("Enter your name for the attestation.")
    if not title:
        problems.append("Enter your job title for the attestation.")
    if len(name) > MAX_ATTESTATION or len(title) > MAX_ATTESTATION:
        problems.append(f"Keep name and title under {MAX_ATTESTATION} characters.")
    if not confirmed:
        problems.append("Confirm that the answers are accurate and complete.")
    missing = missing_items(session=session, assessment=assessment)
    if missing:
        problems.append(f"{len(missing)} required item(s) are missing.")
    if problems:
        raise InvalidInput("The assessment cannot be submitted yet.", details=problems)
    if AssessmentStatus(assessment.status) == AssessmentStatus.sent:
        apply_transition(
            session=session, assessment=assessment, name="start", actor=actor, side=Side.vendor
        )
    assessment.attestation = {
        "name": name,
        "title": title,
        "user_id": actor.id,
        "email": actor.email,
        "at": utcnow().isoformat(),
        "statement": ATTESTATION_STATEMENT,
    }
    session.add(assessment)
    session.flush()
    apply_transition(
        session=session, assessment=assessment, name="submit", actor=actor, side=Side.vendor, ip=ip
    )
    # A provisional score from the submitted answers (docs/scoring.md): Assay scores, the vendor
    # does not, so the event has no actor; the review's completion scores it again.
    score_assessment_and_store(session=session, assessment=assessment, actor=None, ip=ip)
    _notify_buyer(session, assessment)
    return assessment


ATTESTATION_STATEMENT = (
    "I confirm that these answers and the attached evidence are accurate and complete to the best "
    "of my knowledge, and that I am authorised to submit them for my organisation."
)


def _notify_buyer(session: Session, assessment: Assessment) -> None:
    """Email the assessment's creator (queued in this transaction)."""
    creator = session.get(User, assessment.created_by_id) if assessment.created_by_id else None
    if creator is None or not creator.active:
        return
    from app.config import get_settings
    from app.notifications.service import queue_email

    vendor = session.get(Vendor, assessment.vendor_id)
    questionnaire = questionnaire_of(session, assessment)
    queue_email(
        session=session,
        to=creator.email,
        subject=f"{vendor.legal_name if vendor else 'A vendor'} submitted its assessment",
        template="portal_assessment_submitted",
        context={
            "recipient": creator.name,
            "vendor": vendor.legal_name if vendor else "",
            "questionnaire": questionnaire.definition.title,
            "assessment_id": assessment.id,
            "signer": (assessment.attestation or {}).get("name", ""),
            "url": f"{get_settings().base_url.rstrip('/')}/assessments/{assessment.id}",
        },
        kind="assessment_submitted",
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
    )


def resume(*, session: Session, actor: User, assessment: Assessment, ip: str | None = None) -> None:
    """Reopen the answers to respond to the buyer's clarification request."""
    apply_transition(
        session=session, assessment=assessment, name="resume", actor=actor, side=Side.vendor, ip=ip
    )


# --- the Excel round trip -------------------------------------------------------------------------


def export_workbook(*, session: Session, assessment: Assessment) -> bytes:
    """The assessment as a workbook with the current answers and their row versions."""
    from app.models import Questionnaire
    from app.portal.excel import ExportRow, build_workbook

    questionnaire = questionnaire_of(session, assessment)
    answers = answers_of(session, assessment.id)
    rows = []
    for section in questionnaire.definition.sections:
        for question in section.questions:
            answer = answers.get(question.key)
            rows.append(
                ExportRow(
                    section=section.title,
                    question=question,
                    value=answer.value if answer else None,
                    comment=answer.comment if answer else None,
                    version=answer.version if answer else 0,
                )
            )
    row = session.get(Questionnaire, assessment.questionnaire_id)
    assert row is not None
    return build_workbook(
        rows=rows,
        assessment_id=assessment.id,
        content_hash=row.content_hash,
        title=questionnaire.definition.title,
    )


@dataclass(frozen=True)
class ImportChange:
    row: int
    key: str
    text: str
    before: str
    after: str
    value: Any
    comment: str | None
    version: int

    def as_json(self) -> str:
        return json.dumps(
            {"key": self.key, "value": self.value, "comment": self.comment, "version": self.version}
        )


@dataclass
class ImportPreview:
    changes: list[ImportChange]
    errors: list  # RowError: row, question, message

    @property
    def ok(self) -> bool:
        return not self.errors


def preview_import(*, session: Session, assessment: Assessment, data: bytes) -> ImportPreview:
    """Every change the workbook would make and every problem with it; nothing is saved."""
    from app.models import Questionnaire
    from app.portal.excel import RowError, parse_workbook

    questionnaire = questionnaire_of(session, assessment)
    row = session.get(Questionnaire, assessment.questionnaire_id)
    assert row is not None
    parsed = parse_workbook(
        data,
        assessment_id=assessment.id,
        content_hash=row.content_hash,
        questionnaire=questionnaire,
    )
    answers = answers_of(session, assessment.id)
    changes: list[ImportChange] = []
    errors = list(parsed.errors)
    for item in parsed.rows:
        current = answers.get(item.question.key)
        current_value = current.value if current else None
        current_comment = (current.comment or None) if current else None
        if item.value == current_value and item.comment == current_comment:
            continue
        current_version = current.version if current else 0
        if item.version != current_version:
            errors.append(
                RowError(
                    item.row,
                    item.question.text,
                    "Changed in the portal since this workbook was exported (now: "
                    f"{display_value(item.question, current_value)}). Nothing was applied; "
                    "download a fresh workbook or answer this question in the portal.",
                )
            )
            continue
        changes.append(
            ImportChange(
                row=item.row,
                key=item.question.key,
                text=item.question.text,
                before=display_value(item.question, current_value),
                after=display_value(item.question, item.value),
                value=item.value,
                comment=item.comment,
                version=item.version,
            )
        )
    errors.sort(key=lambda e: e.row)
    return ImportPreview(changes=changes, errors=errors)


def apply_import(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    changes: list[dict[str, Any]],
    ip: str | None = None,
) -> int:
    """Save every previewed change, or none: a row changed meanwhile undoes the whole import."""
    if not changes:
        raise InvalidInput("There is nothing to apply.")
    try:
        with session.begin_nested():
            for change in changes:
                save_answer(
                    session=session,
                    actor=actor,
                    assessment=assessment,
                    key=str(change["key"]),
                    raw_value=change.get("value"),
                    expected_version=int(change["version"]),
                    comment=change.get("comment") or "",
                    ip=ip,
                )
            record(
                session,
                action="assessment.imported",
                actor=actor,
                organisation_id=assessment.organisation_id,
                object_type="assessment",
                object_id=assessment.id,
                data={"answers": [str(c["key"]) for c in changes]},
                ip=ip,
            )
    except AnswerConflict as exc:
        session.refresh(assessment)
        raise Conflict(
            "Nothing was applied: an answer was changed in the portal after the preview "
            f"({exc.current.question_key}). Upload the workbook again to see the differences."
        ) from None
    except (KeyError, TypeError, ValueError):
        session.refresh(assessment)
        raise InvalidInput("The import could not be read; upload the workbook again.") from None
    return len(changes)


def receipt_pdf(*, session: Session, assessment: Assessment) -> bytes:
    """The receipt of what was submitted: every visible answer and each file's SHA-256."""
    from app.portal.receipt import (
        ReceiptAnswer,
        ReceiptData,
        ReceiptFile,
        ReceiptSection,
        build_receipt,
    )

    if AssessmentStatus(assessment.status) not in SUBMITTED_STATES:
        raise NotFound("This assessment has not been submitted yet.")
    questionnaire = questionnaire_of(session, assessment)
    answers = answers_of(session, assessment.id)
    values = {k: a.value for k, a in answers.items()}
    visible = questionnaire.visible_keys(values)
    files = attached_evidence(session=session, assessment_id=assessment.id, today=utcnow().date())
    sections = []
    for section in questionnaire.definition.sections:
        items = []
        for question in section.questions:
            if question.key not in visible:
                continue
            answer = answers.get(question.key)
            items.append(
                ReceiptAnswer(
                    key=question.key,
                    text=question.text,
                    answer=display_value(question, answer.value if answer else None),
                    comment=answer.comment if answer else None,
                    files=[
                        ReceiptFile(a.evidence.filename, a.evidence.sha256, a.evidence.size)
                        for a in files.get(question.key, [])
                    ],
                )
            )
        sections.append(ReceiptSection(section.title, items))
    organisation = session.get(Organisation, assessment.organisation_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    attestation = assessment.attestation or {}
    submitted_at = assessment.submitted_at
    return build_receipt(
        ReceiptData(
            assessment_id=assessment.id,
            questionnaire=questionnaire.definition.title,
            buyer=organisation.name if organisation else "",
            vendor=vendor.legal_name if vendor else "",
            submitted_at=submitted_at.strftime("%Y-%m-%d %H:%M") if submitted_at else "—",
            signer_name=attestation.get("name", ""),
            signer_title=attestation.get("title", ""),
            signer_email=attestation.get("email", ""),
            statement=attestation.get("statement", ATTESTATION_STATEMENT),
            sections=sections,
        )
    )
