"""One test (or a few) per scoring rule in docs/scoring.md."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.scoring import (
    AnswerInput,
    DomainSpec,
    QuestionSpec,
    RiskProfile,
    Scorecard,
    ScoringConfig,
    compile_model,
    control_title,
    inherent_tier,
    normalise_control_id,
    score_assessment,
)
from tests.scoring.makers import (
    AS_OF,
    CONFIG,
    HIGH_PROFILE,
    LOW_PROFILE,
    make_answer,
    make_evidence,
    make_question,
)


def score(questions, answers, profile=HIGH_PROFILE, config=CONFIG) -> Scorecard:
    return score_assessment(questions, answers, profile, config)


def outcome(result: Scorecard, key: str = "q1"):
    return next(o for c in result.controls for o in c.contributions if o.question_key == key)


# --- 1. answer → claimed level -------------------------------------------------------------


def test_maturity_value_is_the_level_clamped_to_max() -> None:
    q = make_question(max_level=4)
    assert outcome(score([q], [make_answer(value=2)])).claimed_level == 2
    assert outcome(score([q], [make_answer(value=9)])).claimed_level == 4
    assert outcome(score([q], [make_answer(value=-1)])).claimed_level == 0


def test_invalid_values_count_zero_with_a_reason() -> None:
    q = make_question()
    for bad in ("3", True, 2.5):
        o = outcome(score([q], [make_answer(value=bad)]))
        assert (o.claimed_level, o.effective_level, o.cap) == (0, 0, "invalid_value")
    choice = make_question(kind="single_choice", level_for_value={"a": 1, "b": 3})
    assert outcome(score([choice], [make_answer(value="zzz")])).cap == "invalid_value"


def test_single_choice_uses_the_option_level() -> None:
    q = make_question(kind="single_choice", level_for_value={"none": 0, "some": 2, "full": 5})
    assert outcome(score([q], [make_answer(value="some")])).claimed_level == 2


def test_yes_no_na_defaults_and_booleans() -> None:
    q = make_question(kind="yes_no_na")
    assert outcome(score([q], [make_answer(value="yes")])).claimed_level == 5
    assert outcome(score([q], [make_answer(value=True)])).claimed_level == 5
    assert outcome(score([q], [make_answer(value="no")])).claimed_level == 0
    assert outcome(score([q], [make_answer(value="na")])).applicable is False


def test_multi_choice_sums_distinct_options_up_to_max() -> None:
    levels = {"policy": 1, "owner": 1, "audit": 2, "na": None}
    q = make_question(kind="multi_choice", level_for_value=levels, max_level=3)
    assert outcome(score([q], [make_answer(value=["policy", "owner"])])).claimed_level == 2
    assert outcome(score([q], [make_answer(value=["policy", "policy"])])).claimed_level == 1
    assert outcome(score([q], [make_answer(value=["policy", "owner", "audit"])])).claimed_level == 3
    assert outcome(score([q], [make_answer(value=[])])).claimed_level == 0
    assert outcome(score([q], [make_answer(value=["na"])])).applicable is False
    assert outcome(score([q], [make_answer(value=["unknown"])])).cap == "invalid_value"


def test_unanswered_counts_zero_in_the_denominator() -> None:
    questions = [make_question("q1"), make_question("q2")]
    result = score(questions, [make_answer("q1", 2)])
    assert result.control("iso42001:A.6.2.6").level == 1.0
    assert outcome(result, "q2").cap == "unanswered"
    none_value = score(questions, [make_answer("q1", 2), make_answer("q2", None)])
    assert none_value.control("iso42001:A.6.2.6").level == 1.0


def test_not_applicable_answers_are_left_out() -> None:
    questions = [make_question("q1"), make_question("q2", kind="yes_no_na")]
    result = score(questions, [make_answer("q1", 2), make_answer("q2", "na")])
    assert result.control("iso42001:A.6.2.6").level == 2.0
    only_na = score([questions[1]], [make_answer("q2", "na")])
    control = only_na.control("iso42001:A.6.2.6")
    assert control.level is None
    assert only_na.domain("iso42001:A.6").level is None
    assert only_na.findings == ()


def test_other_question_kinds_do_not_score() -> None:
    text = make_question("notes", kind="text")
    result = score([text, make_question()], [make_answer("notes", "free text"), make_answer()])
    assert [c.question_key for c in result.controls[0].contributions] == ["q1"]


# --- 2. evidence caps, expiry, rejection, verified ------------------------------------------


def test_documented_level_without_evidence_counts_two() -> None:
    o = outcome(score([make_question()], [make_answer(value=4)]))
    assert (o.claimed_level, o.effective_level, o.cap) == (4, 2, "evidence_missing")


def test_level_below_threshold_needs_no_evidence() -> None:
    o = outcome(score([make_question()], [make_answer(value=2)]))
    assert (o.effective_level, o.cap) == (2, None)


def test_evidence_threshold_is_per_question() -> None:
    never = make_question(evidence_required_from_level=None)
    assert outcome(score([never], [make_answer(value=5)])).effective_level == 5
    from_four = make_question(evidence_required_from_level=4)
    assert outcome(score([from_four], [make_answer(value=3)])).effective_level == 3
    assert outcome(score([from_four], [make_answer(value=5)])).effective_level == 3


def test_provided_evidence_lifts_the_cap() -> None:
    o = outcome(score([make_question()], [make_answer(value=3, evidence=[make_evidence()])]))
    assert (o.effective_level, o.cap, o.basis) == (3, None, "evidence_provided")


def test_unreviewed_evidence_supports_at_most_level_three() -> None:
    o = outcome(score([make_question()], [make_answer(value=5, evidence=[make_evidence()])]))
    assert (o.claimed_level, o.effective_level, o.cap) == (5, 3, "evidence_unreviewed")
    accepted = make_evidence(status="accepted")
    o = outcome(score([make_question()], [make_answer(value=5, evidence=[accepted])]))
    assert (o.effective_level, o.cap) == (5, None)


def test_evidence_of_a_kind_the_question_does_not_ask_for_is_ignored_and_says_why() -> None:
    q = make_question(evidence_kinds=("certificate",))
    screenshot = make_evidence(status="accepted", kind="record")
    o = outcome(score([q], [make_answer(value=4, review_state="accepted", evidence=[screenshot])]))
    assert (o.effective_level, o.verified_level, o.cap) == (2, 2, "evidence_wrong_kind")
    assert (o.evidence[0].counted, o.evidence[0].reason, o.evidence[0].kind) == (
        False,
        "wrong_kind",
        "record",
    )
    certificate = make_evidence(status="accepted", kind="certificate")
    o = outcome(score([q], [make_answer(value=4, review_state="accepted", evidence=[certificate])]))
    assert (o.effective_level, o.verified_level, o.cap) == (4, 4, None)


def test_rejected_evidence_counts_as_absent() -> None:
    ev = make_evidence(status="rejected")
    o = outcome(score([make_question()], [make_answer(value=4, evidence=[ev])]))
    assert (o.effective_level, o.cap, o.basis) == (2, "evidence_rejected", "self_attested")
    assert o.evidence[0].counted is False


def test_expired_evidence_counts_as_absent_but_valid_on_the_day_counts() -> None:
    expired = make_evidence(status="accepted", valid_until=AS_OF - timedelta(days=1))
    o = outcome(score([make_question()], [make_answer(value=3, evidence=[expired])]))
    assert (o.effective_level, o.cap) == (2, "evidence_expired")
    assert o.evidence[0].reason == "expired"
    today = make_evidence(valid_until=AS_OF)
    assert outcome(score([make_question()], [make_answer(value=3, evidence=[today])])).cap is None


def test_expiry_is_judged_on_config_as_of() -> None:
    ev = make_evidence(valid_until=date(2026, 1, 1))
    answers = [make_answer(value=3, evidence=[ev])]
    before = score([make_question()], answers, config=replace(CONFIG, as_of=date(2025, 12, 31)))
    after = score([make_question()], answers, config=replace(CONFIG, as_of=date(2026, 1, 2)))
    assert outcome(before).effective_level == 3
    assert outcome(after).effective_level == 2


def test_rejected_answer_counts_zero_even_with_evidence() -> None:
    ev = make_evidence(status="accepted")
    o = outcome(
        score([make_question()], [make_answer(value=5, review_state="rejected", evidence=[ev])])
    )
    assert (o.claimed_level, o.effective_level, o.verified_level, o.cap) == (
        5,
        0,
        0,
        "answer_rejected",
    )


def test_rejected_not_applicable_answer_counts_as_zero() -> None:
    q = make_question(kind="yes_no_na")
    result = score([q], [make_answer(value="na", review_state="rejected")])
    assert result.control("iso42001:A.6.2.6").level == 0.0


def test_verified_needs_an_accepted_answer() -> None:
    ev = make_evidence(status="accepted")
    for state in ("pending", "clarification"):
        o = outcome(
            score([make_question()], [make_answer(value=4, review_state=state, evidence=[ev])])
        )
        assert (o.effective_level, o.verified_level, o.verified_cap) == (4, 0, "not_accepted")


def test_verified_needs_accepted_evidence_from_the_threshold() -> None:
    provided = make_evidence(status="provided")
    o = outcome(
        score(
            [make_question()], [make_answer(value=4, review_state="accepted", evidence=[provided])]
        )
    )
    assert (o.effective_level, o.verified_level, o.verified_cap) == (3, 2, "evidence_not_accepted")
    assert o.basis == "evidence_provided"
    accepted = make_evidence(status="accepted")
    o = outcome(
        score(
            [make_question()], [make_answer(value=4, review_state="accepted", evidence=[accepted])]
        )
    )
    assert (o.verified_level, o.basis) == (4, "evidence_accepted")


def test_accepted_answer_below_threshold_is_verified_without_evidence() -> None:
    o = outcome(score([make_question()], [make_answer(value=2, review_state="accepted")]))
    assert (o.verified_level, o.basis) == (2, "self_attested")


def test_claimed_ignores_caps_and_review() -> None:
    questions = [make_question("q1"), make_question("q2")]
    answers = [make_answer("q1", 5, "rejected"), make_answer("q2", 4)]
    control = score(questions, answers).control("iso42001:A.6.2.6")
    assert (control.claimed, control.level, control.verified) == (4.5, 1.0, 0.0)


# --- 3. basis ------------------------------------------------------------------------------


def test_control_basis_is_the_weakest_contributing_answer() -> None:
    accepted = make_evidence("e1", status="accepted")
    questions = [make_question("q1"), make_question("q2"), make_question("q3")]
    both_accepted = [
        make_answer("q1", 4, "accepted", [accepted]),
        make_answer("q2", 3, "accepted", [make_evidence("e2", status="accepted")]),
    ]
    result = score(questions, both_accepted)  # q3 unanswered: contributes nothing
    assert result.control("iso42001:A.6.2.6").basis == "evidence_accepted"
    mixed = [*both_accepted, make_answer("q3", 1)]
    assert score(questions, mixed).control("iso42001:A.6.2.6").basis == "self_attested"
    nothing = score(questions, [])
    assert nothing.control("iso42001:A.6.2.6").basis == "self_attested"


# --- 4/5. control and domain maturity -------------------------------------------------------


def test_control_level_is_the_weighted_mean_and_questions_count_for_every_ref() -> None:
    questions = [
        make_question("q1", refs={"iso42001": ["A.6.2.6", "A.6.2.8"]}, weight=3),
        make_question("q2", weight=1),
    ]
    result = score(questions, [make_answer("q1", 2), make_answer("q2", 0)])
    assert result.control("iso42001:A.6.2.6").level == 1.5  # (3*2 + 1*0) / 4
    assert result.control("iso42001:A.6.2.8").level == 2.0


def test_domain_level_is_the_weighted_mean_of_its_controls() -> None:
    questions = [make_question("q1", "A.6.2.6"), make_question("q2", "A.6.1.2")]
    answers = [make_answer("q1", 2), make_answer("q2", 1)]
    assert score(questions, answers).domain("iso42001:A.6").level == 1.5
    weighted = replace(CONFIG, control_weights={"iso42001:A.6.2.6": 3.0})
    assert score(questions, answers, config=weighted).domain("iso42001:A.6").level == 1.75


def test_controls_go_to_the_right_domain() -> None:
    refs = {
        "iso42001": ["A.10.3", "A.1.9", "9.2.1", "10.2", "3.1"],
        "dora": ["Art. 30(2)(c)", "Art. 29(1)", "Art. 6"],
        "ai_act": ["Art. 14"],
    }
    result = score([make_question(refs=refs)], [make_answer(value=2)])
    assert {c.key: c.domain for c in result.controls} == {
        "iso42001:A.10.3": "iso42001:A.10",
        "iso42001:9.2.1": "iso42001:9",
        "iso42001:10.2": "iso42001:10",
        "dora:Art. 30(2)(c)": "dora:contractual",
        "dora:Art. 29(1)": "dora:third_party_risk",
        "ai_act:Art. 14": "ai_act:high_risk",
    }
    assert any("iso42001:A.1.9" in w for w in result.warnings)
    assert any("dora:Art. 6" in w for w in result.warnings)


def test_control_ids_are_normalised() -> None:
    assert normalise_control_id("dora", "Art.30(2)(c)") == "Art. 30(2)(c)"
    assert normalise_control_id("dora", "Article  28(8)") == "Art. 28(8)"
    assert normalise_control_id("iso42001", "a.6.2.6") == "A.6.2.6"
    assert normalise_control_id("iso42001", "Clause 9.2") == "9.2"
    assert control_title("dora", "Art. 30(3)(f)(i)") == "Exit strategies and transition period"
    assert control_title("iso42001", "9.2.2") == "Internal audit"


def test_controls_are_in_domain_then_natural_order() -> None:
    refs = {"iso42001": ["A.6.2.10", "A.6.2.9", "A.2.2", "4.1"]}
    result = score([make_question(refs=refs)], [make_answer(value=1)])
    assert [c.control_id for c in result.controls] == ["A.2.2", "A.6.2.9", "A.6.2.10", "4.1"]


# --- 6. overall and weakest link ------------------------------------------------------------


def _overall_case(critical: bool) -> Scorecard:
    questions = [
        make_question("strong1", "A.2.2"),
        make_question("strong2", "A.3.2"),
        make_question("weak", "A.7.4", critical=critical),
    ]
    ev = [make_evidence(status="accepted")]
    answers = [
        make_answer("strong1", 5, evidence=ev),
        make_answer("strong2", 5, evidence=ev),
        make_answer("weak", 1),
    ]
    return score(questions, answers)


def test_overall_is_the_weighted_mean_of_iso_domains_when_no_domain_is_critical() -> None:
    result = _overall_case(critical=False)
    assert (result.mean_maturity, result.overall_maturity) == (3.7, 3.7)
    assert result.weakest_link_applied is False
    assert result.level_name == "Documented and communicated"


def test_weakest_critical_domain_caps_overall_at_one_level_above_it() -> None:
    result = _overall_case(critical=True)
    assert result.mean_maturity == 3.7
    assert result.overall_maturity == 2.0
    assert result.weakest_critical_domain == "iso42001:A.7"
    assert result.weakest_link_applied is True
    assert result.level_name == "Non-standard processes"


def test_domain_weights_and_non_iso_domains_in_overall() -> None:
    questions = [make_question("a", "A.2.2"), make_question("b", "A.3.2")]
    questions.append(make_question("dora", refs={"dora": ["Art. 30(2)(a)"]}))
    answers = [make_answer("a", 2), make_answer("b", 1), make_answer("dora", 0)]
    assert score(questions, answers).overall_maturity == 1.5  # DORA is not part of the AIMS
    domains = tuple(
        replace(d, weight=3.0) if d.key == "iso42001:A.2" else d for d in CONFIG.domains
    )
    weighted = replace(CONFIG, domains=domains)
    assert score(questions, answers, config=weighted).overall_maturity == 1.8  # 7/4 half-up


def test_no_iso_domain_means_zero_overall() -> None:
    q = make_question(refs={"dora": ["Art. 30(2)(a)"]})
    result = score([q], [make_answer(value=2)])
    assert (result.overall_maturity, result.level_name) == (0.0, "No process")


# --- 7. inherent tier -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "tier", "points"),
    [
        (RiskProfile(data_sensitivity="none", substitutability="easy"), "low", 0),
        (RiskProfile(), "low", 2),
        (RiskProfile(data_sensitivity="medium"), "medium", 3),
        (
            RiskProfile(
                data_sensitivity="high",
                affects_natural_persons=True,
                substitutability="highly_complex",
            ),
            "high",
            6,
        ),
        (
            RiskProfile(
                supports_critical_function=True, data_sensitivity="none", substitutability="easy"
            ),
            "high",
            4,
        ),
        (
            RiskProfile(
                ai_act_high_risk_use=True, data_sensitivity="none", substitutability="easy"
            ),
            "high",
            3,
        ),
        (
            RiskProfile(
                supports_critical_function=True,
                data_sensitivity="medium",
                substitutability="highly_complex",
                concentration_shared_providers=1,
            ),
            "critical",
            9,
        ),
        (
            RiskProfile(
                supports_critical_function=True,
                data_sensitivity="high",
                ai_act_high_risk_use=True,
                affects_natural_persons=True,
                substitutability="not_substitutable",
                concentration_shared_providers=5,
                third_country_processing=True,
            ),
            "critical",
            17,
        ),
    ],
)
def test_inherent_tier_points(profile: RiskProfile, tier: str, points: int) -> None:
    assessed = inherent_tier(profile)
    assert (assessed.tier, assessed.points) == (tier, points)


def test_concentration_points_step_at_one_and_three() -> None:
    points = [
        inherent_tier(RiskProfile(concentration_shared_providers=n)).points for n in (0, 1, 2, 3, 9)
    ]
    assert points == [2, 3, 3, 4, 4]


def test_floor_is_explained() -> None:
    profile = RiskProfile(
        supports_critical_function=True, data_sensitivity="none", substitutability="easy"
    )
    reasons = inherent_tier(profile).reasons
    assert reasons[0] == "+4 supports a critical or important function (DORA)"
    assert reasons[-1] == "raised from medium to high: critical or important function"


# --- 8. target and residual ------------------------------------------------------------------


def test_target_follows_the_tier() -> None:
    q, a = [make_question()], [make_answer(value=2)]
    assert score(q, a, profile=LOW_PROFILE).target_maturity == 1
    assert score(q, a, profile=HIGH_PROFILE).target_maturity == 3
    critical = RiskProfile(
        supports_critical_function=True, data_sensitivity="high", substitutability="highly_complex"
    )
    assert score(q, a, profile=critical).target_maturity == 4


@pytest.mark.parametrize(
    ("level", "profile", "residual"),
    [
        (2, HIGH_PROFILE, "medium"),  # gap 1 minor
        (3, HIGH_PROFILE, "low"),  # no gap
        (1, HIGH_PROFILE, "high"),  # gap 2 major
        (0, HIGH_PROFILE, "critical"),  # gap 3 severe
        (0, LOW_PROFILE, "low"),  # gap 1 minor, low tier
    ],
)
def test_residual_matrix(level: int, profile: RiskProfile, residual: str) -> None:
    q = make_question(evidence_required_from_level=None)
    result = score([q], [make_answer(value=level, review_state="accepted")], profile=profile)
    assert result.provisional is False
    assert result.residual_risk == residual


@pytest.mark.parametrize(
    ("level", "profile", "residual"),
    [
        (3, HIGH_PROFILE, "medium"),  # no gap: low reviewed, medium while provisional
        (0, LOW_PROFILE, "medium"),  # low tier: low reviewed, medium while provisional
        (2, HIGH_PROFILE, "medium"),  # the matrix says medium already
        (1, HIGH_PROFILE, "high"),  # above the floor: unchanged
    ],
)
def test_a_provisional_residual_risk_is_never_low(
    level: int, profile: RiskProfile, residual: str
) -> None:
    q = make_question(evidence_required_from_level=None)
    result = score([q], [make_answer(value=level)], profile=profile)
    assert result.provisional is True
    assert result.residual_risk == residual
    floored = result.residual_reason.startswith("medium while provisional")
    assert floored == (level == 3 or profile is LOW_PROFILE)


def test_critical_tier_never_below_medium_residual() -> None:
    critical = RiskProfile(
        supports_critical_function=True, data_sensitivity="high", substitutability="highly_complex"
    )
    q = make_question(evidence_required_from_level=None)
    assert score([q], [make_answer(value=5)], profile=critical).residual_risk == "medium"


def test_weak_dora_domain_drives_residual() -> None:
    questions = [
        make_question("iso", evidence_required_from_level=None),
        make_question("dora", refs={"dora": ["Art. 28(8)"]}),
    ]
    result = score(questions, [make_answer("iso", 5), make_answer("dora", 0)])
    assert result.overall_maturity == 5.0
    assert (result.residual_basis_maturity, result.residual_risk) == (0.0, "critical")


def test_custom_residual_matrix_is_used() -> None:
    matrix = {
        t: dict.fromkeys(("none", "minor", "major", "severe"), "high")
        for t in ("critical", "high", "medium", "low")
    }
    config = replace(CONFIG, residual_matrix=matrix)
    q = make_question(evidence_required_from_level=None)
    assert score([q], [make_answer(value=5)], config=config).residual_risk == "high"


# --- 9. findings -----------------------------------------------------------------------------


def test_one_finding_per_domain_below_target_listing_its_weak_controls() -> None:
    questions = [
        make_question("q1", refs={"iso42001": ["A.6.2.6", "A.6.2.8"]}),
        make_question("q2", "A.6.1.2", evidence_required_from_level=None),
        make_question("q3", "A.2.2", evidence_required_from_level=None),
    ]
    answers = [make_answer("q1", 1), make_answer("q2", 3), make_answer("q3", 3)]
    result = score(questions, answers)
    assert [f.key for f in result.findings] == ["gap:iso42001:A.6"]
    finding = result.findings[0]
    assert finding.kind == "domain"
    assert finding.refs == {"iso42001": ["A.6.2.6", "A.6.2.8"]}
    assert finding.question_keys == ("q1",)
    assert (finding.current_level, finding.target_level, finding.gap) == (1.67, 3, 1.33)
    assert finding.title == "ISO/IEC 42001 A.6 AI system life cycle: maturity 1.7, target 3"
    assert "A.6.2.6 AI system operation and monitoring at 1.00" in finding.description
    assert "A.6.1.2" not in finding.description  # at target: not a weak control


def test_finding_keys_are_stable_across_rescoring() -> None:
    q = [make_question(evidence_required_from_level=None)]
    first = score(q, [make_answer(value=0)])
    second = score(q, [make_answer(value=2)])
    assert [f.key for f in first.findings] == [f.key for f in second.findings]
    assert first.findings[0].severity != second.findings[0].severity
    assert score(q, [make_answer(value=3)]).findings == ()


def test_domain_severity_from_tier_gap_and_criticality_critical_only_at_critical_tier() -> None:
    critical_tier = RiskProfile(
        supports_critical_function=True, data_sensitivity="high", substitutability="highly_complex"
    )

    def finding(level: int, critical: bool, profile=HIGH_PROFILE):
        q = make_question(critical=critical, evidence_required_from_level=None)
        return score([q], [make_answer(value=level)], profile=profile).findings[0]

    assert [finding(lv, False).severity for lv in (2, 1, 0)] == ["medium", "medium", "high"]
    assert [finding(lv, True).severity for lv in (2, 1, 0)] == ["high", "high", "high"]
    assert finding(2, True).severity_reason == (
        "high because a minor gap (1.00) at a high-tier vendor gives medium, one step more "
        "(high): critical control A.6.2.6 is below target"
    )
    assert "capped at high" in finding(2, True, critical_tier).severity_reason
    assert finding(0, False, LOW_PROFILE).severity == "low"
    at_one = finding(1, False, critical_tier)
    assert at_one.severity == "critical"
    assert at_one.severity_reason.startswith("critical because the vendor is critical-tier")
    assert finding(2, False, critical_tier).severity == "high"


# --- 10. serialisation, determinism, validation ------------------------------------------------


def test_json_round_trip_with_evidence_dates_and_list_values() -> None:
    levels = {"a": 1, "b": 2}
    questions = [
        make_question("q1"),
        make_question("q2", kind="multi_choice", level_for_value=levels),
    ]
    ev = make_evidence(status="accepted", valid_until=date(2027, 3, 1))
    answers = [make_answer("q1", 4, "accepted", [ev]), make_answer("q2", ["a", "b"])]
    result = score(questions, answers)
    data = json.loads(json.dumps(result.to_json()))
    assert data["controls"][0]["contributions"][0]["evidence"][0]["valid_until"] == "2027-03-01"
    assert Scorecard.from_json(data) == result


def test_answer_order_does_not_matter() -> None:
    questions = [make_question("q1"), make_question("q2", "A.2.2")]
    answers = [make_answer("q1", 3), make_answer("q2", 1)]
    assert score(questions, answers) == score(questions, list(reversed(answers)))


def test_answers_to_unknown_questions_are_reported() -> None:
    result = score([make_question()], [make_answer("q1", 1), make_answer("ghost", 3)])
    assert result.warnings == ("answer to 'ghost' ignored: not a scored question",)


def test_two_answers_to_one_question_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one answer"):
        score([make_question()], [make_answer(value=1), make_answer(value=2)])


def test_compiled_model_refuses_a_different_config() -> None:
    model = compile_model([make_question()], CONFIG)
    other = replace(CONFIG, target_by_tier={"critical": 5, "high": 3, "medium": 2, "low": 1})
    with pytest.raises(ValueError, match="different scoring config"):
        score_assessment(model, [], HIGH_PROFILE, other)
    later = replace(CONFIG, as_of=date(2030, 1, 1))
    assert score_assessment(model, [], HIGH_PROFILE, later).as_of == date(2030, 1, 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weight": 0},
        {"max_level": 6},
        {"evidence_required_from_level": 0},
        {"kind": "single_choice"},
        {"kind": "single_choice", "level_for_value": {"a": 6}},
    ],
)
def test_question_validation(kwargs) -> None:
    with pytest.raises(ValueError):
        make_question(**kwargs)


def test_input_and_config_validation() -> None:
    with pytest.raises(ValueError):
        AnswerInput("q1", 1, "approved")
    with pytest.raises(ValueError):
        make_evidence(status="maybe")
    with pytest.raises(ValueError):
        RiskProfile(data_sensitivity="secret")
    with pytest.raises(ValueError):
        ScoringConfig(as_of=AS_OF, target_by_tier={"high": 3})
    with pytest.raises(ValueError):
        ScoringConfig(as_of=AS_OF, domains=(DomainSpec("x", "X", "iso42001", ("A.2",)),) * 2)
    with pytest.raises(ValueError, match="duplicate question key"):
        compile_model([make_question(), make_question()], CONFIG)


def test_unknown_frameworks_are_reported_not_scored() -> None:
    q = QuestionSpec("q1", {"nist_ai_rmf": ["GOVERN 1.1"], "iso42001": ["A.2.2"]})
    model = compile_model([q], CONFIG)
    assert model.control_keys == ("iso42001:A.2.2",)
    assert model.warnings == ("q1: unknown framework 'nist_ai_rmf' ignored",)
