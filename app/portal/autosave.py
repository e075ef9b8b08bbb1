"""Autosave from the assessment page: save one answer and say what the save changed.

The saved fragment shows the question's save state and evidence box, the cards that appeared or
disappeared with the answer, and progress. Rebuilding the page's whole view for that (every
answer row, file, thread and earlier answer) was most of a save's server time, spent while the
write was still open. So a save reads every answer's value once (visibility and progress need
them all), and `view.redraw` reads the rest only of the questions it redraws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.assessments.answer_store import AnswerStore
from app.assessments.context import buyer_facts
from app.assessments.service import OpenedAssessment, save_answer
from app.models import Answer, User
from app.questionnaires.conditions import with_context
from app.questionnaires.service import Compiled


@dataclass
class SaveOutcome:
    answer: Answer
    questionnaire: Compiled  # the assessment's, for the redraw
    values: dict[str, Any]  # every answer's value after the save
    visible: frozenset[str]  # the question keys shown after the save
    with_evidence: set[str]  # question keys whose answer has a file (a save changes none)
    appeared: list[str]  # question keys that became visible
    disappeared: list[str]  # question keys that became hidden


def save_from_page(
    *,
    session: Session,
    actor: User,
    opened: OpenedAssessment,
    key: str,
    raw_value: Any,
    expected_version: int,
    comment: str | None = None,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one answer and say which conditional questions appeared or disappeared with it.
    `opened` is locked (`open_assessment(..., for_update=True)`): the save reads nothing again."""
    questionnaire = opened.questionnaire
    store = AnswerStore(session, opened.assessment.id)
    saved = store.read_all()
    before_values, with_evidence = saved.values, saved.with_evidence
    shows_or_hides = key in questionnaire.condition_keys
    facts = buyer_facts(session=session, vendor_id=opened.assessment.vendor_id)
    before = (
        questionnaire.visible_keys(with_context(before_values, facts)) if shows_or_hides else None
    )
    answer = save_answer(
        session=session,
        actor=actor,
        assessment=opened,
        key=key,
        raw_value=raw_value,
        expected_version=expected_version,
        comment=comment,
        ip=ip,
        store=store,
    )
    after_values = {**before_values, key: answer.value}
    after = questionnaire.visible_keys(with_context(after_values, facts))
    if before is None:
        before = after
    return SaveOutcome(
        answer=answer,
        questionnaire=questionnaire,
        values=after_values,
        visible=after,
        with_evidence=with_evidence,
        appeared=[k for k in questionnaire.by_key if k in after and k not in before],
        disappeared=[k for k in questionnaire.by_key if k in before and k not in after],
    )
