"""Sheet sections built in memory, for the PDF builders' tests (the receipt, the report): the
answered sheet's own classes, with the small test questionnaire's questions."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.assessments.sheet import SectionProgress, SheetFile, SheetItem, SheetSection
from app.models import Answer, Evidence, ReviewState
from app.questionnaires.loader import validate_definition
from app.questionnaires.schema import Question
from tests.factories import SMALL_QUESTIONNAIRE

SMALL = validate_definition(SMALL_QUESTIONNAIRE, "test")


def question(key: str, text: str | None = None) -> Question:
    """A question of the small questionnaire, its text replaced if given."""
    found = SMALL.question(key)
    return found.model_copy(update={"text": text}) if text is not None else found


def sheet_file(
    filename: str,
    sha256: str,
    *,
    status: ReviewState = ReviewState.pending,
    valid_until: date | None = None,
    validity: str | None = None,
    size: int = 1234,
) -> SheetFile:
    evidence = Evidence(
        vendor_id=1,
        sha256=sha256,
        filename=filename,
        size=size,
        media_type="application/pdf",
        storage_key=f"aa/{filename}",
        kind="policy",
        valid_until=valid_until,
    )
    return SheetFile(evidence, status, validity)


def sheet_item(
    asked: Question,
    value: Any = None,
    *,
    answered: bool = True,
    verdict: ReviewState = ReviewState.pending,
    reason: str | None = None,
    comment: str | None = None,
    files: list[SheetFile] | None = None,
) -> SheetItem:
    answer = (
        Answer(
            assessment_id=1,
            question_key=asked.key,
            value=value,
            comment=comment,
            review_state=verdict,
            review_reason=reason,
        )
        if answered
        else None
    )
    return SheetItem(asked, "gov", True, answer, files or [])


def sheet_section(title: str, items: list[SheetItem]) -> SheetSection:
    return SheetSection("gov", title, None, items, SectionProgress("gov", title))
