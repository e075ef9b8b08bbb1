"""Autosave from the assessment page: save one answer and say which questions it showed or hid.

The route redraws the saved question's state and files, the cards that appeared or disappeared,
progress and the section list, from the answered sheet read after the save (`view.fragment_page`
with the few keys it redraws).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.assessments.answer_store import AnswerStore
from app.assessments.service import OpenedAssessment, save_answer
from app.models import Answer, User


@dataclass
class SaveOutcome:
    answer: Answer
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
    `opened` is locked (`open_assessment(..., for_update=True)`)."""
    questionnaire = opened.questionnaire
    store = AnswerStore(session, opened.assessment.id)
    values = store.read_all().values
    before = questionnaire.visible_keys(values)
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
    after = questionnaire.visible_keys({**values, key: answer.value})
    return SaveOutcome(
        answer=answer,
        appeared=[k for k in questionnaire.by_key if k in after and k not in before],
        disappeared=[k for k in questionnaire.by_key if k in before and k not in after],
    )
