"""Register service: rows, filters and sorting, constant query count, treatment and finding
edits (audited), manual findings, concentration grouping, maturity trend."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput, NotFound
from app.models import AISystem, AuditEvent, Finding, Role
from app.register.concentration import concentration
from app.register.detail import maturity_trend, vendor_history
from app.register.findings import (
    FindingFilters,
    FindingUpdate,
    ManualFinding,
    TreatmentUpdate,
    add_manual_finding,
    findings_page,
    update_finding,
    update_treatment,
)
from app.register.service import RegisterFilters, register_page
from tests.factories import make_org, make_user, make_vendor
from tests.register.portfolio import TODAY, StatementCounter, add_scored_vendor, make_function


@pytest.fixture
def org(session: Session):
    return make_org(session)


@pytest.fixture
def analyst(session: Session, org):
    return make_user(session, org, Role.risk_analyst)


def _page(session, org, **filters):
    return register_page(
        session=session, organisation_id=org.id, filters=RegisterFilters(**filters), today=TODAY
    )


def test_a_row_carries_scores_services_systems_and_findings_by_severity(session, org, analyst):
    function = make_function(session, org, "F2")
    built = add_scored_vendor(
        session, org, analyst, name="Veridian Scoring Ltd", overall=1.5, residual="critical",
        findings={"critical": 2, "high": 1}, function=function,
    )  # fmt: skip
    session.add(
        Finding(organisation_id=org.id, vendor_id=built.vendor.id, key="manual:closed",
                source="manual", title="Old", severity="critical", status="closed")
    )  # fmt: skip
    make_vendor(session, org, "Unscored GmbH")
    session.flush()

    page = _page(session, org)
    assert [r.vendor.legal_name for r in page.rows] == ["Unscored GmbH", "Veridian Scoring Ltd"]
    row = page.rows[1]
    assert (row.overall, row.claimed, row.verified, row.residual) == (1.5, 2.0, 0.5, "critical")
    assert row.findings == {"critical": 2, "high": 1}  # the closed one is not counted
    assert row.services == ["S19 Cloud services: SaaS"]
    assert row.functions == [("F2", "Function F2", True)]
    assert row.ai_systems[0][1] in ("high", "limited")
    assert row.last_assessed is None or isinstance(row.last_assessed, date)
    assert page.rows[0].overall is None and page.rows[0].findings == {}


def test_filters_and_sorting(session, org, analyst):
    add_scored_vendor(session, org, analyst, name="Alpha", tier="critical", overall=3.5,
                      residual="high", findings={"low": 1})  # fmt: skip
    add_scored_vendor(session, org, analyst, name="Bravo", tier="low", overall=1.0,
                      residual="medium", findings={"critical": 3})  # fmt: skip
    add_scored_vendor(session, org, analyst, name="Charlie", tier="high", overall=2.0,
                      residual="critical")  # fmt: skip
    other = make_org(session)
    add_scored_vendor(session, other, make_user(session, other), name="Alpha Rival")

    def names(**filters):
        return [r.vendor.legal_name for r in _page(session, org, **filters).rows]

    assert names() == ["Alpha", "Bravo", "Charlie"]  # other tenants never appear
    assert names(sort="-name") == ["Charlie", "Bravo", "Alpha"]
    assert names(sort="tier") == ["Alpha", "Charlie", "Bravo"]
    assert names(sort="overall") == ["Bravo", "Charlie", "Alpha"]
    assert names(sort="-overall") == ["Alpha", "Charlie", "Bravo"]
    assert names(sort="residual") == ["Charlie", "Alpha", "Bravo"]  # worst first
    assert names(sort="-findings") == ["Bravo", "Alpha", "Charlie"]
    assert names(tier="low") == ["Bravo"]
    assert names(residual="critical") == ["Charlie"]
    assert names(q="ALP") == ["Alpha"]
    page = _page(session, org, per_page=2, page=2)
    assert (
        page.total == 3
        and page.pages == 2
        and [r.vendor.legal_name for r in page.rows] == ["Charlie"]
    )
    with pytest.raises(InvalidInput):
        RegisterFilters(sort="password")


def test_a_page_costs_the_same_few_queries_for_5_or_60_vendors(session, engine, org, analyst):
    for _ in range(5):
        add_scored_vendor(session, org, analyst, findings={"high": 2, "low": 1})
    session.commit()
    with StatementCounter(engine) as small:
        _page(session, org)
    for _ in range(55):
        add_scored_vendor(session, org, analyst, findings={"critical": 1, "medium": 2})
    session.commit()
    with StatementCounter(engine) as large:
        page = _page(session, org)
    assert len(page.rows) == 50 and page.total == 60
    assert small.count == large.count <= 7, large.statements
    assert any("GROUP BY" in s for s in large.statements)  # findings aggregated, not loaded


def test_treatment_update_is_validated_and_audited(session, org, analyst):
    vendor = add_scored_vendor(session, org, analyst).vendor
    with pytest.raises(InvalidInput, match="justification"):
        update_treatment(session=session, actor=analyst, vendor_id=vendor.id,
                         update=TreatmentUpdate(treatment="accept"))  # fmt: skip
    outsider = make_user(session, make_org(session))
    with pytest.raises(InvalidInput, match="owner"):
        update_treatment(session=session, actor=analyst, vendor_id=vendor.id,
                         update=TreatmentUpdate(owner_id=outsider.id))  # fmt: skip
    update_treatment(
        session=session,
        actor=analyst,
        vendor_id=vendor.id,
        update=TreatmentUpdate(
            owner_id=analyst.id,
            treatment="mitigate",
            justification="Exit plan to be tested",
            due=date(2026, 9, 30),
        ),
    )
    assert (vendor.treatment, vendor.owner_id, vendor.treatment_due) == (
        "mitigate", analyst.id, date(2026, 9, 30),
    )  # fmt: skip
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "register.treatment_updated")
    ).one()
    assert event.object_id == str(vendor.id)
    assert event.data["changes"]["treatment"] == {"from": None, "to": "mitigate"}
    history = vendor_history(session=session, organisation_id=org.id, vendor_id=vendor.id)
    assert [e.action for e in history] == ["register.treatment_updated"]
    with pytest.raises(NotFound):  # another tenant's vendor
        rival_org = make_org(session)
        rival = make_vendor(session, rival_org)
        update_treatment(session=session, actor=analyst, vendor_id=rival.id,
                         update=TreatmentUpdate())  # fmt: skip


def test_findings_register_edit_manual_findings_and_filters(session, org, analyst):
    vendor = add_scored_vendor(session, org, analyst, findings={"high": 1}).vendor
    manual = add_manual_finding(
        session=session,
        actor=analyst,
        finding=ManualFinding(
            vendor_id=vendor.id, title="Exit plan never tested", severity="critical",
            framework="dora", control_ids=("Art. 28(8)",), owner_id=analyst.id,
        ),
    )  # fmt: skip
    assert manual.key.startswith("manual:") and manual.refs == {"dora": ["Art. 28(8)"]}

    def titles(**filters):
        page = findings_page(
            session=session, organisation_id=org.id, filters=FindingFilters(**filters)
        )
        return [r.finding.title for r in page.rows]

    assert titles()[0] == "Exit plan never tested"  # critical first
    assert titles(framework="dora") == ["Exit plan never tested"]
    assert titles(framework="manual") == ["Exit plan never tested"]
    assert len(titles(framework="iso42001")) == 1
    assert titles(severity="high", vendor_id=vendor.id) == [titles(framework="iso42001")[0]]

    update_finding(
        session=session,
        actor=analyst,
        finding_id=manual.id,
        update=FindingUpdate(status="closed", owner_id=None, due_date=date(2026, 8, 1),
                             treatment="Accepted after test on 2026-07-01"),
    )  # fmt: skip
    assert manual.status == "closed" and manual.closed_at is not None
    assert titles(status="open_any") == [titles(framework="iso42001")[0]]
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["finding.created", "finding.updated"]
    history = vendor_history(session=session, organisation_id=org.id, vendor_id=vendor.id)
    assert {e.action for e in history} == {"finding.created", "finding.updated"}


def test_concentration_groups_vendors_behind_shared_providers(session, org, analyst):
    payments = make_function(session, org, "F1", "yes")
    hr = make_function(session, org, "F6", "no")
    a = add_scored_vendor(session, org, analyst, name="A", model_provider="OpenAI",
                          cloud="Azure", function=payments).vendor  # fmt: skip
    b = add_scored_vendor(session, org, analyst, name="B", model_provider="openai ",
                          cloud="AWS", function=hr).vendor  # fmt: skip
    add_scored_vendor(session, org, analyst, name="C", model_provider="In-house", cloud="Azure")
    session.add(AISystem(vendor_id=b.id, name="Second", model_provider="OpenAI"))
    session.flush()

    groups = {
        (g.kind, g.name.lower()): g for g in concentration(session=session, organisation_id=org.id)
    }
    openai = groups[("model", "openai")]
    assert [v.name for v in openai.vendors] == ["A", "B"] and openai.shared
    assert openai.critical_functions == ["F1 Function F1"]  # F6 is not critical
    b_systems = next(v for v in openai.vendors if v.vendor_id == b.id).systems
    assert len(b_systems) == 2 and "Second" in b_systems
    assert [v.name for v in groups[("cloud", "azure")].vendors] == ["A", "C"]
    assert not groups[("cloud", "aws")].shared
    assert ("model", "in-house") not in groups  # a vendor's own model is nobody else's
    assert next(iter(groups)) in (("model", "openai"), ("cloud", "azure"))  # most shared first
    assert a.id in {v.vendor_id for v in openai.vendors}


def test_maturity_trend_takes_the_latest_score_of_each_assessment(session, org, analyst):
    from app.models import ScoreResult
    from tests.factories import make_assessment

    built = add_scored_vendor(session, org, analyst, overall=1.5)
    later = make_assessment(session, org, built.vendor, analyst, status="completed")
    for overall in (2.0, 2.8):  # rescored: only the last counts
        session.add(
            ScoreResult(
                organisation_id=org.id, vendor_id=built.vendor.id, assessment_id=later.id,
                model_version="2026.1", overall_maturity=overall, verified_maturity=1.0,
                claimed_maturity=3.0, level_name="x", inherent_tier="high",
                target_maturity=3, residual_risk="medium",
            )
        )  # fmt: skip
        session.flush()
    trend = maturity_trend(session=session, vendor_id=built.vendor.id)
    assert [p.overall for p in trend] == [1.5, 2.8]
