"""What a vendor contact sees: the portal home, an assessment page, and the cards an autosave
redraws.

Every `QuestionView` comes from one builder, `question_views`: the page asks for every question,
an autosave only for the few it redraws (`keys=`), so a save reads the rows, files, threads and
earlier answers of those questions alone while its write is still open.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.assessments.answers import display_value, is_answered
from app.assessments.comments import comments_for
from app.assessments.context import values_with_facts
from app.assessments.lifecycle import EDITABLE_STATES
from app.assessments.service import (
    AnswerConflict,
    Progress,
    SectionProgress,
    answers_of,
    evidence_keys,
    progress,
)
from app.errors import NotFound
from app.evidence.service import contact_vendors, evidence_library, validity
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    Evidence,
    Organisation,
    Questionnaire,
    SectionAssignment,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.portal.autosave import SaveOutcome
from app.portal.reuse import PreviousAnswer, previous_answers, worth_offering
from app.portal.service import contacts_of, is_editable
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import Compiled, pinned_questionnaire, questionnaire_of
from app.scoring.adapter import answer_level
from app.web import render


def anchor(key: str) -> str:
    """An HTML id for a question key (dots would need escaping in CSS selectors)."""
    return "q-" + key.replace(".", "-")


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
        select(Assessment, Vendor, Organisation, Questionnaire.content_hash)
        .join(Vendor, col(Vendor.id) == col(Assessment.vendor_id))
        .join(Questionnaire, col(Questionnaire.id) == col(Assessment.questionnaire_id))
        .join(Organisation, col(Organisation.id) == col(Assessment.organisation_id))
        .join(VendorContact, col(VendorContact.vendor_id) == col(Vendor.id))
        .where(
            VendorContact.user_id == user.id,
            Assessment.status != AssessmentStatus.draft,
        )
        .order_by(col(Assessment.due_date).is_(None), col(Assessment.due_date), col(Assessment.id))
    ).all()
    result = []
    for assessment, vendor, organisation, content_hash in rows:
        questionnaire = pinned_questionnaire(
            session=session, questionnaire_id=assessment.questionnaire_id, content_hash=content_hash
        )
        values = {
            k: a.value for k, a in answers_of(session=session, assessment_id=assessment.id).items()
        }
        done = progress(
            questionnaire, values, evidence_keys(session=session, assessment_id=assessment.id)
        )
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


# --- one question's card -------------------------------------------------------------------------


@dataclass
class AttachedEvidence:
    evidence: Evidence
    validity: str | None  # expired | expiring | valid | None


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


def question_views(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    questionnaire: Compiled,
    values: Mapping[str, Any],
    visible: Collection[str],
    today: date,
    keys: Collection[str] | None = None,
    cards: Collection[str] | None = None,
    answers: Mapping[str, Answer] | None = None,
    with_evidence: Collection[str] | None = None,
) -> dict[str, QuestionView]:
    """The views of the questions in `keys` (every question when None), by key.

    Rows, files, threads and earlier answers are read once for all of them, never per question.
    Only the `cards` among them (default: all) get their thread and earlier answer: a save's own
    question redraws just its state and files. `answers` are rows already read (every row when
    `keys` is None); `with_evidence`, the keys known to have files, spares reading the others'.
    """
    wanted = list(questionnaire.by_key) if keys is None else list(dict.fromkeys(keys))
    whole = set(wanted) if cards is None else set(cards)
    if keys is None:
        rows = (
            dict(answers)
            if answers is not None
            else answers_of(session=session, assessment_id=assessment.id)
        )
        files = attached_evidence(session=session, assessment_id=assessment.id, today=today)
        threads = comments_for(session=session, assessment=assessment, viewer=user)
    else:
        rows = dict(answers or {})
        unread = [k for k in wanted if k not in rows]
        if unread:
            rows |= {
                a.question_key: a
                for a in session.exec(
                    select(Answer).where(
                        Answer.assessment_id == assessment.id,
                        col(Answer.question_key).in_(unread),
                    )
                )
            }
        filed = [k for k in wanted if with_evidence is None or k in with_evidence]
        files = (
            attached_evidence(session=session, assessment_id=assessment.id, today=today, keys=filed)
            if filed
            else {}
        )
        threads = {}
        for k in wanted:
            if k in whole:
                threads[k] = comments_for(
                    session=session, assessment=assessment, viewer=user, question_key=k
                ).get(k, [])
    offered = [k for k in wanted if k in whole]
    offers = (
        previous_answers(
            session=session,
            user=user,
            assessment=assessment,
            keys=None if keys is None else offered,
        )
        if is_editable(assessment) and offered
        else {}
    )
    views = {}
    for k in wanted:
        question = questionnaire.by_key[k]
        answer = rows.get(k)
        views[k] = QuestionView(
            question=question,
            section_key=questionnaire.section_by_key[k],
            visible=k in visible,
            answer=answer,
            evidence=files.get(k, []),
            comments=threads.get(k, []),
            previous=worth_offering(offers.get(k), answer),
            evidence_needed=evidence_required(question, values.get(k)),
        )
    return views


# --- the assessment page --------------------------------------------------------------------------


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


def assessment_view(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    today: date,
    mine_only: bool = False,
) -> AssessmentView:
    """Everything the assessment page shows, in one pass over the questionnaire."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    values = {k: a.value for k, a in answers.items()}
    visible = questionnaire.visible_keys(
        values_with_facts(session=session, vendor_id=assessment.vendor_id, values=values)
    )
    views = question_views(
        session=session,
        user=user,
        assessment=assessment,
        questionnaire=questionnaire,
        values=values,
        visible=visible,
        today=today,
        answers=answers,
    )
    done = progress(questionnaire, values, {k for k, v in views.items() if v.evidence}, visible)
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
        assignment = assignments.get(section.key)
        assignee = people.get(assignment.user_id) if assignment else None
        sp = by_section[section.key]
        sections.append(
            SectionView(
                key=section.key,
                title=section.title,
                description=section.description,
                questions=[views[q.key] for q in section.questions],
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
        editable=is_editable(assessment),
        contacts=contacts,
        library=library,
    )


# --- the cards an autosave redraws ----------------------------------------------------------------


@dataclass
class Redraw:
    """What the saved fragment's templates read as `page`: the few questions it redraws, the
    progress, and what their cards link to. Not the evidence library: the page draws its picker
    once, and a card's Attach button posts that."""

    assessment: Assessment
    progress: Progress
    editable: bool
    views: dict[str, QuestionView]
    contacts: tuple[User, ...] = ()  # the conflict box's names; a save that landed has none

    def question(self, key: str) -> QuestionView:
        found = self.views.get(key)
        if found is None:
            raise NotFound(f"No question {key!r} in this questionnaire.")
        return found

    def section_of(self, view: QuestionView) -> SectionProgress:
        return next(s for s in self.progress.sections if s.key == view.section_key)


def redraw(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    outcome: SaveOutcome,
    cards: Collection[str],
    today: date,
) -> Redraw:
    """The saved question and the questions in `cards` (whose whole card is drawn again, with
    its thread and any earlier answer on offer), and progress after `outcome`."""
    questionnaire = outcome.questionnaire
    key = outcome.answer.question_key
    done = progress(questionnaire, outcome.values, outcome.with_evidence, outcome.visible)
    views = question_views(
        session=session,
        user=user,
        assessment=assessment,
        questionnaire=questionnaire,
        values=outcome.values,
        visible=outcome.visible,
        today=today,
        keys=[key, *cards],
        cards=cards,
        answers={key: outcome.answer},
        with_evidence=outcome.with_evidence,
    )
    return Redraw(
        assessment=assessment, progress=done, editable=is_editable(assessment), views=views
    )


def portal_home_response(request: Request, session: Session, user: User) -> Response:
    """A vendor user's home: the assessments sent to them and the vendors they answer for."""
    rows = portal_assessments(session=session, user=user, today=utcnow().date())
    vendors = contact_vendors(session=session, user=user)
    return render(request, "portal/home.html", {"rows": rows, "vendors": vendors})
