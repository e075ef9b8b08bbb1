"""The scoring service on real rows: the library questionnaire, answers, evidence links with the
reviewer's verdicts, the vendor's AI systems and the portfolio around it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.audit.service import record
from app.models import (
    AISystem,
    AnswerEvidence,
    AuditEvent,
    DataSensitivity,
    Finding,
    FindingStatus,
    ScoreResult,
    Substitutability,
)
from app.questionnaires.schema import Question
from app.questionnaires.service import questionnaire_of
from app.scoring import claimed_level
from app.scoring.adapter import (
    answer_inputs,
    answer_level,
    compiled_model,
    inputs_from_json,
    portfolio_providers,
    question_spec,
    question_specs,
    risk_profile,
    scoring_config,
    shared_provider_counts,
)
from app.scoring.service import (
    recompute,
    score_all,
    score_assessment_and_store,
    stored_result,
    verify_scores,
)
from tests.factories import make_assessment, make_evidence, make_org, make_vendor
from tests.scoring.rows import answer, library_questionnaire
from tests.worlds import SentAssessment, make_sent_assessment

TODAY = date(2026, 6, 30)


@pytest.fixture
def world(session: Session) -> SentAssessment:
    """A critical-function vendor has submitted the library questionnaire."""
    return make_sent_assessment(
        session,
        "Acme Bank",
        questionnaire=library_questionnaire(session),
        status="submitted",
        supports_critical_function=True,
        data_sensitivity="medium",
        substitutability="highly_complex",
    )


def _outcome(result, question_key: str):
    for control in result.controls:
        for outcome in control.contributions:
            if outcome.question_key == question_key:
                return outcome
    raise AssertionError(f"{question_key} contributes to no control")


def test_published_questionnaire_and_answers_give_expected_levels_and_caps(session, world):
    analyst, vendor, assessment = world.analyst, world.vendor, world.assessment
    current = make_evidence(session, vendor, valid_until=date(2027, 1, 1), kind="record")
    expired = make_evidence(session, vendor, valid_until=date(2026, 1, 31), kind="record")
    refused = make_evidence(session, vendor, kind="certificate")
    answer(session, assessment, "aims.context", 3, review_state="accepted",
           evidence=[(current, "accepted")])  # fmt: skip
    answer(session, assessment, "aims.leadership", 4, evidence=[(expired, "pending")])
    answer(session, assessment, "cert.iso42001", "certified_in_scope",
           evidence=[(refused, "rejected")])  # fmt: skip
    answer(session, assessment, "scope.customer_data_training", "opt_in")
    answer(session, assessment, "aims.scope", 2, review_state="rejected")

    row = score_assessment_and_store(
        session=session, assessment=assessment, actor=analyst, today=TODAY
    )
    result = stored_result(row)

    context = _outcome(result, "aims.context")
    assert (context.claimed_level, context.effective_level, context.verified_level) == (3, 3, 3)
    assert context.basis == "evidence_accepted"
    assert context.evidence[0].sha256 == current.sha256
    leadership = _outcome(result, "aims.leadership")
    assert (leadership.claimed_level, leadership.effective_level) == (4, 2)
    assert leadership.cap == "evidence_expired"
    assert leadership.evidence[0].reason == "expired"
    cert = _outcome(result, "cert.iso42001")
    assert (cert.claimed_level, cert.effective_level, cert.cap) == (4, 1, "evidence_rejected")
    training = _outcome(result, "scope.customer_data_training")  # evidence from level 4
    assert (training.claimed_level, training.effective_level) == (4, 3)
    assert training.cap == "evidence_missing"
    scope = _outcome(result, "aims.scope")
    assert (scope.claimed_level, scope.effective_level, scope.cap) == (2, 0, "answer_rejected")
    # NIST AI RMF refs are not part of the model: no "unknown framework" noise.
    assert not [w for w in result.warnings if "nist_ai_rmf" in w]

    assert row.is_current and row.model_version == result.model_version
    assert row.claimed_maturity == result.claimed_maturity
    assert row.overall_maturity == result.overall_maturity
    assert "iso42001:A.5" in row.domains or row.domains  # summary per scored domain
    assert row.domains["iso42001:5"]["level"] == result.domain("iso42001:5").level
    # critical function + restricted data → at least high; the vendor row follows
    assert vendor.tier == result.inherent_tier in ("high", "critical")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "assessment.scored")).one()
    assert event.object_id == str(assessment.id)
    assert event.data["score_result_id"] == row.id


def test_hidden_questions_are_left_out_not_counted_as_unanswered(session, world):
    questionnaire, assessment = world.questionnaire, world.assessment
    specs = {s.key: s for s in question_specs(questionnaire)}
    compiled_q = questionnaire_of(session=session, assessment=assessment)
    conditional = [
        q.key for q in compiled_q.definition.questions() if q.scored and q.show_if is not None
    ]
    assert conditional, "the library has scored conditional questions"
    inputs, hidden = answer_inputs(session=session, assessment=assessment, questionnaire=compiled_q)
    assert set(conditional) <= hidden and inputs == ()
    config = scoring_config(None, as_of=TODAY)
    model = compiled_model(questionnaire, config, hidden)
    assert model is compiled_model(questionnaire, config, hidden)  # cached per hash
    assert not set(conditional) & {k for c in model._controls for k in c.question_keys}
    assert set(specs) - hidden


def test_rescoring_updates_the_same_findings_and_closes_fixed_ones(session, world):
    org, analyst, vendor = world.org, world.analyst, world.vendor
    assessment = world.assessment
    answer(session, assessment, "aims.leadership", 1)
    clause = answer(session, assessment, "contract.data_protection", "partly")
    manual = Finding(
        organisation_id=org.id, vendor_id=vendor.id, key="manual:abc", source="manual",
        title="Exit plan untested", framework="dora",
    )  # fmt: skip
    session.add(manual)
    session.flush()

    first = score_assessment_and_store(
        session=session, assessment=assessment, actor=analyst, today=TODAY
    )
    findings = {
        f.key: f for f in session.exec(select(Finding).where(Finding.source == "scoring")).all()
    }
    assert "gap:iso42001:clauses" in findings
    data = findings["dora:Art. 30(2)(c)"]  # no contract yet: the proposed one, critical function
    assert data.framework == "dora" and data.status == FindingStatus.open
    assert data.severity == "high"
    assert data.severity_reason.startswith("high because the mandatory clause is partly in")
    ids_before = {k: f.id for k, f in findings.items()}

    second = score_assessment_and_store(
        session=session, assessment=assessment, actor=analyst, today=TODAY
    )
    again = {
        f.key: f.id for f in session.exec(select(Finding).where(Finding.source == "scoring")).all()
    }
    assert again == ids_before  # same gaps → same rows, nothing duplicated
    session.refresh(first)
    assert not first.is_current and second.is_current
    assert second.provisional is True
    assert (
        len(
            session.exec(
                select(ScoreResult).where(
                    ScoreResult.vendor_id == vendor.id, col(ScoreResult.is_current).is_(True)
                )
            ).all()
        )
        == 1
    )

    # The vendor's clause is there after all (contract evidence accepted): that finding closes.
    clause.value = "standard_terms"
    clause.review_state = "accepted"
    session.add(clause)
    evidence = make_evidence(session, vendor, kind="contract")
    session.add(
        AnswerEvidence(answer_id=clause.id, evidence_id=evidence.id, review_state="accepted")
    )
    session.flush()
    score_assessment_and_store(session=session, assessment=assessment, actor=analyst, today=TODAY)
    session.refresh(data)
    assert data.status == FindingStatus.closed and data.closed_at is not None
    assert data.note.startswith("Closed automatically")
    assert findings["gap:iso42001:clauses"].status == FindingStatus.open
    session.refresh(manual)
    assert manual.status == FindingStatus.open and manual.note is None  # manual untouched

    # It regresses: the closed finding is reopened, not duplicated.
    clause.value = "no"
    session.add(clause)
    session.flush()
    score_assessment_and_store(session=session, assessment=assessment, actor=analyst, today=TODAY)
    session.refresh(data)
    assert data.status == FindingStatus.open and data.note.startswith("Reopened")
    assert data.severity == "critical"
    assert data.severity_reason.startswith("critical because the mandatory clause is missing")


def test_findings_of_the_per_control_model_move_to_their_gap_with_owner_and_history(session, world):
    org, analyst, vendor = world.org, world.analyst, world.vendor
    answer(session, world.assessment, "aims.leadership", 1)
    old = {}
    for key, owner, treatment in (
        ("iso42001:5.1", None, None),
        ("iso42001:5.3", analyst.id, "Leadership workshop with the vendor"),
        ("ai_act:Art. 9", None, "Ask for the risk management file"),
    ):
        row = Finding(
            organisation_id=org.id, vendor_id=vendor.id, key=key, source="scoring",
            title=key, framework=key.split(":")[0], owner_id=owner, treatment=treatment,
        )  # fmt: skip
        session.add(row)
        session.flush()
        old[key] = row
    record(
        session=session, action="finding.updated", actor=analyst, organisation_id=org.id,
        object_type="finding", object_id=old["iso42001:5.3"].id, data={"changes": {}},
    )  # fmt: skip

    score_assessment_and_store(
        session=session, assessment=world.assessment, actor=analyst, today=TODAY
    )
    for row in old.values():
        session.refresh(row)
    survivor, merged = old["iso42001:5.3"], old["iso42001:5.1"]
    assert survivor.key == "gap:iso42001:clauses"  # the one with an owner and treatment survives
    assert survivor.owner_id == analyst.id and survivor.status == FindingStatus.open
    assert survivor.treatment == "Leadership workshop with the vendor"
    assert survivor.title.startswith("ISO/IEC 42001 AI management system (clauses 4–10): maturity")
    history = session.exec(
        select(AuditEvent).where(
            AuditEvent.object_type == "finding", AuditEvent.object_id == str(survivor.id)
        )
    ).all()
    assert [e.action for e in history] == ["finding.updated"]
    assert merged.status == FindingStatus.closed
    assert merged.note.startswith(f"Merged into finding #{survivor.id} (gap:iso42001:clauses)")
    # No system is high-risk here: no duty finding to move to, so no longer raised: closed.
    assert old["ai_act:Art. 9"].key == "ai_act:Art. 9"
    assert old["ai_act:Art. 9"].status == FindingStatus.closed
    keys = [f.key for f in session.exec(select(Finding).where(Finding.vendor_id == vendor.id))]
    assert keys.count("gap:iso42001:clauses") == 1


def test_findings_per_high_risk_duty_move_to_their_system_with_owner_and_history(session, world):
    """Until 2026.3 each unmet duty was a finding (`ai_act:Art. 9`); now the system's one
    finding lists them, and the worked-on old finding becomes it."""
    org, analyst, vendor = world.org, world.analyst, world.vendor
    answer(session, world.assessment, "scope.ai_act_roles", ["provider"])
    answer(session, world.assessment, "scope.ai_act_classes", ["minimal"])
    session.add(
        AISystem(vendor_id=vendor.id, name="CreditLens", ai_act_class="minimal",
                 buyer_risk_class="high")
    )  # fmt: skip
    old = {}
    for key, owner, treatment in (
        ("ai_act:Art. 10", None, None),
        ("ai_act:Art. 9", analyst.id, "Ask for the risk management file"),
    ):
        row = Finding(
            organisation_id=org.id, vendor_id=vendor.id, key=key, source="scoring",
            title=key, framework="ai_act", owner_id=owner, treatment=treatment,
        )  # fmt: skip
        session.add(row)
        session.flush()
        old[key] = row
    record(
        session=session, action="finding.updated", actor=analyst, organisation_id=org.id,
        object_type="finding", object_id=old["ai_act:Art. 9"].id, data={"changes": {}},
    )  # fmt: skip

    score_assessment_and_store(
        session=session, assessment=world.assessment, actor=analyst, today=TODAY
    )
    for row in old.values():
        session.refresh(row)
    survivor, merged = old["ai_act:Art. 9"], old["ai_act:Art. 10"]
    assert survivor.key == "ai_act:high_risk:CreditLens"
    assert survivor.owner_id == analyst.id and survivor.status == FindingStatus.open
    assert survivor.treatment == "Ask for the risk management file"
    assert survivor.severity == "critical"
    assert survivor.title.startswith("EU AI Act high-risk duties of CreditLens:")
    assert "Art. 9" in survivor.description and "Art. 10" in survivor.description
    history = session.exec(
        select(AuditEvent).where(
            AuditEvent.object_type == "finding", AuditEvent.object_id == str(survivor.id)
        )
    ).all()
    assert "finding.updated" in [e.action for e in history]
    assert merged.status == FindingStatus.closed
    assert merged.note.startswith(
        f"Merged into finding #{survivor.id} (ai_act:high_risk:CreditLens)"
    )
    keys = [f.key for f in session.exec(select(Finding).where(Finding.vendor_id == vendor.id))]
    assert keys.count("ai_act:high_risk:CreditLens") == 1
    assert [k for k in keys if k.startswith("ai_act:Art.")] == [
        f"ai_act:Art. 10 (merged #{survivor.id})"
    ]


def test_a_stored_score_recomputes_exactly_from_its_inputs(session, world):
    analyst, vendor, assessment = world.analyst, world.vendor, world.assessment
    evidence = make_evidence(session, vendor, valid_until=date(2026, 7, 1))
    answer(session, assessment, "aims.leadership", 4, review_state="accepted",
           evidence=[(evidence, "accepted")])  # fmt: skip
    answer(session, assessment, "cert.iso42001", "planned")
    row = score_assessment_and_store(
        session=session, assessment=assessment, actor=analyst, today=TODAY
    )
    # Later the evidence expires and the answer changes; the stored inputs still reproduce it.
    evidence.valid_until = date(2026, 1, 1)
    session.add(evidence)
    session.flush()
    assert recompute(session=session, row=row) == stored_result(row)
    row.model_version = "1999.1"
    with pytest.raises(Exception, match=r"1999\.1"):
        recompute(session=session, row=row)


def test_profile_from_vendor_ai_systems_and_portfolio_concentration(session):
    org = make_org(session)
    a = make_vendor(session, org, cloud_providers=["AWS"], data_sensitivity="high")
    b = make_vendor(session, org, cloud_providers=["aws "])
    b.hq_country = "US"
    c = make_vendor(session, org, cloud_providers=["Own data centre"])
    d = make_vendor(session, org, cloud_providers=[])
    other_org = make_org(session)
    make_vendor(session, other_org, cloud_providers=["AWS"])
    for vendor, provider, cls in ((c, "OpenAI", "high"), (d, "openai", "minimal"),
                                  (a, "In-house", "minimal"), (b, "In-house", "minimal")):  # fmt: skip
        session.add(AISystem(vendor_id=vendor.id, name="S", model_provider=provider,
                             ai_act_class=cls, affects_natural_persons=vendor is c))  # fmt: skip
    session.flush()

    counts = shared_provider_counts(portfolio_providers(session=session, organisation_id=org.id))
    # a and b share AWS (case and spaces ignored); c and d share OpenAI; "In-house" and
    # "Own data centre" are nobody else's; the other organisation's AWS vendor does not count.
    assert counts == {a.id: 1, b.id: 1, c.id: 1, d.id: 1}

    profile_c = risk_profile(session=session, vendor=c)
    assert profile_c.ai_act_high_risk_use and profile_c.affects_natural_persons
    assert profile_c.concentration_shared_providers == 1
    profile_a = risk_profile(session=session, vendor=a)
    assert profile_a.data_sensitivity == "high" and not profile_a.third_country_processing
    assert risk_profile(session=session, vendor=b).third_country_processing  # US


def test_targets_per_tier_come_from_organisation_settings(session):
    org = make_org(session, settings={"scoring": {"target_by_tier": {"low": 2, "critical": 5}}})
    config = scoring_config(org, as_of=TODAY)
    assert dict(config.target_by_tier) == {"critical": 5, "high": 3, "medium": 2, "low": 2}
    assert config.as_of == TODAY


def test_schema_multi_choice_level_is_the_scoring_models(session):
    question = Question.model_validate(
        {
            "key": "x.practices",
            "text": "Which practices?",
            "type": "multi_choice",
            "options": [
                {"value": "a", "label": "A", "level": 2},
                {"value": "b", "label": "B", "level": 2},
                {"value": "c", "label": "C", "level": 3},
                {"value": "na", "label": "N/A"},
            ],
            "refs": {"iso42001": ["A.6.2.6"]},
        }
    )
    spec = question_spec(question)
    for chosen in (["a"], ["a", "b"], ["a", "b", "c"], ["na"], [], ["a", "na"]):
        assert answer_level(question, chosen) == claimed_level(spec, chosen)
    assert answer_level(question, ["a", "b", "c"]) == 5


def test_score_all_scores_each_vendors_latest_submitted_assessment(session, world):
    org, analyst, vendor = world.org, world.analyst, world.vendor
    questionnaire = world.questionnaire
    newer = make_assessment(
        session, org, vendor, analyst, questionnaire=questionnaire, status="completed"
    )
    make_assessment(session, org, make_vendor(session, org), analyst, questionnaire=questionnaire)
    answer(session, newer, "aims.context", 2)
    assert score_all(session=session, today=TODAY) == 1
    current = session.exec(select(ScoreResult).where(col(ScoreResult.is_current).is_(True))).one()
    assert current.assessment_id == newer.id


def test_stored_inputs_in_the_tiers_words_read_back_as_the_registers_values() -> None:
    """Scores stored before the risk profile took the register's values must still recompute."""
    stored = {
        "hidden": [],
        "answers": [],
        "profile": {
            "supports_critical_function": False,
            "data_sensitivity": "restricted",
            "ai_act_high_risk_use": False,
            "affects_natural_persons": False,
            "substitutability": "difficult",
            "concentration_shared_providers": 0,
            "third_country_processing": False,
        },
        "config": {
            "as_of": "2026-06-30",
            "model_version": "2026.1",
            "target_by_tier": {"critical": 4, "high": 3, "medium": 2, "low": 1},
        },
    }
    profile = inputs_from_json(stored).profile
    assert profile.data_sensitivity == DataSensitivity.high
    assert profile.substitutability == Substitutability.highly_complex


def test_old_model_results_stay_readable_and_verify_leaves_them_as_they_are(session, world):
    answer(session, world.assessment, "aims.leadership", 3)
    row = score_assessment_and_store(
        session=session, assessment=world.assessment, actor=world.analyst, today=TODAY
    )
    assert verify_scores(session=session) == (1, [], [])
    # A result stored by model 2026.1: no provisional flag, clauses or finding kinds in it.
    old = dict(row.explanation["result"])
    for name in ("provisional", "residual_reason", "clauses"):
        old.pop(name)
    old["model_version"] = "2026.1"
    old["findings"] = [
        {k: v for k, v in f.items() if k not in ("kind", "severity_reason")}
        for f in old["findings"]
    ]
    for control in old["controls"]:
        for outcome in control["contributions"]:
            for note in outcome["evidence"]:
                note.pop("kind")
    row.explanation = {**row.explanation, "result": old}
    row.model_version = "2026.1"
    session.add(row)
    session.flush()
    readable = stored_result(row)
    assert readable.model_version == "2026.1" and readable.provisional is False
    assert all(f.kind == "control" for f in readable.findings)
    assert verify_scores(session=session) == (0, [], [row.id])
    score_all(session=session, today=TODAY)  # what `assay score --all` does
    assert verify_scores(session=session) == (1, [], [])
