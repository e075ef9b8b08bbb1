"""What the analyst's review page shows: each item of the answered sheet (`sheet.py`) with the
level its answer contributes (from the scoring model), whether it changed since the last round,
and the filters and section counts that make a hundred answers reviewable.

A fixed number of queries whatever the size of the questionnaire. The page shows one section, or
every section through a filter, so its size follows what the analyst asked to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session

from app.assessments.answers import display_value
from app.assessments.clarifications import Round, clarification_round
from app.assessments.sheet import SheetFile, SheetItem, answered_sheet
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
from app.questionnaires.service import compiled
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


@dataclass
class ReviewRow:
    """One item of the answered sheet as the analyst reviews it."""

    item: SheetItem
    section: Section
    outcome: AnswerOutcome | None  # None: not scored, or unanswered
    changed: bool  # since the last clarification round (or the previous assessment)
    reworded: bool = False  # the question's wording changed since the previous assessment

    @property
    def question(self) -> Question:
        return self.item.question

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
        """Asked or rejected, a rejected file, a level the evidence does not carry, or a
        required question left unanswered."""
        if self.answer is None:
            return self.question.required
        if self.item.needs_attention:
            return True
        return self.outcome is not None and self.outcome.cap in ATTENTION_CAPS

    def shown_by(self, show: Show) -> bool:
        if show == Show.pending:
            return self.answer is not None and self.answer.review_state == ReviewState.pending
        if show == Show.attention:
            return self.attention
        if show == Show.evidence:
            return bool(self.files)
        if show == Show.changed:
            return self.changed
        return True


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

    @property
    def rows(self) -> list[ReviewRow]:
        return [row for _, rows in self.sections for row in rows]


def outcome_of(
    question: Question,
    answer: Answer | None,
    files: list[SheetFile],
    *,
    today: date,
    spec: QuestionSpec | None = None,
) -> AnswerOutcome | None:
    """The scoring model's reading of one answer; None for unscored or unanswered questions.
    `spec`: the question's scoring spec when the caller has it (built from `question` if not)."""
    if answer is None or answer.value is None:
        return None
    spec = spec or question_spec(question)
    if spec is None:
        return None
    evidence = tuple(
        EvidenceInput(
            evidence_id=f.evidence.id,
            sha256=f.evidence.sha256,
            status=EVIDENCE_STATUS[str(f.status)],
            valid_until=f.evidence.valid_until,
            kind=f.evidence.kind,
        )
        for f in files
    )
    given = AnswerInput(
        question_key=question.key,
        value=answer.value,
        review_state=str(answer.review_state),
        evidence=evidence,
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


def _previous_wording(session: Session, assessment: Assessment) -> dict[str, str]:
    """The previous assessment's question texts by key ({} in a first assessment)."""
    if assessment.previous_assessment_id is None:
        return {}
    previous = session.get(Assessment, assessment.previous_assessment_id)
    if previous is None or previous.questionnaire_id == assessment.questionnaire_id:
        return {}
    row = session.get(Questionnaire, previous.questionnaire_id)
    return {k: q.text for k, q in compiled(row).by_key.items()} if row else {}


def review_rows(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User,
    today: date,
    only_key: str | None = None,
) -> list[ReviewRow]:
    """Every shown (or answered) question of the answered sheet in order, with the viewer's
    threads, the level each answer contributes and whether it changed since the last round."""
    sheet = answered_sheet(
        session=session,
        assessment=assessment,
        viewer=viewer,
        keys=[only_key] if only_key else None,
        today=today,
    )
    since = clarification_round(session=session, assessment=assessment).sent_at
    sections = {s.key: s for s in sheet.questionnaire.definition.sections}
    row = session.get(Questionnaire, assessment.questionnaire_id)
    specs = {spec.key: spec for spec in question_specs(row)} if row else {}
    before = _previous_wording(session, assessment)
    return [
        ReviewRow(
            item=item,
            section=sections[item.section_key],
            outcome=outcome_of(
                item.question, item.answer, item.files, today=today, spec=specs.get(item.key)
            )
            if item.key in specs
            else None,
            changed=_changed(item.answer, item.previous, since),
            reworded=item.key in before and before[item.key] != item.question.text,
        )
        for item in sheet.items
        if item.visible or item.answer is not None
    ]


def accept_eligible(row: ReviewRow) -> bool:
    """A pending answer that needs nothing more: every file accepted (or none needed)."""
    return (
        row.answer is not None
        and row.answer.review_state == ReviewState.pending
        and row.files_accepted
        and not row.attention
    )


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
    rows = review_rows(session=session, assessment=assessment, viewer=viewer, today=today)
    nav: list[SectionNav] = []
    grouped: dict[str, list[ReviewRow]] = {}
    for row in rows:
        grouped.setdefault(row.section.key, []).append(row)
    for key, in_section in grouped.items():
        nav.append(
            SectionNav(
                key=key,
                title=in_section[0].section.title,
                total=len(in_section),
                pending=sum(1 for r in in_section if r.state == ReviewState.pending),
                attention=sum(1 for r in in_section if r.attention),
            )
        )
    if section == "all" or (section is None and (show != Show.all or len(rows) <= ALL_AT_ONCE)):
        chosen = None
    elif section in grouped:
        chosen = section
    else:
        chosen = nav[0].key if nav else None
    shown = [
        (in_section[0].section, kept)
        for key, in_section in grouped.items()
        if chosen is None or key == chosen
        if (kept := [r for r in in_section if r.shown_by(show)])
    ]
    counts = {state.value: 0 for state in ReviewState}
    for row in rows:
        if row.answer is not None:
            counts[str(row.answer.review_state)] += 1
    return ReviewPage(
        sections=shown,
        nav=nav,
        section=chosen,
        show=show,
        round=clarification_round(session=session, assessment=assessment),
        counts=counts,
        eligible=sum(1 for r in rows if accept_eligible(r)),
        pending_files=sum(len(r.pending_files) for r in rows),
    )
