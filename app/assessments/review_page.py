"""What the analyst's review page shows: each visible answer with its label, files, the level it
contributes (from the scoring model), its threads, and the filters and section counts that make a
hundred answers reviewable.

A fixed number of queries whatever the size of the questionnaire. The page shows one section, or
every section through a filter, so its size follows what the analyst asked to see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from app.assessments.answers import display_value
from app.assessments.clarifications import Round, clarification_round
from app.assessments.comments import comments_for
from app.assessments.service import answers_of
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    Comment,
    CommentVisibility,
    Evidence,
    ReviewState,
    User,
)
from app.questionnaires.schema import Question, Section
from app.questionnaires.service import Compiled, questionnaire_of
from app.scoring.adapter import EVIDENCE_STATUS, question_spec
from app.scoring.inputs import AnswerInput, EvidenceInput
from app.scoring.model import answer_outcome
from app.scoring.result import AnswerOutcome

Thread = list[tuple[Comment, User | None]]
Files = list[tuple[AnswerEvidence, Evidence]]

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
    section: Section
    question: Question
    answer: Answer | None
    files: Files
    previous: Answer | None
    outcome: AnswerOutcome | None  # None: not scored, or unanswered
    changed: bool  # since the last clarification round (or the previous assessment)
    notes: Thread = field(default_factory=list)  # internal
    messages: Thread = field(default_factory=list)  # with the vendor

    @property
    def state(self) -> str:
        return str(self.answer.review_state) if self.answer else "unanswered"

    @property
    def label(self) -> str:
        """The answer as the vendor chose it: option labels and level descriptors, never codes."""
        return display_value(self.question, self.answer.value) if self.answer else "—"

    @property
    def previous_label(self) -> str | None:
        return display_value(self.question, self.previous.value) if self.previous else None

    @property
    def token(self) -> str | None:
        """What a bulk action posts for this answer: its id and the version the analyst saw."""
        return f"{self.answer.id}:{self.answer.version}" if self.answer else None

    @property
    def files_accepted(self) -> bool:
        return all(link.review_state == ReviewState.accepted for link, _ in self.files)

    @property
    def pending_files(self) -> Files:
        return [(link, item) for link, item in self.files if link.review_state == "pending"]

    @property
    def attention(self) -> bool:
        """Asked or rejected, a rejected file, or a level the evidence does not carry."""
        if self.answer is None:
            return self.question.required
        if self.answer.review_state in (ReviewState.clarification, ReviewState.rejected):
            return True
        if any(link.review_state == ReviewState.rejected for link, _ in self.files):
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
    question: Question, answer: Answer | None, files: Files, *, today: date
) -> AnswerOutcome | None:
    """The scoring model's reading of one answer; None for unscored or unanswered questions."""
    spec = question_spec(question)
    if spec is None or answer is None or answer.value is None:
        return None
    evidence = tuple(
        EvidenceInput(
            evidence_id=item.id,
            sha256=item.sha256,
            status=EVIDENCE_STATUS[str(link.review_state)],
            valid_until=item.valid_until,
        )
        for link, item in files
    )
    given = AnswerInput(
        question_key=question.key,
        value=answer.value,
        review_state=str(answer.review_state),
        evidence=evidence,
    )
    return answer_outcome(spec, given, today)


def files_by_answer(*, session: Session, answer_ids: Iterable[int]) -> dict[int, Files]:
    """Each answer's files with the verdict given on them for that answer (one query)."""
    ids = list(answer_ids)
    found: dict[int, Files] = {}
    if not ids:
        return found
    rows = session.exec(
        select(AnswerEvidence, Evidence)
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .where(col(AnswerEvidence.answer_id).in_(ids))
        .order_by(col(Evidence.filename))
    ).all()
    for link, item in rows:
        found.setdefault(link.answer_id, []).append((link, item))
    return found


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


def review_rows(
    *,
    session: Session,
    assessment: Assessment,
    viewer: User,
    today: date,
    questionnaire: Compiled | None = None,
    only_key: str | None = None,
) -> list[ReviewRow]:
    """Every visible (or answered) question in order, as the viewer may see its threads."""
    questionnaire = questionnaire or questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    visible = questionnaire.visible_keys({k: a.value for k, a in answers.items()})
    previous = (
        answers_of(session=session, assessment_id=assessment.previous_assessment_id)
        if assessment.previous_assessment_id
        else {}
    )
    chosen = [answers[only_key]] if only_key in answers else []
    files = files_by_answer(
        session=session,
        answer_ids=[a.id for a in (chosen if only_key else answers.values())],
    )
    threads = comments_for(
        session=session, assessment=assessment, viewer=viewer, question_key=only_key
    )
    since = clarification_round(session=session, assessment=assessment).sent_at
    rows = []
    for section in questionnaire.definition.sections:
        for question in section.questions:
            if only_key is not None and question.key != only_key:
                continue
            answer = answers.get(question.key)
            if question.key not in visible and answer is None:
                continue
            attached = files.get(answer.id, []) if answer else []
            thread = threads.get(question.key, [])
            earlier = previous.get(question.key)
            rows.append(
                ReviewRow(
                    section=section,
                    question=question,
                    answer=answer,
                    files=attached,
                    previous=earlier,
                    outcome=outcome_of(question, answer, attached, today=today),
                    changed=_changed(answer, earlier, since),
                    notes=[t for t in thread if t[0].visibility == CommentVisibility.internal],
                    messages=[t for t in thread if t[0].visibility == CommentVisibility.vendor],
                )
            )
    return rows


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
    """The page: the section asked for (the first one by default; every section when a filter is
    chosen or `section` is "all"), the rows the filter keeps, and the counts of every section."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    rows = review_rows(
        session=session,
        assessment=assessment,
        viewer=viewer,
        today=today,
        questionnaire=questionnaire,
    )
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
    if section == "all" or (section is None and show != Show.all):
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
