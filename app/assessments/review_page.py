"""What the analyst's review page shows: each item of the answered sheet (`sheet.py`) with the
level its answer contributes (from the scoring model), whether it changed since the last round,
and the filters and section counts that make a hundred answers reviewable.

A fixed number of queries whatever the size of the questionnaire. The page shows one section, or
every section through a filter, so its size follows what the analyst asked to see: the counts of
every section come from the sheet's summary (plain columns, `Glance`), and full rows (answer
rows, files, threads, last time's answers) are built only for the questions shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.assessments.answers import display_value
from app.assessments.clarifications import Round, clarification_round
from app.assessments.sheet import (
    FileFacts,
    Sheet,
    SheetFile,
    SheetItem,
    fill_items,
    sent_back,
    sheet_summary,
)
from app.models import (
    Answer,
    Assessment,
    Comment,
    CommentVisibility,
    Questionnaire,
    ReviewState,
    User,
)
from app.questionnaires.schema import Question, Section
from app.questionnaires.service import Compiled, pinned_questionnaire
from app.scoring.adapter import EVIDENCE_STATUS, question_spec, question_specs
from app.scoring.inputs import AnswerInput, EvidenceInput, QuestionSpec
from app.scoring.model import answer_outcome
from app.scoring.result import AnswerOutcome

Thread = list[tuple[Comment, User | None]]
# Up to this many answers the page opens on every section; beyond, on the first section.
ALL_AT_ONCE = 150

# Caps that mean the analyst should look: the answer counts less than the vendor claims.
ATTENTION_CAPS = frozenset(
    {"evidence_missing", "evidence_expired", "evidence_rejected", "invalid_value"}
)


class Show(StrEnum):
    """The review page's filters."""

    all = ""
    pending = "pending"
    attention = "attention"
    evidence = "evidence"
    changed = "changed"


SHOW_LABELS = {
    Show.all: "All answers",
    Show.pending: "Pending",
    Show.attention: "Needs attention",
    Show.evidence: "Has evidence",
    Show.changed: "Changed since the last round",
}


@dataclass(frozen=True)
class Glance:
    """What the counts and filters need of one reviewable question, from the sheet's summary:
    its verdict, files and the level the scoring model reads in its answer."""

    question: Question
    section_key: str
    verdict: ReviewState | None  # None: unanswered
    files: list[FileFacts]
    sent_back: bool  # the buyer asked about or rejected it, or rejected one of its files
    outcome: AnswerOutcome | None  # None: not scored, or unanswered

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def attention(self) -> bool:
        """Asked or rejected, a rejected file, a level the evidence does not carry, or a
        required question left unanswered."""
        if self.verdict is None:
            return self.question.required
        if self.sent_back:
            return True
        return self.outcome is not None and self.outcome.cap in ATTENTION_CAPS

    @property
    def pending_files(self) -> int:
        return sum(1 for f in self.files if f.status == ReviewState.pending)

    @property
    def eligible(self) -> bool:
        """A pending answer that needs nothing more: every file accepted (or none needed)."""
        return (
            self.verdict == ReviewState.pending
            and all(f.status == ReviewState.accepted for f in self.files)
            and not self.attention
        )

    def may_show(self, show: Show) -> bool:
        """Whether the filter can keep it (`changed` is decided on the full row)."""
        if show == Show.pending:
            return self.verdict == ReviewState.pending
        if show == Show.attention:
            return self.attention
        if show == Show.evidence:
            return bool(self.files)
        return True


@dataclass
class ReviewRow:
    """One item of the answered sheet as the analyst reviews it."""

    item: SheetItem
    section: Section
    glance: Glance
    changed: bool  # since the last clarification round (or the previous assessment)
    reworded: bool = False  # the question's wording changed since the previous assessment

    @property
    def question(self) -> Question:
        return self.item.question

    @property
    def outcome(self) -> AnswerOutcome | None:
        return self.glance.outcome

    @property
    def answer(self) -> Answer | None:
        return self.item.answer

    @property
    def files(self) -> list[SheetFile]:
        return self.item.files

    @property
    def previous(self) -> Answer | None:
        return self.item.previous

    @property
    def notes(self) -> Thread:
        return [t for t in self.item.thread if t[0].visibility == CommentVisibility.internal]

    @property
    def messages(self) -> Thread:
        return [t for t in self.item.thread if t[0].visibility == CommentVisibility.vendor]

    @property
    def state(self) -> str:
        return str(self.answer.review_state) if self.answer else "unanswered"

    @property
    def label(self) -> str:
        """The answer as the vendor chose it: option labels and level descriptors, never codes."""
        return self.item.display if self.answer else "—"

    @property
    def previous_label(self) -> str | None:
        return display_value(self.question, self.previous.value) if self.previous else None

    @property
    def token(self) -> str | None:
        """What a bulk action posts for this answer: its id and the version the analyst saw."""
        return f"{self.answer.id}:{self.answer.version}" if self.answer else None

    @property
    def files_accepted(self) -> bool:
        return all(f.status == ReviewState.accepted for f in self.files)

    @property
    def pending_files(self) -> list[SheetFile]:
        return [f for f in self.files if f.status == ReviewState.pending]

    @property
    def attention(self) -> bool:
        return self.glance.attention

    def shown_by(self, show: Show) -> bool:
        if show == Show.changed:
            return self.changed
        return self.glance.may_show(show)


@dataclass(frozen=True)
class SectionNav:
    key: str
    title: str
    total: int
    pending: int
    attention: int


@dataclass
class ReviewPage:
    sections: list[tuple[Section, list[ReviewRow]]]  # what is shown
    nav: list[SectionNav]
    section: str | None  # the section shown, None for every section
    show: Show
    round: Round
    counts: dict[str, int]
    eligible: int  # pending answers that "accept where files are accepted" would accept
    pending_files: int
    sheet: Sheet

    @property
    def rows(self) -> list[ReviewRow]:
        return [row for _, rows in self.sections for row in rows]


def outcome_of(
    question: Question,
    value: Any,
    verdict: ReviewState,
    files: list[FileFacts],
    *,
    today: date,
    spec: QuestionSpec | None = None,
) -> AnswerOutcome | None:
    """The scoring model's reading of one answer; None for unscored or unanswered questions.
    `spec`: the question's scoring spec when the caller has it (built from `question` if not)."""
    if value is None:
        return None
    spec = spec or question_spec(question)
    if spec is None:
        return None
    evidence = tuple(
        EvidenceInput(
            evidence_id=f.evidence_id,
            sha256=f.sha256,
            status=EVIDENCE_STATUS[str(f.status)],
            valid_until=f.valid_until,
            kind=f.kind,
        )
        for f in files
    )
    given = AnswerInput(
        question_key=question.key, value=value, review_state=str(verdict), evidence=evidence
    )
    return answer_outcome(spec, given, today)


def _changed(answer: Answer | None, previous: Answer | None, since: datetime | None) -> bool:
    """Changed since the last clarification round; in a first round, since the previous
    assessment (a new answer or another value)."""
    if answer is None:
        return False
    if since is not None:
        answered = answer.answered_at
        if answered.tzinfo is None and since.tzinfo is not None:
            since = since.replace(tzinfo=None)
        elif answered.tzinfo is not None and since.tzinfo is None:
            answered = answered.replace(tzinfo=None)
        return answered > since
    if answer.prefilled_from_id is not None:
        return False
    return previous is None or previous.value != answer.value


def _previous_wording(session: Session, assessment: Assessment) -> Compiled | None:
    """The previous assessment's questionnaire when it was another version (None otherwise)."""
    if assessment.previous_assessment_id is None:
        return None
    found = session.exec(
        select(Questionnaire.id, Questionnaire.content_hash)
        .join(Assessment, col(Assessment.questionnaire_id) == col(Questionnaire.id))
        .where(Assessment.id == assessment.previous_assessment_id)
    ).first()
    if found is None or found[0] == assessment.questionnaire_id:
        return None
    return pinned_questionnaire(session=session, questionnaire_id=found[0], content_hash=found[1])


def questionnaire_row(*, session: Session, questionnaire_id: int) -> Questionnaire:
    """The questionnaire's row without its definition: the parsed one is shared by content hash,
    and decoding the ~120 kB of JSON again would cost more than the rest of the row."""
    return session.exec(
        select(Questionnaire)
        .options(defer(Questionnaire.definition))  # type: ignore[arg-type]
        .where(Questionnaire.id == questionnaire_id)
    ).one()


def glances(*, session: Session, sheet: Sheet) -> list[Glance]:
    """Every shown (or answered) question of the sheet in order, read from its summary, with
    the level the scoring model reads in each answer."""
    row = questionnaire_row(session=session, questionnaire_id=sheet.assessment.questionnaire_id)
    specs = {spec.key: spec for spec in question_specs(row)}
    found = []
    for section in sheet.questionnaire.definition.sections:
        for question in section.questions:
            key = question.key
            if key not in sheet.visible and key not in sheet.values:
                continue
            verdict = sheet.verdicts.get(key)
            files = sheet.files.get(key, [])
            found.append(
                Glance(
                    question=question,
                    section_key=section.key,
                    verdict=verdict,
                    files=files,
                    sent_back=key in sheet.visible
                    and sent_back(verdict, (f.status for f in files)),
                    outcome=outcome_of(
                        question,
                        sheet.values[key],
                        verdict,
                        files,
                        today=sheet.today,
                        spec=specs[key],
                    )
                    if key in specs and verdict is not None
                    else None,
                )
            )
    return found


def review_rows(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User,
    today: date,
    only_key: str | None = None,
) -> list[ReviewRow]:
    """Every shown (or answered) question of the answered sheet in order (or the one
    `only_key`), with the viewer's threads, the level each answer contributes and whether it
    changed since the last round."""
    sheet = sheet_summary(session=session, assessment=assessment, today=today)
    seen = glances(session=session, sheet=sheet)
    if only_key is not None:
        seen = [g for g in seen if g.key == only_key]
    since = clarification_round(session=session, assessment=assessment).sent_at
    return _rows(session, sheet, seen, viewer, since)


def _rows(
    session: Session, sheet: Sheet, seen: list[Glance], viewer: User, since: datetime | None
) -> list[ReviewRow]:
    """Full rows for these glances: their items built from the sheet (one read for them all)."""
    fill_items(sheet, session=session, viewer=viewer, keys=[g.key for g in seen], previous=True)
    items = {item.key: item for item in sheet.items}
    sections = {s.key: s for s in sheet.questionnaire.definition.sections}
    before = _previous_wording(session, sheet.assessment) if seen else None
    return [
        ReviewRow(
            item=items[g.key],
            section=sections[g.section_key],
            glance=g,
            changed=_changed(items[g.key].answer, items[g.key].previous, since),
            reworded=before is not None
            and g.key in before.by_key
            and before.by_key[g.key].text != g.question.text,
        )
        for g in seen
    ]


def accept_eligible(row: ReviewRow) -> bool:
    """A pending answer that needs nothing more: every file accepted (or none needed)."""
    return row.answer is not None and row.glance.eligible


def review_page(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User,
    today: date,
    section: str | None,
    show: Show,
) -> ReviewPage:
    """The page: the section asked for (by default every section up to ALL_AT_ONCE answers, the
    first section beyond; every section when a filter is chosen or `section` is "all"), the rows
    the filter keeps, and the counts of every section."""
    sheet = sheet_summary(session=session, assessment=assessment, today=today)
    seen = glances(session=session, sheet=sheet)
    grouped: dict[str, list[Glance]] = {}
    for glance in seen:
        grouped.setdefault(glance.section_key, []).append(glance)
    titles = {s.key: s.title for s in sheet.questionnaire.definition.sections}
    nav = [
        SectionNav(
            key=key,
            title=titles[key],
            total=len(in_section),
            pending=sum(1 for g in in_section if g.verdict == ReviewState.pending),
            attention=sum(1 for g in in_section if g.attention),
        )
        for key, in_section in grouped.items()
    ]
    if section == "all" or (section is None and (show != Show.all or len(seen) <= ALL_AT_ONCE)):
        chosen = None
    elif section in grouped:
        chosen = section
    else:
        chosen = nav[0].key if nav else None
    wanted = [g for g in seen if (chosen is None or g.section_key == chosen) and g.may_show(show)]
    round_ = clarification_round(session=session, assessment=assessment)
    shown: dict[str, list[ReviewRow]] = {}
    for row in _rows(session, sheet, wanted, viewer, round_.sent_at):
        if row.shown_by(show):
            shown.setdefault(row.section.key, []).append(row)
    counts = {state.value: 0 for state in ReviewState}
    for glance in seen:
        if glance.verdict is not None:
            counts[str(glance.verdict)] += 1
    return ReviewPage(
        sections=[(rows[0].section, rows) for rows in shown.values()],
        nav=nav,
        section=chosen,
        show=show,
        round=round_,
        counts=counts,
        eligible=sum(1 for g in seen if g.eligible),
        pending_files=sum(g.pending_files for g in seen),
        sheet=sheet,
    )
