"""The library questionnaire: size, coverage, conditional AI Act questions, scoring facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.questionnaires.conditions import visible_questions
from app.questionnaires.coverage import coverage_matrix, gaps
from app.questionnaires.loader import load_all, load_questionnaire
from app.questionnaires.references import REFERENCES
from app.questionnaires.schema import EvidenceKind, Questionnaire, QuestionType

LIBRARY = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return load_questionnaire(LIBRARY / "ai-governance-dora" / "v1.yaml")


def test_library_loads_and_is_large_enough(questionnaire: Questionnaire) -> None:
    assert [(q.key, q.version) for q in load_all(LIBRARY)] == [("ai-governance-dora", 1)]
    assert questionnaire.question_count >= 80


@pytest.mark.parametrize(
    ("framework", "part", "under"),
    [
        ("iso42001", "annex_a", None),
        ("iso42001", "clauses", None),
        ("dora", None, "Art. 30(2)"),
        ("dora", None, "Art. 30(3)"),
        ("dora", "art_28", None),
        ("dora", "art_29", None),
        ("ai_act", None, None),
    ],
)
def test_no_coverage_gaps(
    questionnaire: Questionnaire, framework: str, part: str | None, under: str | None
) -> None:
    rows = coverage_matrix([questionnaire])
    missing = [r.reference.id for r in gaps(rows, framework=framework, part=part, under=under)]
    assert missing == []


def test_every_annex_a_control_has_a_question(questionnaire: Questionnaire) -> None:
    cited = {
        ref for q in questionnaire.questions() for fw, ref in q.refs.items() if fw == "iso42001"
    }
    annex_a = {r.id for r in REFERENCES["iso42001"].values() if r.part == "annex_a"}
    assert annex_a <= cited


def ai_act_keys(
    questionnaire: Questionnaire,
    answers: dict[str, object],
    context: dict[str, object] | None = None,
) -> set[str]:
    return {
        q.key
        for q in visible_questions(questionnaire, answers, context)
        if q.key.startswith("aiact.")
    }


def test_ai_act_questions_hidden_for_role_none(questionnaire: Questionnaire) -> None:
    answers = {
        "scope.ai_act_roles": ["none"],
        # stale answers from an earlier draft must not reveal anything
        "scope.ai_act_classes": ["high"],
        "scope.interacts_or_generates": "yes",
    }
    assert ai_act_keys(questionnaire, answers) == set()
    assert ai_act_keys(questionnaire, {}) == set()


def test_provider_of_high_risk_system_sees_provider_duties(questionnaire: Questionnaire) -> None:
    shown = ai_act_keys(
        questionnaire, {"scope.ai_act_roles": ["provider"], "scope.ai_act_classes": ["high"]}
    )
    assert {"aiact.risk_management", "aiact.qms", "aiact.serious_incidents"} <= shown
    assert not any(key.startswith("aiact.deployer_") for key in shown)
    assert "aiact.fria" not in shown


def test_provider_of_minimal_risk_system_sees_only_general_duties(
    questionnaire: Questionnaire,
) -> None:
    shown = ai_act_keys(
        questionnaire, {"scope.ai_act_roles": ["provider"], "scope.ai_act_classes": ["minimal"]}
    )
    assert shown == {
        "aiact.ai_literacy",
        "aiact.prohibited_practices",
        "aiact.derogation",
        "aiact.gpai_based",
    }


HIGH_RISK_PROVIDER_DUTIES = {
    "aiact.risk_management",
    "aiact.instructions_for_use",
    "aiact.fria_information",
    "aiact.conformity",
    "aiact.registration",
    "aiact.serious_incidents",
}


def test_the_buyer_s_high_risk_classification_asks_the_duties_the_vendor_s_answer_hid(
    questionnaire: Questionnaire,
) -> None:
    """A credit-scoring system the vendor calls "minimal" (or "prohibited", or "unknown")."""
    for declared in ("minimal", "unknown", "prohibited"):
        answers = {"scope.ai_act_roles": ["provider"], "scope.ai_act_classes": [declared]}
        assert not HIGH_RISK_PROVIDER_DUTIES & ai_act_keys(questionnaire, answers)
        buyer = {"buyer.ai_act_classes": ["high"]}
        assert ai_act_keys(questionnaire, answers, buyer) >= HIGH_RISK_PROVIDER_DUTIES
    deployer = {"scope.ai_act_roles": ["deployer"], "scope.ai_act_classes": ["minimal"]}
    shown = ai_act_keys(questionnaire, deployer, {"buyer.ai_act_classes": ["high", "minimal"]})
    assert {"aiact.deployer_use", "aiact.deployer_oversight"} <= shown
    assert not ai_act_keys(questionnaire, deployer, {"buyer.ai_act_classes": ["minimal"]}) & {
        "aiact.deployer_use"
    }


def test_the_vendor_is_asked_what_the_bank_needs_for_its_own_impact_assessment(
    questionnaire: Questionnaire,
) -> None:
    """The bank, as deployer, owes the Art. 27 assessment; the vendor supplies its inputs."""
    assert "aiact.fria" not in {q.key for q in questionnaire.questions()}
    base = {"scope.ai_act_roles": ["provider", "deployer"], "scope.ai_act_classes": ["high"]}
    shown = ai_act_keys(questionnaire, {**base, "scope.high_risk_uses": ["credit_scoring"]})
    assert "aiact.fria_information" in shown
    assert "Art. 13" in questionnaire.question("aiact.fria_information").refs.ai_act


def test_general_purpose_model_questions_follow_the_vendor_s_answer(
    questionnaire: Questionnaire,
) -> None:
    gpai = {
        "aiact.gpai_models",
        "aiact.gpai_downstream_information",
        "aiact.gpai_provider_obligations",
        "aiact.gpai_systemic_risk",
    }
    answers: dict[str, object] = {"scope.ai_act_roles": ["deployer"], "aiact.gpai_based": "no"}
    assert not gpai & ai_act_keys(questionnaire, answers)
    answers["aiact.gpai_based"] = "yes"
    assert gpai <= ai_act_keys(questionnaire, answers)
    refs = {r for key in gpai for r in questionnaire.question(key).refs.ai_act}
    assert {"Art. 53", "Art. 54", "Art. 55"} <= refs


def test_transparency_duties_follow_the_interaction_answer(questionnaire: Questionnaire) -> None:
    answers: dict[str, object] = {"scope.ai_act_roles": ["deployer"]}
    assert "aiact.interaction_notice" not in ai_act_keys(questionnaire, answers)
    answers["scope.interacts_or_generates"] = "yes"
    shown = ai_act_keys(questionnaire, answers)
    assert "aiact.interaction_notice" in shown
    assert "aiact.synthetic_content_marking" not in shown  # a provider duty


def test_most_questions_are_scored_and_maturity_is_written_per_question(
    questionnaire: Questionnaire,
) -> None:
    questions = list(questionnaire.questions())
    scored = [q for q in questions if q.scored]
    assert len(scored) / len(questions) >= 0.8
    maturity = [q for q in questions if q.type == QuestionType.maturity]
    for level in range(6):
        descriptors = [q.levels[level] for q in maturity]
        assert len(set(descriptors)) == len(descriptors), f"level {level} descriptor reused"


def test_scored_governance_questions_ask_for_evidence_from_level_3(
    questionnaire: Questionnaire,
) -> None:
    maturity = [q for q in questionnaire.questions() if q.type == QuestionType.maturity]
    assert all(q.evidence is not None and q.evidence.required_from_level == 3 for q in maturity)


def test_certifications_ask_for_expiring_certificates(questionnaire: Questionnaire) -> None:
    for key in ("cert.iso42001", "cert.iso27001", "cert.soc2"):
        evidence = questionnaire.question(key).evidence
        assert evidence is not None and evidence.expires
        assert EvidenceKind.certificate in evidence.kinds


def test_critical_controls_are_marked(questionnaire: Questionnaire) -> None:
    critical = {q.key for q in questionnaire.questions() if q.critical}
    assert {
        "policy.ai_policy",
        "aims.risk_assessment",
        "lifecycle.drift_monitoring",
        "lifecycle.bias_testing",
        "data.provenance",
        "contract.exit_transition",
        "contract.audit_rights",
    } <= critical
    assert 10 <= len(critical) <= 40


def test_ai_systems_group_has_the_agreed_columns(questionnaire: Questionnaire) -> None:
    group = questionnaire.question("scope.ai_systems")
    assert group.type == QuestionType.group
    assert [f.key for f in group.fields] == [
        "name",
        "purpose",
        "ai_act_class",
        "affects_natural_persons",
        "model_provider",
        "human_oversight",
    ]
    classes = next(f for f in group.fields if f.key == "ai_act_class")
    assert [o.value for o in classes.options] == [
        "prohibited",
        "high",
        "limited",
        "minimal",
        "unknown",
    ]
