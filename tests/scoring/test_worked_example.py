"""The worked example in docs/scoring.md, number for number."""

from __future__ import annotations

import json

from app.scoring import Scorecard, compile_model, score_assessment
from tests.scoring.makers import (
    CONFIG,
    EXAMPLE_ANSWERS,
    EXAMPLE_PROFILE,
    EXAMPLE_QUESTIONS,
)


def _result() -> Scorecard:
    return score_assessment(EXAMPLE_QUESTIONS, EXAMPLE_ANSWERS, EXAMPLE_PROFILE, CONFIG)


def test_tier_and_target() -> None:
    result = _result()
    assert (result.inherent_tier, result.tier_points, result.target_maturity) == ("high", 8, 3)


def test_answer_levels_and_caps() -> None:
    outcomes = {o.question_key: o for c in _result().controls for o in c.contributions}
    seen = {
        k: (o.applicable, o.claimed_level, o.effective_level, o.verified_level, o.cap)
        for k, o in outcomes.items()
    }
    assert seen == {
        "ai_policy": (True, 4, 4, 4, None),
        "policy_review": (True, 3, 2, 0, "evidence_expired"),
        "monitoring": (True, 3, 2, 0, "evidence_missing"),
        "event_logs": (True, 1, 1, 1, None),
        "impact_assessment": (False, 0, 0, 0, None),
        "exit_plan": (True, 4, 0, 0, "answer_rejected"),
        "incident_assistance": (True, 4, 4, 4, None),
    }
    evidence = {
        e.evidence_id: (e.counted, e.reason) for e in outcomes["incident_assistance"].evidence
    }
    assert evidence == {"E4": (False, "rejected"), "E5": (True, "accepted")}


def test_controls() -> None:
    controls = {
        c.key: (c.claimed, c.level, c.verified, c.basis, c.critical) for c in _result().controls
    }
    assert controls == {
        "iso42001:A.2.2": (4.0, 4.0, 4.0, "evidence_accepted", False),
        "iso42001:A.2.4": (3.0, 2.0, 0.0, "self_attested", False),
        "iso42001:A.5.2": (None, None, None, "self_attested", False),
        "iso42001:A.6.2.6": (2.0, 1.5, 0.5, "self_attested", True),
        "iso42001:A.6.2.8": (1.0, 1.0, 1.0, "self_attested", True),
        "iso42001:5.2": (4.0, 4.0, 4.0, "evidence_accepted", False),
        "dora:Art. 30(2)(f)": (4.0, 4.0, 4.0, "evidence_accepted", False),
        "dora:Art. 30(3)(f)": (4.0, 0.0, 0.0, "self_attested", False),
        "dora:Art. 28(8)": (4.0, 0.0, 0.0, "self_attested", False),
        "ai_act:Art. 27": (None, None, None, "self_attested", False),
    }


def test_domains() -> None:
    scored = {
        d.key: (d.claimed, d.level, d.verified, d.critical)
        for d in _result().domains
        if d.level is not None
    }
    assert scored == {
        "iso42001:A.2": (3.5, 3.0, 2.0, False),
        "iso42001:A.6": (1.5, 1.25, 0.75, True),
        "iso42001:5": (4.0, 4.0, 4.0, False),
        "dora:contractual": (4.0, 2.0, 2.0, False),
        "dora:third_party_risk": (4.0, 0.0, 0.0, False),
    }


def test_overall_weakest_link_and_residual() -> None:
    result = _result()
    assert result.mean_maturity == 2.8
    assert result.overall_maturity == 2.3
    assert result.level_name == "Non-standard processes"
    assert result.weakest_critical_domain == "iso42001:A.6"
    assert result.weakest_link_applied is True
    assert result.claimed_maturity == 2.5
    assert result.verified_maturity == 1.8
    assert (result.residual_basis_maturity, result.residual_gap) == (0.0, 3.0)
    assert result.residual_risk == "critical"


def test_findings() -> None:
    result = _result()
    assert result.provisional is True  # some answers are still pending review
    findings = [(f.key, f.current_level, f.gap, f.severity) for f in result.findings]
    assert findings == [
        ("gap:iso42001:A.6", 1.25, 1.75, "high"),
        ("gap:dora:third_party_risk", 0.0, 3.0, "high"),
    ]
    a6 = result.findings[0]
    assert a6.title == "ISO/IEC 42001 A.6 AI system life cycle: maturity 1.3, target 3"
    assert a6.refs == {"iso42001": ["A.6.2.6", "A.6.2.8"]}
    assert a6.severity_reason == (
        "high because a major gap (1.75) at a high-tier vendor gives medium, one step more "
        "(high): critical control A.6.2.6 is below target"
    )
    assert result.residual_reason == "critical: maturity 0.00 against a target of 3 (high tier)"


def test_compiled_model_gives_the_same_result_and_survives_json() -> None:
    model = compile_model(EXAMPLE_QUESTIONS, CONFIG)
    result = score_assessment(model, EXAMPLE_ANSWERS, EXAMPLE_PROFILE, CONFIG)
    assert result == _result()
    assert Scorecard.from_json(json.loads(json.dumps(result.to_json()))) == result
