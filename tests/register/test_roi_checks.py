"""Facts the tables cannot show: vendor status against dates, dates against each other. Each is
blocking, names template, row and column, and links to the page to fix it on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent
from app.register.roi.builder import build
from app.register.roi.checks import check_facts
from app.register.roi.data import ProviderRef
from app.register.roi.service import RegisterInvalid, export_roi
from app.register.roi.validator import validate
from tests.register.roi_data import (
    LAB_LEI,
    clean_register,
    make_roi_portfolio,
    with_contract,
    with_vendor,
)


def test_a_clean_register_has_no_fact_problem():
    assert check_facts(clean_register()) == []


def test_a_running_arrangement_of_a_prospective_vendor_is_reported_and_blocks():
    data = with_vendor(clean_register(), 1, status="prospective")
    assert "ACME-001" in {r.values["c0010"] for r in build(data).tables["B_02.01"].rows}
    [problem] = check_facts(data)
    assert (problem.blocking, problem.rule) == (True, "vendor status")
    assert (problem.template, problem.key, problem.column) == ("B_02.01", "ACME-001", "c0010")
    assert problem.link == "/vendors/1"
    assert "in force on 2025-12-31 (since 2024-01-01)" in problem.message
    assert "still marked prospective" in problem.message


def test_a_prospective_vendor_s_future_arrangement_is_left_out_without_a_problem():
    data = with_vendor(clean_register(), 1, status="prospective")
    data = with_contract(data, "ACME-001", start_date=date(2026, 4, 1))
    assert check_facts(data) == []
    assert [e.reference for e in build(data).excluded] == ["ACME-001"]


def test_an_offboarded_vendor_with_an_open_arrangement_blocks_until_it_is_ended():
    data = with_vendor(clean_register(), 2, status="offboarded")
    problems = check_facts(data)
    assert [(p.key, p.template, p.column) for p in problems] == [
        ("ACME-002", "B_02.02", "c0080"),  # ends 2027-01-31, after the report
        ("ACME-002-A", "B_02.02", "c0080"),  # no end date at all
    ]
    assert problems[1].link == "/vendors/2/contracts/3/edit"
    assert "Reason of termination" in problems[1].message
    ended = with_contract(data, "ACME-002", end_date=date(2026, 3, 31), termination_reason="x4")
    ended = with_contract(ended, "ACME-002-A", end_date=date(2026, 3, 31), termination_reason="x4")
    assert check_facts(ended) == []


def test_an_arrangement_ending_before_it_starts_blocks():
    data = with_contract(clean_register(), "ACME-001", end_date=date(2023, 12, 31))
    [problem] = check_facts(data)
    assert (problem.rule, problem.template, problem.column, problem.key) == (
        "dates", "B_02.02", "c0080", "ACME-001",
    )  # fmt: skip
    assert "ends on 2023-12-31, before it starts on 2024-01-01" in problem.message


def _refused(session: Session, portfolio) -> RegisterInvalid:
    with pytest.raises(RegisterInvalid) as refused:
        export_roi(
            session=session, organisation_id=portfolio.org.id, fmt="zip", actor=None,
            generated_by="test",
        )  # fmt: skip
    assert session.exec(select(AuditEvent)).all() == []  # nothing written, nothing recorded
    return refused.value


def test_bad_dates_refuse_the_export_with_a_clear_message(session: Session):
    portfolio = make_roi_portfolio(session)
    portfolio.hosting.end_date = date(2023, 6, 30)
    session.add(portfolio.hosting)
    session.flush()
    refused = _refused(session, portfolio)
    assert any(
        line.startswith("[dates] B_02.02 c0080: arrangement ACME-001") for line in refused.details
    )


def test_a_duplicate_arrangement_reference_is_blocking():
    data = clean_register()
    twin = replace(data.contracts[1], id=9)
    built = build(replace(data, contracts=(*data.contracts, twin)))
    [duplicate] = [p for p in validate(built.tables, built.filing_indicators) if p.rule == "806"][
        :1
    ]
    assert (duplicate.template, duplicate.blocking) == ("B_02.01", True)
    assert "ACME-002" in duplicate.message


def test_a_critical_service_whose_ai_model_provider_is_not_in_its_chain_is_a_warning():
    lab = ProviderRef("Model Lab Ltd", LAB_LEI)  # in ACME-001's chain at rank 3
    openai = ProviderRef("OpenAI OpCo LLC", None)
    data = with_contract(clean_register(), "ACME-001", ai_providers=(lab, openai))
    [problem] = check_facts(data)
    assert (problem.blocking, problem.rule, problem.template, problem.column) == (
        False, "supply chain", "B_05.02", "c0030",
    )  # fmt: skip
    assert "OpenAI OpCo LLC, which is not in its supply chain" in problem.message
    assert problem.link == "/vendors/1/contracts/1/edit"
    # a service of a function that is not critical: the bank's judgement, no warning
    assert check_facts(with_contract(clean_register(), "ACME-002", ai_providers=(openai,))) == []
    # a cloud provider is offered, not warned about
    cloud = ProviderRef("Hyperscaler", None, "cloud")
    assert check_facts(with_contract(clean_register(), "ACME-001", ai_providers=(cloud,))) == []
