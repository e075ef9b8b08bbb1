"""Autosave from the assessment page: save one answer, then redraw only what the save changed.

The saved fragment shows the question's save state and evidence box, the cards that appeared or
disappeared with the answer, and progress. Rebuilding the page's whole view for that (every
answer row, file, thread and earlier answer) was most of a save's server time, spent while the
write was still open. So a save reads every answer's value once (visibility and progress need
them all) and the rows, files, threads and earlier answers only of the questions it redraws.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.answer_store import AnswerStore
from app.assessments.comments import comments_for
from app.assessments.service import Progress, SectionProgress, progress, save_answer
from app.errors import NotFound
from app.models import Answer, Assessment, User
from app.portal.service import (
    QuestionView,
    attached_evidence,
    evidence_required,
    is_editable,
    previous_answers,
    worth_offering,
)
from app.questionnaires.service import questionnaire_of


@dataclass
class SaveOutcome:
    answer: Answer
    values: dict[str, Any]  # every answer's value after the save
    visible: frozenset[str]  # the question keys shown after the save
    with_evidence: set[str]  # question keys whose answer has a file (a save changes none)
    appeared: list[str]  # question keys that became visible
    disappeared: list[str]  # question keys that became hidden


def save_from_page(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    key: str,
    raw_value: Any,
    expected_version: int,
    comment: str | None = None,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one answer and say which conditional questions appeared or disappeared with it."""
    questionnaire = questionnaire_of(session, assessment)
    store = AnswerStore(session, assessment.id)
    saved = store.read_all()
    before_values, with_evidence = saved.values, saved.with_evidence
    shows_or_hides = key in questionnaire.condition_keys
    before = questionnaire.visible_keys(before_values) if shows_or_hides else None
    answer = save_answer(
        session=session,
        actor=actor,
        assessment=assessment,
        key=key,
        raw_value=raw_value,
        expected_version=expected_version,
        comment=comment,
        ip=ip,
        store=store,
    )
    after_values = {**before_values, key: answer.value}
    after = questionnaire.visible_keys(after_values)
    if before is None:
        before = after
    return SaveOutcome(
        answer=answer,
        values=after_values,
        visible=after,
        with_evidence=with_evidence,
        appeared=[k for k in questionnaire.by_key if k in after and k not in before],
        disappeared=[k for k in questionnaire.by_key if k in before and k not in after],
    )


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
    questionnaire = questionnaire_of(session, assessment)
    key = outcome.answer.question_key
    values, visible = outcome.values, outcome.visible
    done = progress(questionnaire, values, outcome.with_evidence, visible)
    wanted = list(dict.fromkeys([key, *cards]))
    rows = {key: outcome.answer}
    if len(wanted) > 1:
        rows |= {
            a.question_key: a
            for a in session.exec(
                select(Answer).where(
                    Answer.assessment_id == assessment.id, col(Answer.question_key).in_(wanted)
                )
            )
        }
    with_files = [k for k in wanted if k in outcome.with_evidence]
    files = (
        attached_evidence(
            session=session, assessment_id=assessment.id, today=today, keys=with_files
        )
        if with_files
        else {}
    )
    editable = is_editable(assessment)
    offers = (
        previous_answers(session=session, user=user, assessment=assessment, keys=cards)
        if editable and cards
        else {}
    )
    views = {}
    for k in wanted:
        answer = rows.get(k)
        views[k] = QuestionView(
            question=questionnaire.by_key[k],
            section_key=questionnaire.section_by_key[k],
            visible=k in visible,
            answer=answer,
            evidence=files.get(k, []),
            comments=(
                comments_for(
                    session=session, assessment=assessment, viewer=user, question_key=k
                ).get(k, [])
                if k in cards
                else []
            ),
            previous=worth_offering(offers.get(k), answer),
            evidence_needed=evidence_required(questionnaire.by_key[k], values.get(k)),
        )
    return Redraw(
        assessment=assessment,
        progress=done,
        editable=editable,
        views=views,
    )
