"""Database rows for scoring tests: the library questionnaire, answers and evidence as the
portal and the review would leave them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import Answer, AnswerEvidence, Assessment, Evidence, Questionnaire
from app.questionnaires.loader import load_all
from app.questionnaires.service import LIBRARY_DIR, publish


def library_questionnaire(session: Session) -> Questionnaire:
    """The published ai-governance-dora questionnaire (124 questions)."""
    definition = next(d for d in load_all(LIBRARY_DIR) if d.key == "ai-governance-dora")
    row, _ = publish(session=session, definition=definition)
    return row


def answer(
    session: Session,
    assessment: Assessment,
    key: str,
    value: Any,
    *,
    review_state: str = "pending",
    evidence: list[tuple[Evidence, str]] = (),  # type: ignore[assignment]
) -> Answer:
    """Store (or replace) an answer with evidence attached: (file, review state of the link)."""
    row = Answer(
        assessment_id=assessment.id, question_key=key, value=value, review_state=review_state
    )
    session.add(row)
    session.flush()
    for item, state in evidence:
        session.add(AnswerEvidence(answer_id=row.id, evidence_id=item.id, review_state=state))
    session.flush()
    return row
