"""Which questions a respondent sees, given the answers so far (pure; shared by scoring and portal)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.questionnaires.schema import (
    CONTEXT_FACTS,
    All,
    AnyOf,
    Condition,
    Equals,
    In,
    Includes,
    Question,
    Questionnaire,
)


def _norm(value: object) -> str:
    """Compare answers as the portal stores them: form posts give "3" where YAML gave 3."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _holds(condition: Condition, answers: Mapping[str, object]) -> bool:
    if isinstance(condition, All):
        return all(_holds(inner, answers) for inner in condition.all)
    if isinstance(condition, AnyOf):
        return any(_holds(inner, answers) for inner in condition.any)
    answer = answers.get(condition.question)
    if answer is None:
        return False
    if isinstance(condition, Equals):
        return _norm(answer) == _norm(condition.equals)
    if isinstance(condition, In):
        return _norm(answer) in {_norm(v) for v in condition.in_}
    if isinstance(condition, Includes):
        if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            return False
        return _norm(condition.includes) in {_norm(v) for v in answer}
    raise TypeError(f"unknown condition {condition!r}")


def is_visible(question: Question, answers: Mapping[str, object]) -> bool:
    """Whether show_if holds for these answers; a question without show_if is always visible.

    An unanswered question satisfies no test. This looks only at the answers given: to ignore stale
    answers to questions that are themselves hidden, use `visible_questions`.
    """
    return question.show_if is None or _holds(question.show_if, answers)


def with_context(
    answers: Mapping[str, object], context: Mapping[str, object] | None
) -> dict[str, object]:
    """The answers plus the buyer's facts (`CONTEXT_FACTS`, e.g. the AI Act classes the buyer
    records on the vendor's AI systems), as show_if reads them. Unknown keys are ignored."""
    facts = {k: v for k, v in (context or {}).items() if k in CONTEXT_FACTS}
    return {**answers, **facts}


def visible_questions(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    context: Mapping[str, object] | None = None,
) -> list[Question]:
    """The questions shown for these answers and buyer's facts, in order.

    Hidden questions' answers are ignored, so a leftover answer cannot reveal what depends on it
    (conditions only point backwards, so one pass in file order settles everything). The
    buyer's facts come in `context` or already merged into `answers` (`with_context`); no
    question may carry a fact's key (`check_definition`).
    """
    merged = with_context(answers, context)
    shown: list[Question] = []
    effective: dict[str, object] = {k: merged[k] for k in CONTEXT_FACTS if k in merged}
    for question in questionnaire.questions():
        if is_visible(question, effective):
            shown.append(question)
            if question.key in merged:
                effective[question.key] = merged[question.key]
    return shown
