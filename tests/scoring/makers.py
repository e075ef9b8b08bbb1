"""Small builders for scoring tests, including the worked example from docs/scoring.md."""

from __future__ import annotations

from datetime import date

from app.scoring import (
    AnswerInput,
    EvidenceInput,
    QuestionSpec,
    RiskProfile,
    ScoringConfig,
)

AS_OF = date(2026, 6, 30)
CONFIG = ScoringConfig(as_of=AS_OF)
LOW_PROFILE = RiskProfile(data_sensitivity="none", substitutability="easy")  # tier low, target 1
HIGH_PROFILE = RiskProfile(supports_critical_function=True)  # tier high, target 3


def make_question(key: str = "q1", control: str = "A.6.2.6", **kwargs) -> QuestionSpec:
    kwargs.setdefault("refs", {"iso42001": [control]})
    return QuestionSpec(key=key, **kwargs)


def make_evidence(
    evidence_id: str = "e1",
    status: str = "provided",
    valid_until: date | None = None,
    kind: str | None = None,
) -> EvidenceInput:
    return EvidenceInput(evidence_id, f"{evidence_id:0>64}"[:64], status, valid_until, kind)


def make_answer(
    key: str = "q1", value: object = 3, review_state: str = "pending", evidence=()
) -> AnswerInput:
    return AnswerInput(key, value, review_state, tuple(evidence))


# The worked example in docs/scoring.md, section "Worked example".
EXAMPLE_PROFILE = RiskProfile(
    supports_critical_function=True,
    data_sensitivity="low",
    affects_natural_persons=True,
    substitutability="medium",
    concentration_shared_providers=1,
)
EXAMPLE_QUESTIONS = [
    QuestionSpec("ai_policy", {"iso42001": ["A.2.2", "5.2"]}, weight=2),
    QuestionSpec(
        "policy_review",
        {"iso42001": ["A.2.4"]},
        kind="single_choice",
        level_for_value={"never": 0, "ad_hoc": 1, "yearly": 3, "yearly_measured": 4},
    ),
    QuestionSpec("monitoring", {"iso42001": ["A.6.2.6"]}, critical=True),
    QuestionSpec("event_logs", {"iso42001": ["A.6.2.6", "A.6.2.8"]}, critical=True),
    QuestionSpec(
        "impact_assessment", {"iso42001": ["A.5.2"], "ai_act": ["Art. 27"]}, kind="yes_no_na"
    ),
    QuestionSpec("exit_plan", {"dora": ["Art. 30(3)(f)", "Art. 28(8)"]}),
    QuestionSpec(
        "incident_assistance",
        {"dora": ["Art. 30(2)(f)"]},
        kind="single_choice",
        level_for_value={"no": 0, "best_effort": 2, "contractual": 4},
    ),
]
EXAMPLE_ANSWERS = [
    AnswerInput(
        "ai_policy", 4, "accepted", (EvidenceInput("E1", "a" * 64, "accepted", date(2027, 1, 1)),)
    ),
    AnswerInput(
        "policy_review",
        "yearly",
        "pending",
        (EvidenceInput("E2", "b" * 64, "provided", date(2026, 1, 31)),),
    ),
    AnswerInput("monitoring", 3, "pending"),
    AnswerInput("event_logs", 1, "accepted"),
    AnswerInput("impact_assessment", "na", "pending"),
    AnswerInput("exit_plan", 4, "rejected", (EvidenceInput("E3", "c" * 64, "provided"),)),
    AnswerInput(
        "incident_assistance",
        "contractual",
        "accepted",
        (
            EvidenceInput("E4", "d" * 64, "rejected"),
            EvidenceInput("E5", "e" * 64, "accepted"),
        ),
    ),
]
