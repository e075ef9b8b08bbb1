"""Autosave from the assessment page: save one answer and say which questions it showed or hid.

The sheet's summary is read once, before the save (under the assessment's lock), and brought up
to date with the saved answer without reading again: its visibility before and after says which
cards appeared or disappeared, and the route redraws the saved question's state and files, those
cards, progress and the section list from it (`view.fragment_page` with the few keys it redraws).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.assessments.answer_store import AnswerStore
from app.assessments.service import OpenedAssessment, save_answer
from app.assessments.sheet import Sheet, sheet_summary, with_saved_answer
from app.models import Answer, User


@dataclass
class SaveOutcome:
    answer: Answer
    appeared: list[str]  # question keys that became visible
    disappeared: list[str]  # question keys that became hidden
    sheet: Sheet  # the summary after the save, for the redraw


def save_from_page(
    *,
    session: Session,
    actor: User,
    opened: OpenedAssessment,
    key: str,
    raw_value: Any,
    expected_version: int,
    today: date,
    comment: str | None = None,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one answer and say which conditional questions appeared or disappeared with it.
    `opened` is locked (`open_assessment(..., for_update=True)`)."""
    questionnaire = opened.questionnaire
    store = AnswerStore(session, opened.assessment.id)
    before = sheet_summary(
        session=session,
        assessment=opened.assessment,
        questionnaire=questionnaire,
        today=today,
        store=store,
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
    after = with_saved_answer(before, answer)
    return SaveOutcome(
        answer=answer,
        appeared=[
            k for k in questionnaire.by_key if k in after.visible and k not in before.visible
        ],
        disappeared=[
            k for k in questionnaire.by_key if k in before.visible and k not in after.visible
        ],
        sheet=after,
    )
