"""An assessment's answers inside one transaction: what was read of them, and the
compare-and-set that writes one answer so that two people saving it never overwrite each other.

A save given the version it expects to replace needs the value that version held (the audit
event's "before"). When this store read that version in this transaction the save skips
reading the row: a version names one value, and the compare-and-set refuses any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models import Answer, ReviewState


class AnswerConflict(Conflict):
    """Someone saved this answer after the caller loaded it; carries both values."""

    title = "Changed by someone else"

    def __init__(self, current: Answer, attempted: Any) -> None:
        super().__init__(
            "This answer was changed by someone else after you opened it. "
            "Choose which version to keep."
        )
        self.current = current
        self.attempted = attempted


@dataclass
class SavedAnswers:
    """Every saved answer of an assessment as plain columns: what visibility, progress and
    attention read, without loading the answer rows."""

    values: dict[str, Any] = field(default_factory=dict)  # by question key
    versions: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, ReviewState] = field(default_factory=dict)


class AnswerStore:
    def __init__(self, session: Session, assessment_id: int) -> None:
        self.session = session
        self.assessment_id = assessment_id
        self._read: dict[str, tuple[int, Any]] = {}  # key → (version, value) as read

    def read_all(self) -> SavedAnswers:
        """Every answer's value, version and verdict, in one statement (the sheet's summary
        reads them through here, so a save after it need not read its row again)."""
        saved = SavedAnswers()
        for key, value, version, verdict in self.session.exec(
            select(Answer.question_key, Answer.value, Answer.version, Answer.review_state).where(
                Answer.assessment_id == self.assessment_id
            )
        ):
            saved.values[key] = value
            saved.versions[key] = version
            saved.verdicts[key] = ReviewState(verdict)
            self._read[key] = (version, value)
        return saved

    def write(
        self,
        *,
        key: str,
        expected_version: int,
        value: Any,
        changes: dict[str, Any],
        new_answer: Callable[[], Answer],
    ) -> tuple[Answer, Any]:
        """Store `changes` if the answer is still at `expected_version` (0: a new answer, made
        by `new_answer`); (the saved row, the value it replaced). AnswerConflict if another
        save came first."""
        read = self._read.get(key)
        if expected_version != 0 and read is not None and read[0] == expected_version:
            saved = self._compare_and_set(key, expected_version, changes)
            if saved is None:
                raise AnswerConflict(self._current(key), value)
            return saved, read[1]
        existing = self.session.exec(
            select(Answer).where(
                Answer.assessment_id == self.assessment_id, Answer.question_key == key
            )
        ).first()
        if existing is None:
            if expected_version != 0:
                raise NotFound("That answer no longer exists; reload the page.")
            answer = new_answer()
            try:
                with self.session.begin_nested():
                    self.session.add(answer)
            except IntegrityError:
                raise AnswerConflict(self._current(key), value) from None
            return answer, None
        if existing.version != expected_version:
            raise AnswerConflict(existing, value)
        before = existing.value
        saved = self._compare_and_set(key, expected_version, changes)
        if saved is None:
            self.session.refresh(existing)
            raise AnswerConflict(existing, value)
        return saved, before

    def _compare_and_set(
        self, key: str, expected_version: int, changes: dict[str, Any]
    ) -> Answer | None:
        """Write `changes` if the answer is still at `expected_version`; None if another save
        came first. RETURNING refreshes a row already in the session in place."""
        return self.session.scalars(
            update(Answer)
            .where(
                col(Answer.assessment_id) == self.assessment_id,
                col(Answer.question_key) == key,
                col(Answer.version) == expected_version,
            )
            .values(**changes)
            .returning(Answer)
            .execution_options(populate_existing=True)
        ).first()

    def _current(self, key: str) -> Answer:
        """The answer as committed now (for a conflict's "theirs")."""
        current = self.session.exec(
            select(Answer)
            .where(Answer.assessment_id == self.assessment_id, Answer.question_key == key)
            .execution_options(populate_existing=True)
        ).first()
        if current is None:
            raise NotFound("That answer no longer exists; reload the page.")
        return current
