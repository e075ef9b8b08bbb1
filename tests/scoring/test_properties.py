"""Properties that must hold for any answers: bounds, monotonicity, determinism, round trip."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.models import DataSensitivity, Substitutability
from app.scoring import (
    AnswerInput,
    EvidenceInput,
    QuestionSpec,
    RiskProfile,
    Scorecard,
    compile_model,
)
from app.scoring.config import RATINGS
from tests.scoring.makers import AS_OF, CONFIG

CHOICES = {"none": 0, "some": 2, "documented": 3, "measured": 4, "best": 5}
PRACTICES = {"policy": 1, "owner": 1, "review": 2, "audit": 2}
QUESTIONS = [
    QuestionSpec("m1", {"iso42001": ["A.2.2", "5.2"]}, critical=True),
    QuestionSpec("m2", {"iso42001": ["A.2.2"]}, weight=2.5),
    QuestionSpec("m3", {"iso42001": ["A.6.2.6"], "dora": ["Art. 30(2)(c)"]}, max_level=4),
    QuestionSpec(
        "c1", {"iso42001": ["A.6.2.6", "A.7.4"]}, kind="single_choice", level_for_value=CHOICES
    ),
    QuestionSpec(
        "c2", {"iso42001": ["9.2"]}, kind="single_choice", level_for_value=CHOICES, critical=True
    ),
    QuestionSpec(
        "x1",
        {"iso42001": ["A.7.4"], "ai_act": ["Art. 10"]},
        kind="multi_choice",
        level_for_value=PRACTICES,
        evidence_required_from_level=4,
    ),
    QuestionSpec("y1", {"dora": ["Art. 28(8)", "Art. 30(3)(f)"]}, kind="yes_no_na", weight=0.5),
    QuestionSpec(
        "y2", {"iso42001": ["A.10.3"]}, kind="yes_no_na", evidence_required_from_level=None
    ),
]
MODEL = compile_model(QUESTIONS, CONFIG)
BY_KEY = {q.key: q for q in QUESTIONS}


def value_for(question: QuestionSpec) -> st.SearchStrategy:
    if question.kind == "maturity":
        return st.integers(0, question.max_level)
    if question.kind == "single_choice":
        return st.sampled_from(sorted(CHOICES))
    if question.kind == "multi_choice":
        return st.lists(st.sampled_from(sorted(PRACTICES)), unique=True).map(tuple)
    return st.sampled_from(["yes", "no", "na"])


evidence_items = st.builds(
    EvidenceInput,
    evidence_id=st.text("abcdef0123456789", min_size=1, max_size=6),
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    status=st.sampled_from(["provided", "accepted", "rejected"]),
    valid_until=st.none() | st.integers(-30, 30).map(lambda d: AS_OF + timedelta(days=d)),
)


@st.composite
def answer_sets(draw) -> dict[str, AnswerInput]:
    answers = {}
    for q in QUESTIONS:
        if draw(st.booleans()) and draw(st.booleans()):
            continue  # a quarter unanswered
        answers[q.key] = AnswerInput(
            q.key,
            draw(value_for(q)),
            draw(st.sampled_from(["pending", "accepted", "clarification", "rejected"])),
            tuple(draw(st.lists(evidence_items, max_size=3))),
        )
    return answers


profiles = st.builds(
    RiskProfile,
    supports_critical_function=st.booleans(),
    data_sensitivity=st.sampled_from(list(DataSensitivity)),
    ai_act_high_risk_use=st.booleans(),
    affects_natural_persons=st.booleans(),
    substitutability=st.sampled_from(list(Substitutability)),
    concentration_shared_providers=st.integers(0, 6),
    third_country_processing=st.booleans(),
)


def run(answers: dict[str, AnswerInput], profile: RiskProfile) -> Scorecard:
    return MODEL.score(tuple(answers.values()), profile)


def all_scores(result: Scorecard) -> dict[str, float]:
    """Every number that is a maturity, keyed so two results can be compared point by point."""
    scores = {
        "overall": result.overall_maturity,
        "mean": result.mean_maturity,
        "claimed": result.claimed_maturity,
        "verified": result.verified_maturity,
        "residual_basis": result.residual_basis_maturity,
    }
    for c in result.controls:
        if c.level is not None:
            scores |= {f"{c.key}/c": c.claimed, f"{c.key}/e": c.level, f"{c.key}/v": c.verified}
    for d in result.domains:
        if d.level is not None:
            scores |= {f"{d.key}/c": d.claimed, f"{d.key}/e": d.level, f"{d.key}/v": d.verified}
    return scores


@settings(deadline=None)  # timing varies with machine load; no timed assertions
@given(answer_sets(), profiles)
def test_scores_stay_between_0_and_5_and_claimed_bounds_effective_bounds_verified(answers, profile):
    result = run(answers, profile)
    assert all(0.0 <= v <= 5.0 for v in all_scores(result).values())
    assert result.claimed_maturity >= result.overall_maturity >= result.verified_maturity
    assert result.overall_maturity <= result.mean_maturity
    for c in result.controls:
        if c.level is not None:
            assert c.claimed >= c.level >= c.verified
    for f in result.findings:
        assert f.severity in RATINGS and f.severity_reason.startswith(f.severity)
        if f.current_level is not None:
            assert 0 < f.gap <= 5


@st.composite
def improvements(draw):
    """An answer set and the same set with one answer made strictly better (same review, evidence)."""
    answers = draw(answer_sets())
    q = draw(st.sampled_from(QUESTIONS))
    current = answers.get(q.key)
    value = current.value if current else None
    if q.kind == "maturity":
        low = -1 if value is None else value
        top = q.max_level
        better = top if low >= top else draw(st.integers(low + 1, top))
    elif q.kind == "single_choice":
        floor = -1 if value is None else CHOICES[value]
        options = [o for o, lv in CHOICES.items() if lv > floor] or ["best"]
        better = draw(st.sampled_from(sorted(options)))
    elif q.kind == "multi_choice":
        extra = draw(st.lists(st.sampled_from(sorted(PRACTICES)), min_size=1, unique=True))
        better = tuple(sorted(set(value or ()) | set(extra)))
    else:
        if value == "na":
            value = None  # "na" is not comparable with a level; start from unanswered
            answers.pop(q.key)
            current = None
        better = "yes" if value in (None, "no") else value
    if current is None:
        improved = AnswerInput(q.key, better, draw(st.sampled_from(["pending", "accepted"])))
    else:
        improved = AnswerInput(q.key, better, current.review_state, current.evidence)
    return answers, {**answers, q.key: improved}


@settings(deadline=None)  # timing varies with machine load; no timed assertions
@given(improvements(), profiles)
def test_a_better_answer_never_lowers_any_score(pair, profile):
    before, after = (run(answers, profile) for answers in pair)
    old, new = all_scores(before), all_scores(after)
    for key, value in old.items():
        assert new.get(key, value) >= value, key
    assert RATINGS.index(after.residual_risk) <= RATINGS.index(before.residual_risk)
    old_findings = {f.key: RATINGS.index(f.severity) for f in before.findings}
    for f in after.findings:
        if f.kind == "evidence":
            continue  # claiming a level whose only evidence was rejected is a gap of its own
        assert f.key in old_findings
        assert RATINGS.index(f.severity) <= old_findings[f.key]


@st.composite
def evidence_removals(draw):
    answers = draw(answer_sets())
    with_evidence = [a for a in answers.values() if a.evidence]
    if not with_evidence:
        return answers, answers
    answer = draw(st.sampled_from(with_evidence))
    drop = draw(st.integers(0, len(answer.evidence) - 1))
    kept = answer.evidence[:drop] + answer.evidence[drop + 1 :]
    return answers, {
        **answers,
        answer.question_key: AnswerInput(
            answer.question_key, answer.value, answer.review_state, kept
        ),
    }


@settings(deadline=None)  # timing varies with machine load; no timed assertions
@given(evidence_removals(), profiles)
def test_removing_evidence_never_raises_any_score(pair, profile):
    before, after = (run(answers, profile) for answers in pair)
    old, new = all_scores(before), all_scores(after)
    assert old.keys() == new.keys()
    for key, value in old.items():
        assert new[key] <= value, key
    assert before.claimed_maturity == after.claimed_maturity


@settings(deadline=None)  # timing varies with machine load; no timed assertions
@given(answer_sets(), profiles, st.randoms())
def test_same_inputs_give_the_same_result_whatever_the_answer_order(answers, profile, rnd):
    first = run(answers, profile)
    shuffled = list(answers.values())
    rnd.shuffle(shuffled)
    assert MODEL.score(tuple(shuffled), profile) == first
    assert compile_model(QUESTIONS, CONFIG).score(tuple(answers.values()), profile) == first


@settings(max_examples=50, deadline=None)
@given(answer_sets(), profiles)
def test_json_round_trip(answers, profile):
    result = run(answers, profile)
    text = json.dumps(result.to_json())
    assert Scorecard.from_json(json.loads(text)) == result
