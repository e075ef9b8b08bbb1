"""Named vendor archetypes scored against the real library questionnaire: what a risk analyst
expects each to come out as (tests/scoring/test_calibration.py, docs/scoring.md calibration).

Pure: the questionnaire is loaded from the library, show_if applied and the model compiled, with
no database, so each archetype costs milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from app.questionnaires.conditions import visible_questions
from app.questionnaires.loader import load_all
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import LIBRARY_DIR
from app.scoring import (
    AISystemInput,
    AnswerInput,
    ClauseStatement,
    ContractInput,
    EvidenceInput,
    RiskProfile,
    Scorecard,
    ScoringConfig,
    compile_model,
)
from app.scoring.adapter import (
    BUYER_CLASSES_FACT,
    DECLARED_CLASSES_KEY,
    declared_classes,
    hidden_scored_keys,
    question_spec,
)

AS_OF = date(2026, 12, 1)
CONFIG = ScoringConfig(as_of=AS_OF)
# A provider of limited-risk AI to us, with an AI management system.
SCOPE = {
    "scope.iso_roles": ["ai_provider"],
    "scope.ai_act_roles": ["provider"],
    DECLARED_CLASSES_KEY: ["limited"],
}
CIF_HIGH = RiskProfile(supports_critical_function=True, data_sensitivity="medium")  # high tier
CIF_CRITICAL = RiskProfile(
    supports_critical_function=True,
    data_sensitivity="high",
    substitutability="highly_complex",
    ai_act_high_risk_use=True,
)  # critical tier
ORDINARY = RiskProfile(data_sensitivity="medium")  # medium tier


@dataclass(frozen=True)
class Archetype:
    name: str
    level: Callable[[Question, int], int]  # wanted level for the i-th scored question
    profile: RiskProfile
    reviewed: bool = True  # answers and right-kind evidence accepted
    file_kind: str | None = "right"  # "right": a kind the question asks for; None: no kind
    overrides: dict[str, Any] = field(default_factory=dict)
    contracts: tuple[ContractInput, ...] = ()
    ai_systems: tuple[AISystemInput, ...] = ()


@cache
def library():
    return next(d for d in load_all(LIBRARY_DIR) if d.key == "ai-governance-dora")


class _Compiled:
    """The little of questionnaires.service.Compiled that hidden_scored_keys reads."""

    def __init__(self, definition: Any) -> None:
        self.definition = definition


def _value_for(question: Question, level: int) -> Any:
    """An answer of about `level`: the level itself, or the option closest below or at it."""
    if question.type == QuestionType.maturity:
        return min(level, question.max_level or 5)
    leveled = [o for o in question.options if o.level is not None]
    if not leveled:
        return None
    if question.type == QuestionType.multi_choice:
        chosen, total = [], 0
        for option in sorted(leveled, key=lambda o: -o.level):
            if total + option.level <= level:
                chosen.append(option.value)
                total += option.level
        return chosen or [min(leveled, key=lambda o: o.level).value]
    at_or_above = [o for o in leveled if o.level >= level]
    if at_or_above:
        return min(at_or_above, key=lambda o: o.level).value
    return max(leveled, key=lambda o: o.level).value


def answers_for(archetype: Archetype) -> tuple[dict[str, Any], list[AnswerInput]]:
    definition = library()
    values: dict[str, Any] = dict(SCOPE)
    scored = [q for q in definition.questions() if q.scored]
    for index, question in enumerate(scored):
        if question.key not in values:
            values[question.key] = _value_for(question, archetype.level(question, index))
    values.update(archetype.overrides)
    buyer = sorted({s.buyer_class for s in archetype.ai_systems if s.buyer_class})
    facts = {**values, BUYER_CLASSES_FACT: buyer}
    hidden = hidden_scored_keys(_Compiled(definition), facts)  # type: ignore[arg-type]
    shown = {q.key for q in visible_questions(definition, facts)}
    inputs = []
    for n, question in enumerate(definition.questions()):
        value = values.get(question.key)
        if not question.scored or question.key in hidden or question.key not in shown:
            continue
        if value is None:
            continue
        evidence: tuple[EvidenceInput, ...] = ()
        if question.evidence is not None:
            kind = str(question.evidence.kinds[0]) if archetype.file_kind == "right" else None
            status = "accepted" if archetype.reviewed else "provided"
            evidence = (EvidenceInput(n, f"{n:064d}", status, None, kind),)
        state = "accepted" if archetype.reviewed else "pending"
        inputs.append(AnswerInput(question.key, value, state, evidence))
    return facts, inputs


def score(archetype: Archetype) -> Scorecard:
    facts, answers = answers_for(archetype)
    definition = library()
    hidden = hidden_scored_keys(_Compiled(definition), facts)  # type: ignore[arg-type]
    specs = [
        spec
        for q in definition.questions()
        if (spec := question_spec(q)) is not None and q.key not in hidden
    ]
    model = compile_model(specs, CONFIG)
    contracts = archetype.contracts or (
        ContractInput("C-1", archetype.profile.supports_critical_function),
    )
    return model.score(
        answers,
        archetype.profile,
        AS_OF,
        contracts=contracts,
        ai_systems=archetype.ai_systems,
        declared_classes=declared_classes(answers),
    )


def _alternate(low: int, high: int) -> Callable[[Question, int], int]:
    return lambda question, index: low if index % 2 else high


STRONG = Archetype("strong", _alternate(3, 4), CIF_HIGH)
AVERAGE = Archetype("average", lambda q, i: (1, 2, 2, 3)[i % 4], ORDINARY)
WEAK_CRITICAL = Archetype("weak critical-function", _alternate(0, 1), CIF_CRITICAL)
MISSING_CONTINGENCY = Archetype(
    "strong, contract lacks Art. 30(3)(c)",
    _alternate(3, 4),
    CIF_HIGH,
    contracts=(ContractInput("HV-ICT-1", True, (ClauseStatement("Art. 30(3)(c)", "yes", "no"),)),),
)
CREDIT_SCORING_MINIMAL = Archetype(
    "credit scoring the vendor calls minimal",
    _alternate(3, 4),
    CIF_CRITICAL,
    # The bank's "high" makes the high-risk duties show; the vendor, sure its system is minimal
    # risk, leaves them unanswered.
    overrides={
        DECLARED_CLASSES_KEY: ["minimal"],
        **dict.fromkeys(
            [
                "aiact.risk_management",
                "aiact.data_governance",
                "aiact.technical_documentation",
                "aiact.logging",
                "aiact.oversight_design",
                "aiact.accuracy_robustness",
                "aiact.qms",
            ]
        ),
    },
    ai_systems=(AISystemInput("CreditLens", ("minimal",), "high"),),
)
CLAIMED_FIVES = Archetype(
    "claimed 5s with arbitrary files", lambda q, i: 5, CIF_HIGH, reviewed=False, file_kind=None
)
# The same claims with files of the kinds asked for, still unreviewed: those files carry the
# answers to level 3, the high tier's target, so only the provisional floor keeps it off "low".
CLAIMED_FIVES_FITTING_FILES = Archetype(
    "claimed 5s with fitting files, unreviewed", lambda q, i: 5, CIF_HIGH, reviewed=False
)
