"""One read model of an assessment's answered questionnaire: the sheet.

The vendor's page, the autosave's redraw, the submit check, the receipt and the PDF report all
read an assessment through `answered_sheet`: sections → items, each item one question with its
section, whether it is shown, the answer (value, display label, verdict and reason), its files
with their status, its thread, and the answer to the same question last time. Completeness has
one definition, `missing_reason`, so the progress bar and the Submit check cannot disagree: a
shown question counts when it is required or its answer claims a level that needs evidence, and
it is done when it is answered and has the file that level needs.

Read in two steps, each a fixed number of statements whatever the questionnaire's size. The
summary (`sheet_summary`) reads every answer's value and verdict and every attached file's
verdict, kind and dates as plain columns (no row objects): progress, attention and the review
page's counts need them for the whole sheet. The items (`fill_items`) read the answer rows,
files, threads (when a viewer is given) and, for the buyer's review, last time's answers of the
questions a page draws: `keys=` limits them to some questions (a section page, an autosave's
redraw, which passes the summary it read before saving and the row it saved).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.answer_store import AnswerStore
from app.assessments.answers import display_value, is_answered
from app.assessments.comments import comments_for
from app.assessments.context import buyer_facts
from app.errors import NotFound
from app.evidence.service import validity
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    Comment,
    Evidence,
    ReviewState,
    User,
    utcnow,
)
from app.questionnaires.conditions import with_context
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import Compiled, questionnaire_of
from app.scoring.adapter import answer_level

ATTACH_A_FILE = "Attach a file."
ANSWER_REQUIRED = "Answer required."
EVIDENCE_NEEDED = "Your answer needs supporting evidence: attach at least one file."
# The buyer's verdicts that send a question back to the vendor.
ATTENTION = frozenset({ReviewState.clarification, ReviewState.rejected})


# --- the one definition of "complete" ------------------------------------------------------------


def evidence_required(question: Question, value: Any) -> bool:
    """Whether this answer claims a level at which the questionnaire asks for a file."""
    if question.evidence is None:
        return False
    if question.type == QuestionType.evidence_only:
        return question.required
    needed = question.evidence.required_from_level
    level = answer_level(question, value)
    if level is not None:
        return level >= needed
    return not question.scored and needed == 0 and is_answered(question, value)


def counts(question: Question, value: Any) -> bool:
    """Whether a shown question counts towards completeness: required, or its answer needs a
    file."""
    return question.required or evidence_required(question, value)


def missing_reason(question: Question, value: Any, has_file: bool) -> str | None:
    """What a shown question still lacks before the assessment can be submitted, or None."""
    if question.type == QuestionType.evidence_only:
        return ATTACH_A_FILE if question.required and not has_file else None
    if question.required and not is_answered(question, value):
        return ANSWER_REQUIRED
    if evidence_required(question, value) and not has_file:
        return EVIDENCE_NEEDED
    return None


@dataclass
class SectionProgress:
    key: str
    title: str
    required: int = 0  # shown questions that count (`counts`)
    answered: int = 0  # of those, the ones with nothing missing
    missing: list[str] = field(default_factory=list)  # question keys, in order
    attention: list[str] = field(default_factory=list)  # shown keys the buyer sent back

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

    @property
    def attention(self) -> list[str]:
        return [key for s in self.sections for key in s.attention]

    def section(self, key: str) -> SectionProgress:
        return next(s for s in self.sections if s.key == key)


def progress(
    questionnaire: Compiled,
    values: Mapping[str, Any],
    with_files: Collection[str],
    visible: Collection[str] | None = None,
    attention: Collection[str] = (),
) -> Progress:
    """Completeness per section under `missing_reason` (pure: for callers that have only the
    values, such as reminders and the JSON API). `attention`: keys the buyer sent back."""
    if visible is None:
        visible = questionnaire.visible_keys(values)
    sections = []
    for section in questionnaire.definition.sections:
        sp = SectionProgress(section.key, section.title)
        for question in section.questions:
            key = question.key
            if key not in visible:
                continue
            if key in attention:
                sp.attention.append(key)
            value = values.get(key)
            if not counts(question, value):
                continue
            sp.required += 1
            if missing_reason(question, value, key in with_files) is None:
                sp.answered += 1
            else:
                sp.missing.append(key)
        sections.append(sp)
    return Progress(sections)


# --- the sheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    """One attached file as plain columns: what progress, attention and the scoring model need
    of every file of the sheet, without loading its row."""

    evidence_id: int
    sha256: str
    kind: str | None
    valid_until: date | None
    status: ReviewState  # the reviewer's verdict on this file for this answer


@dataclass(frozen=True)
class SheetFile:
    """A file attached to one answer, with the buyer's verdict on it for that answer."""

    evidence: Evidence
    status: ReviewState  # the reviewer's verdict on this file for this answer
    validity: str | None  # expired | expiring | valid | None (no date)

    @property
    def kind(self) -> str | None:
        return self.evidence.kind


@dataclass
class SheetItem:
    question: Question
    section_key: str
    visible: bool
    answer: Answer | None
    files: list[SheetFile] = field(default_factory=list)
    thread: list[tuple[Comment, User | None]] = field(default_factory=list)
    previous: Answer | None = None  # the answer in the assessment before this one

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def display(self) -> str:
        """The answer as a person reads it (option labels, level descriptors)."""
        return display_value(self.question, self.value)

    @property
    def comment(self) -> str | None:
        return self.answer.comment if self.answer else None

    @property
    def verdict(self) -> ReviewState | None:
        """The buyer's verdict on the answer; None while there is no answer."""
        return ReviewState(self.answer.review_state) if self.answer else None

    @property
    def reason(self) -> str | None:
        return self.answer.review_reason if self.answer else None

    @property
    def evidence_needed(self) -> bool:
        return evidence_required(self.question, self.value)

    @property
    def counts(self) -> bool:
        return self.visible and counts(self.question, self.value)

    @property
    def missing(self) -> str | None:
        """What the shown question still lacks (`missing_reason`); None when nothing or hidden."""
        if not self.visible:
            return None
        return missing_reason(self.question, self.value, bool(self.files))

    @property
    def answered(self) -> bool:
        if self.question.type == QuestionType.evidence_only:
            return bool(self.files)
        return is_answered(self.question, self.value)

    @property
    def needs_attention(self) -> bool:
        """The buyer sent the answer or one of its files back (clarification or rejection)."""
        return self.visible and sent_back(self.verdict, (f.status for f in self.files))


def sent_back(verdict: ReviewState | None, file_verdicts: Iterable[ReviewState]) -> bool:
    """Whether the buyer sent an answer back: asked about or rejected it, or rejected a file."""
    return verdict in ATTENTION or ReviewState.rejected in set(file_verdicts)


@dataclass
class SheetSection:
    key: str
    title: str
    description: str | None
    items: list[SheetItem]  # the questions built, hidden ones too (`visible` says)
    progress: SectionProgress

    @property
    def shown(self) -> list[SheetItem]:
        return [i for i in self.items if i.visible]


@dataclass
class Sheet:
    """Visibility, progress and the sections are worked out from the columns read when first
    asked for: an autosave's summary before the save needs only visibility."""

    assessment: Assessment
    questionnaire: Compiled
    values: dict[str, Any]  # every answer's value (a key for every answer row)
    verdicts: dict[str, ReviewState]  # every answer's verdict
    files: dict[str, list[FileFacts]]  # every question's files, as plain columns
    facts: dict[str, Any]  # the buyer's facts visibility reads (`context.buyer_facts`)
    today: date

    @cached_property
    def visible(self) -> frozenset[str]:
        return self.questionnaire.visible_keys(with_context(self.values, self.facts))

    @cached_property
    def progress(self) -> Progress:
        """The whole sheet's, even when only some items were built."""
        attention = {
            k
            for k in self.values.keys() | self.files.keys()
            if sent_back(self.verdicts.get(k), (f.status for f in self.files.get(k, ())))
        }
        return progress(self.questionnaire, self.values, set(self.files), self.visible, attention)

    @cached_property
    def sections(self) -> list[SheetSection]:
        return [
            SheetSection(s.key, s.title, s.description, [], self.progress.section(s.key))
            for s in self.questionnaire.definition.sections
        ]

    @property
    def with_files(self) -> set[str]:
        """Question keys whose answer has a file."""
        return set(self.files)

    @property
    def items(self) -> list[SheetItem]:
        return [i for s in self.sections for i in s.items]

    def item(self, key: str) -> SheetItem:
        for section in self.sections:
            for item in section.items:
                if item.key == key:
                    return item
        raise NotFound(f"No question {key!r} in this questionnaire.")

    def section(self, key: str) -> SheetSection:
        for section in self.sections:
            if section.key == key:
                return section
        raise NotFound(f"No section {key!r} in this questionnaire.")

    @property
    def missing(self) -> list[SheetItem]:
        """The built items that stop submission, in questionnaire order."""
        return [i for i in self.items if i.missing is not None]

    @property
    def complete(self) -> bool:
        return not self.progress.missing


def sheet_summary(
    *,
    session: Session,
    assessment: Assessment,
    questionnaire: Compiled | None = None,
    today: date | None = None,
    store: AnswerStore | None = None,
) -> Sheet:
    """The sheet without items: every answer's value and verdict and every file's facts, read as
    plain columns in two statements, with visibility, progress and attention of the whole. Pass
    the `store` a save will write through, so the save need not read its answer again."""
    today = today or utcnow().date()
    questionnaire = questionnaire or questionnaire_of(session=session, assessment=assessment)
    saved = (store or AnswerStore(session, assessment.id)).read_all()
    files: dict[str, list[FileFacts]] = {}
    for key, evidence_id, sha256, kind, valid_until, status in session.exec(
        select(
            Answer.question_key,
            Evidence.id,
            Evidence.sha256,
            Evidence.kind,
            Evidence.valid_until,
            AnswerEvidence.review_state,
        )
        .join(AnswerEvidence, col(AnswerEvidence.answer_id) == col(Answer.id))
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .where(Answer.assessment_id == assessment.id)
        .order_by(col(AnswerEvidence.linked_at), col(Evidence.id))
    ):
        files.setdefault(key, []).append(
            FileFacts(evidence_id, sha256, kind, valid_until, ReviewState(status))
        )
    return Sheet(
        assessment=assessment,
        questionnaire=questionnaire,
        values=saved.values,
        verdicts=saved.verdicts,
        files=files,
        facts=buyer_facts(session=session, vendor_id=assessment.vendor_id),
        today=today,
    )


def with_saved_answer(sheet: Sheet, answer: Answer) -> Sheet:
    """The summary once `answer` is saved in this transaction: its value and verdict replace
    the ones read, and visibility, progress and attention follow (no statement)."""
    key = answer.question_key
    return replace(
        sheet,
        values={**sheet.values, key: answer.value},
        verdicts={**sheet.verdicts, key: ReviewState(answer.review_state)},
    )


def fill_items(
    sheet: Sheet,
    *,
    session: Session,
    viewer: User | None,
    keys: Collection[str] | None,
    previous: bool = False,
    held: Collection[Answer] = (),
) -> Sheet:
    """Build the items of `keys` (every question when None): their answer rows, files, threads
    (`viewer`'s; none without one) and, with `previous`, last time's answers, each read in one
    statement. `held`: answer rows the caller has already (a save's), not read again."""
    wanted = None if keys is None else set(keys)
    if wanted is not None and not wanted:
        return sheet
    assessment = sheet.assessment
    answers = {a.question_key: a for a in held}
    unread = None if wanted is None else wanted - answers.keys()
    if unread is None or unread:
        query = select(Answer).where(Answer.assessment_id == assessment.id)
        if unread is not None:
            query = query.where(col(Answer.question_key).in_(list(unread)))
        answers = {**{a.question_key: a for a in session.exec(query)}, **answers}
    files: dict[str, list[SheetFile]] = {}
    query = (
        select(Answer.question_key, AnswerEvidence.review_state, Evidence)
        .join(AnswerEvidence, col(AnswerEvidence.answer_id) == col(Answer.id))
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .where(Answer.assessment_id == assessment.id)
    )
    if wanted is not None:
        query = query.where(col(Answer.question_key).in_(list(wanted)))
    if wanted is None or wanted & sheet.files.keys():
        for key, status, evidence in session.exec(
            query.order_by(col(AnswerEvidence.linked_at), col(Evidence.id))
        ):
            files.setdefault(key, []).append(
                SheetFile(
                    evidence, ReviewState(status), validity(evidence.valid_until, today=sheet.today)
                )
            )
    threads: dict[str, list[tuple[Comment, User | None]]] = {}
    if viewer is not None:
        threads = comments_for(session=session, assessment=assessment, viewer=viewer)
    earlier = _previous(session, assessment, wanted) if previous else {}
    for section, defined in zip(
        sheet.sections, sheet.questionnaire.definition.sections, strict=True
    ):
        section.items = [
            SheetItem(
                question=q,
                section_key=section.key,
                visible=q.key in sheet.visible,
                answer=answers.get(q.key),
                files=files.get(q.key, []),
                thread=threads.get(q.key, []),
                previous=earlier.get(q.key),
            )
            for q in defined.questions
            if wanted is None or q.key in wanted
        ]
    return sheet


def _previous(
    session: Session, assessment: Assessment, keys: Collection[str] | None
) -> dict[str, Answer]:
    if assessment.previous_assessment_id is None:
        return {}
    query = select(Answer).where(Answer.assessment_id == assessment.previous_assessment_id)
    if keys is not None:
        query = query.where(col(Answer.question_key).in_(list(keys)))
    return {a.question_key: a for a in session.exec(query)}


def answered_sheet(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User | None = None,
    keys: Collection[str] | None = None,
    questionnaire: Compiled | None = None,
    today: date | None = None,
) -> Sheet:
    """The assessment's answered questionnaire: the summary, and the items of `keys` (every
    question when None; none for `keys=()`).

    `viewer`: whose threads to read (a vendor-side viewer never gets internal notes); without
    one, no thread is read. Pass the `questionnaire` if the caller has it already.
    """
    sheet = sheet_summary(
        session=session, assessment=assessment, questionnaire=questionnaire, today=today
    )
    return fill_items(sheet, session=session, viewer=viewer, keys=keys)
