"""Calibration: named vendor archetypes against the real library questionnaire come out as a
risk analyst expects (docs/scoring.md, Calibration)."""

from __future__ import annotations

from collections import Counter

from tests.scoring.archetypes import (
    AVERAGE,
    CLAIMED_FIVES,
    CLAIMED_FIVES_FITTING_FILES,
    CREDIT_SCORING_MINIMAL,
    MISSING_CONTINGENCY,
    STRONG,
    WEAK_CRITICAL,
    score,
)


def _severities(result) -> Counter:
    return Counter(f.severity for f in result.findings)


def test_strong_vendor_has_no_critical_or_high_finding_and_low_or_medium_residual() -> None:
    result = score(STRONG)
    assert result.provisional is False
    assert len(result.findings) <= 5
    assert not {"critical", "high"} & set(_severities(result))
    assert result.residual_risk in ("low", "medium")


def test_average_vendor_has_a_handful_of_medium_or_high_findings() -> None:
    result = score(AVERAGE)
    assert 2 <= len(result.findings) <= 9
    assert "critical" not in _severities(result)
    assert _severities(result)["medium"] + _severities(result)["high"] >= 2


def test_weak_critical_function_vendor_has_critical_findings() -> None:
    result = score(WEAK_CRITICAL)
    assert result.inherent_tier == "critical"
    assert _severities(result)["critical"] >= 1
    assert result.residual_risk == "critical"
    domain = next(f for f in result.findings if f.key == "gap:iso42001:A.6")
    assert domain.severity_reason.startswith("critical because the vendor is critical-tier")


def test_missing_contingency_clause_on_a_critical_function_contract_is_critical() -> None:
    result = score(MISSING_CONTINGENCY)
    finding = next(f for f in result.findings if f.key == "dora:Art. 30(3)(c)")
    assert finding.severity == "critical" and finding.kind == "clause"
    assert "missing from a contract supporting a critical or important function" in (
        finding.severity_reason
    )
    assert "HV-ICT-1: no (confirmed by our reviewer)" in finding.description
    assert result.residual_risk == "critical"  # the good maturity cannot average it away


def test_credit_scoring_the_vendor_calls_minimal_is_judged_high_risk_with_a_disagreement() -> None:
    result = score(CREDIT_SCORING_MINIMAL)
    keys = {f.key: f for f in result.findings}
    duties = keys["ai_act:high_risk:CreditLens"]  # one finding for the system, duties inside
    assert duties.severity == "critical" and duties.kind == "ai_duty"  # asked, unanswered
    assert duties.severity_reason.startswith(
        "critical because CreditLens is high-risk by our classification"
    )
    for article in ("Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 14", "Art. 15", "Art. 17"):
        assert article in duties.refs["ai_act"] and f"{article} " in duties.description
    assert not [k for k in keys if k.startswith("ai_act:Art.")]  # no finding per article
    disagreement = keys["ai_act:classification:CreditLens"]
    assert disagreement.kind == "classification" and disagreement.severity == "high"
    assert "we say high, vendor says minimal" in disagreement.title


def test_claimed_fives_with_arbitrary_files_stay_provisional_and_not_low() -> None:
    result = score(CLAIMED_FIVES)
    assert result.claimed_maturity == 5.0
    assert result.provisional is True
    assert result.residual_risk != "low"
    assert result.verified_maturity == 0.0
    notes = [e for c in result.controls for o in c.contributions for e in o.evidence]
    assert notes and all(e.reason == "wrong_kind" and not e.counted for e in notes)


def test_unreviewed_fitting_files_reaching_the_target_read_medium_provisional_not_low() -> None:
    result = score(CLAIMED_FIVES_FITTING_FILES)
    assert result.provisional is True
    assert result.overall_maturity == 3.0 and result.residual_gap == 0.0  # at the high target
    assert result.residual_risk == "medium"
    assert result.residual_reason.startswith("medium while provisional")
    assert "on the vendor's word it reads low" in result.residual_reason
