"""The explanation page's view of a stored score: each control with the answers and evidence
that set its level, in the questionnaire's words (question text, file names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import Evidence
from app.questionnaires.service import Compiled
from app.scoring import FRAMEWORK_LABELS, Scorecard
from app.scoring.result import AnswerOutcome, ControlScore, DomainScore, EvidenceNote

BASIS_LABELS = {
    "self_attested": "self-attested",
    "evidence_provided": "evidence provided",
    "evidence_accepted": "evidence accepted",
}


@dataclass(frozen=True)
class EvidenceLine:
    note: EvidenceNote
    filename: str


@dataclass(frozen=True)
class AnswerLine:
    outcome: AnswerOutcome
    question_text: str
    answer_text: str
    evidence: list[EvidenceLine]


@dataclass(frozen=True)
class ControlLine:
    control: ControlScore
    name: str
    answers: list[AnswerLine]

    @property
    def capped(self) -> bool:
        return any(a.outcome.cap for a in self.answers)


@dataclass(frozen=True)
class DomainLine:
    domain: DomainScore
    controls: list[ControlLine]


def _answer_text(questionnaire: Compiled, key: str, value: Any) -> str:
    if value is None:
        return "not answered"
    question = questionnaire.by_key.get(key)
    values = list(value) if isinstance(value, list | tuple) else [value]
    if question is not None and question.options:
        labels = {o.value: o.label for o in question.options}
        return "; ".join(labels.get(v, str(v)) for v in values)
    if question is not None and question.levels and isinstance(value, int):
        return f"{value} – {question.levels.get(value, '')}".rstrip(" –")
    return "; ".join(str(v) for v in values)


def explanation_view(
    *, session: Session, result: Scorecard | None, questionnaire: Compiled
) -> list[DomainLine]:
    """Domains in model order, each with its controls and their answers; one evidence query."""
    if result is None:
        return []
    ids = {e.evidence_id for c in result.controls for o in c.contributions for e in o.evidence}
    names = (
        {
            eid: name
            for eid, name in session.exec(
                select(Evidence.id, Evidence.filename).where(col(Evidence.id).in_(list(ids)))
            ).all()
        }
        if ids
        else {}
    )
    by_domain: dict[str, list[ControlLine]] = {}
    for control in result.controls:
        answers = [
            AnswerLine(
                outcome=o,
                question_text=(
                    q.text if (q := questionnaire.by_key.get(o.question_key)) else o.question_key
                ),
                answer_text=_answer_text(questionnaire, o.question_key, o.raw_value),
                evidence=[
                    EvidenceLine(e, names.get(e.evidence_id, f"#{e.evidence_id}"))
                    for e in o.evidence
                ],
            )
            for o in control.contributions
        ]
        name = f"{FRAMEWORK_LABELS.get(control.framework, control.framework)} {control.control_id}"
        if control.title:
            name += f" {control.title}"
        by_domain.setdefault(control.domain, []).append(ControlLine(control, name, answers))
    return [
        DomainLine(domain, by_domain.get(domain.key, []))
        for domain in result.domains
        if by_domain.get(domain.key)
    ]
