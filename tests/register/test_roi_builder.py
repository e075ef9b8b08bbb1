"""The RoI builder on a small portfolio loaded from the database: what each template holds."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from app.models import Contract, Subcontractor
from app.register.roi.builder import build
from app.register.roi.service import load_register, roi_report
from app.register.roi.spec import TEMPLATES
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_vendor
from tests.register.portfolio import StatementCounter
from tests.register.roi_data import (
    HOST_LEI,
    LAB_LEI,
    REF_DATE,
    REPORT_DATE,
    clean_register,
    make_roi_portfolio,
    with_vendor,
)


@pytest.fixture
def portfolio(session: Session):
    built = make_roi_portfolio(session)
    session.commit()
    return built


@pytest.fixture
def tables(session, portfolio):
    data = load_register(
        session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE,
        report_date=REPORT_DATE,
    )  # fmt: skip
    return build(data).tables


def values(tables, template_id: str) -> list[dict[str, str]]:
    return [row.values for row in tables[template_id].rows]


def test_b_01_holds_the_organisation_as_the_one_entity_in_scope(tables, portfolio):
    lei = portfolio.org.lei
    [maintaining] = values(tables, "B_01.01")
    assert maintaining == {
        "c0010": lei, "c0020": "Acme Bank AG", "c0030": "eba_GA:DE", "c0040": "eba_CT:x12",
        "c0050": "BaFin", "c0060": "2026-06-30",
    }  # fmt: skip
    [entity] = values(tables, "B_01.02")
    # a standalone entity by default (its entity row, set on the entities page)
    assert (entity["c0010"], entity["c0050"], entity["c0060"]) == (lei, "eba_RP:x21", lei)
    assert (entity["c0090"], entity["c0100"], entity["c0110"]) == (
        "9999-12-31", "eba_CU:EUR", "1000000000.00",
    )  # fmt: skip


def test_b_02_01_lists_every_arrangement_in_scope_with_its_type(tables):
    rows = {r["c0010"]: r for r in values(tables, "B_02.01")}
    assert set(rows) == {"ACME-001", "ACME-002", "ACME-002-A"}  # ACME-003 starts in 2026
    assert rows["ACME-002"]["c0020"] == "eba_CO:x2"
    assert (rows["ACME-002-A"]["c0020"], rows["ACME-002-A"]["c0030"]) == ("eba_CO:x3", "ACME-002")
    assert (rows["ACME-001"]["c0040"], rows["ACME-001"]["c0050"]) == ("eba_CU:EUR", "120000.00")


def test_b_02_02_has_a_row_per_storage_and_processing_country(tables, portfolio):
    rows = [r for r in values(tables, "B_02.02") if r["c0010"] == "ACME-001"]
    assert [(r["c0150"], r["c0160"]) for r in rows] == [
        ("eba_GA:DE", "eba_GA:DE"), ("eba_GA:IE", "eba_GA:DE"),
    ]  # fmt: skip
    first = rows[0]
    assert first["c0020"] == portfolio.org.lei and first["c0030"] == portfolio.cloudy.identifier
    assert (first["c0040"], first["c0050"], first["c0060"]) == (
        "eba_qCO:qx2000",
        "F1",
        "eba_TA:S17",
    )
    assert (first["c0070"], first["c0080"]) == ("2024-01-01", "9999-12-31")  # open-ended
    assert (first["c0100"], first["c0110"], first["c0120"]) == ("90", "180", "eba_GA:DE")
    assert (first["c0140"], first["c0170"], first["c0180"]) == (
        "eba_BT:x28", "eba_ZZ:x793", "eba_ZZ:x796",
    )  # fmt: skip
    [framework] = [r for r in values(tables, "B_02.02") if r["c0010"] == "ACME-002"]
    assert (framework["c0080"], framework["c0130"], framework["c0140"]) == (
        "2027-01-31", "eba_GA:qx2007", "eba_BT:x29",
    )  # fmt: skip
    assert (framework["c0150"], framework["c0160"]) == ("eba_GA:qx2007", "eba_GA:qx2007")


def test_b_03_and_b_04_have_one_row_per_arrangement(tables, portfolio):
    lei = portfolio.org.lei
    assert {(r["c0010"], r["c0020"], r["c0030"]) for r in values(tables, "B_03.01")} == {
        (ref, lei, "true") for ref in ("ACME-001", "ACME-002", "ACME-002-A")
    }
    assert {(r["c0010"], r["c0020"]) for r in values(tables, "B_03.02")} == {
        ("ACME-001", portfolio.cloudy.identifier),
        ("ACME-002", portfolio.scorer.identifier),
        ("ACME-002-A", portfolio.scorer.identifier),
    }
    assert {r["c0030"] for r in values(tables, "B_04.01")} == {"eba_ZZ:x839"}
    assert len(values(tables, "B_04.01")) == 3


def test_b_05_01_deduplicates_vendors_and_subcontractors_and_adds_the_ultimate_parent(
    tables, portfolio
):
    rows = {r["c0010"]: r for r in values(tables, "B_05.01")}
    parent = lei_with_check_digits("5299000CLOUDYHOLD0")
    assert set(rows) == {
        portfolio.cloudy.identifier,
        portfolio.scorer.identifier,
        HOST_LEI,
        LAB_LEI,
        parent,
    }  # fmt: skip  (the host serves two arrangements: one row)
    cloudy = rows[portfolio.cloudy.identifier]
    assert (cloudy["c0050"], cloudy["c0070"], cloudy["c0080"]) == (
        portfolio.cloudy.legal_name, "eba_CT:x212", "eba_GA:DE",
    )  # fmt: skip
    assert (cloudy["c0090"], cloudy["c0100"]) == ("eba_CU:EUR", "120000.00")
    assert (cloudy["c0110"], cloudy["c0120"]) == (parent, "eba_qCO:qx2000")
    scorer = rows[portfolio.scorer.identifier]
    assert scorer["c0110"] == portfolio.scorer.identifier  # no parent: itself
    host = rows[HOST_LEI]
    assert (host["c0050"], host["c0080"], host["c0100"]) == ("Hosting EMEA Ltd", "eba_GA:IE", "")
    assert rows[parent]["c0050"] == "Cloudy Holding AG"


def test_b_05_02_is_the_supply_chain_ranked_from_the_vendor(tables, portfolio):
    chain = [
        (r["c0030"], r["c0050"], r["c0060"], r["c0020"])
        for r in values(tables, "B_05.02")
        if r["c0010"] == "ACME-001"
    ]
    assert chain == [
        # rank 1: the key column names the direct provider itself, never an empty cell
        (portfolio.cloudy.identifier, "1", portfolio.cloudy.identifier, "eba_TA:S17"),
        (HOST_LEI, "2", portfolio.cloudy.identifier, "eba_TA:S17"),
        (LAB_LEI, "3", HOST_LEI, "eba_TA:S17"),
    ]
    framework_host = next(
        r for r in values(tables, "B_05.02") if r["c0010"] == "ACME-002" and r["c0050"] == "2"
    )
    # rank 2 without a recorded recipient serves the vendor, the only provider at rank 1
    assert framework_host["c0060"] == portfolio.scorer.identifier
    assert framework_host["c0070"] == "eba_qCO:qx2000"


def test_b_06_01_lists_the_functions(tables, portfolio):
    assert values(tables, "B_06.01") == [
        {
            "c0010": "F1", "c0020": "eba_TA:x222", "c0030": "Payments",
            "c0040": portfolio.org.lei, "c0050": "eba_BT:x28",
            "c0060": "Stops payments to customers.", "c0070": "2025-06-01", "c0080": "4",
            "c0090": "1", "c0100": "eba_ZZ:x793",
        },
        {
            "c0010": "F2", "c0020": "eba_TA:x162", "c0030": "Marketing analytics",
            "c0040": portfolio.org.lei, "c0050": "eba_BT:x29", "c0060": "",
            "c0070": "2025-06-01", "c0080": "", "c0090": "", "c0100": "eba_ZZ:x791",
        },
    ]  # fmt: skip


def test_b_07_01_assesses_each_service(tables, portfolio):
    rows = {r["c0010"]: r for r in values(tables, "B_07.01")}
    hosting = rows["ACME-001"]
    assert (hosting["c0020"], hosting["c0040"], hosting["c0050"]) == (
        portfolio.cloudy.identifier, "eba_TA:S17", "eba_ZZ:x961",
    )  # fmt: skip
    assert (hosting["c0080"], hosting["c0090"], hosting["c0100"]) == (
        "eba_BT:x28", "eba_ZZ:x966", "eba_ZZ:x793",
    )  # fmt: skip
    # LIST0601050: yes / no / assessment not performed
    assert (hosting["c0110"], hosting["c0120"]) == ("eba_BT:x28", "Other EU IaaS providers")
    assert (rows["ACME-002"]["c0080"], rows["ACME-002"]["c0110"]) == ("eba_BT:x29", "eba_BT:x29")
    # no names and no answer is "not assessed", never "No"
    assert (rows["ACME-002-A"]["c0110"], rows["ACME-002-A"]["c0120"]) == ("eba_BT:x21", "")


def test_b_07_01_is_the_service_s_own_assessment_not_the_vendor_s_or_the_function_s(
    session, portfolio
):
    """The function's impact is high and the vendor says "easy": the service's own values win."""
    hosting = portfolio.hosting
    hosting.discontinuation_impact, hosting.reintegration = "low", "easy"
    portfolio.cloudy.substitutability = "easy"
    session.add_all([hosting, portfolio.cloudy])
    session.flush()
    data = load_register(
        session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE,
        report_date=REPORT_DATE,
    )  # fmt: skip
    [row] = [r for r in values(build(data).tables, "B_07.01") if r["c0010"] == "ACME-001"]
    assert (row["c0050"], row["c0090"], row["c0100"]) == (
        "eba_ZZ:x961", "eba_ZZ:x798", "eba_ZZ:x791",
    )  # fmt: skip


def test_b_07_01_carries_the_reason_a_service_is_hard_to_substitute(session, portfolio):
    hosting = portfolio.hosting
    hosting.substitutability, hosting.substitutability_reason = "not_substitutable", "x965"
    framework = portfolio.framework  # easy to substitute: a leftover reason is not reported
    framework.substitutability_reason = "x963"
    session.add_all([hosting, framework])
    session.flush()
    data = load_register(
        session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE,
        report_date=REPORT_DATE,
    )  # fmt: skip
    rows = {r["c0010"]: r for r in values(build(data).tables, "B_07.01")}
    assert (rows["ACME-001"]["c0050"], rows["ACME-001"]["c0060"]) == ("eba_ZZ:x959", "eba_ZZ:x965")
    assert (rows["ACME-002"]["c0050"], rows["ACME-002"]["c0060"]) == ("eba_ZZ:x962", "")


def test_b_99_01_is_one_row_of_definitions_and_templates_without_data_stay_empty(tables):
    [definitions] = values(tables, "B_99.01")
    assert list(definitions) == [c.code for c in TEMPLATES[-1].columns]
    assert all(text.strip() for text in definitions.values())
    for template_id in ("B_01.03", "B_02.03", "B_03.03"):
        assert tables[template_id].rows == [] and not tables[template_id].reported


def test_the_left_out_arrangement_is_listed_with_its_reason(session, portfolio):
    report = roi_report(session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE)
    [left_out] = report.built.excluded
    assert (left_out.reference, left_out.reason) == (
        "ACME-003", "it starts after the reference date 2025-12-31",
    )  # fmt: skip
    assert (
        left_out.link == f"/vendors/{portfolio.prospect.id}/contracts/{portfolio.planned.id}/edit"
    )
    # the one problem: Assay records no country for Cloudy's ultimate parent
    assert [(p.rule, p.template, p.column, p.subject) for p in report.problems] == [
        (
            "mandatory",
            "B_05.01",
            "c0080",
            "ultimate parent Cloudy Holding AG of vendor Cloudy SE (Acme Bank AG)",
        )
    ]
    assert report.valid


def test_arrangements_outside_the_reporting_year_are_left_out(session, portfolio):
    early = roi_report(
        session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE.replace(year=2024)
    )
    reasons = {e.reference: e.reason for e in early.built.excluded}
    assert reasons["ACME-002"] == "it starts after the reference date 2024-12-31"
    assert {r.values["c0010"] for r in early.built.tables["B_02.01"].rows} == {"ACME-001"}


def test_loading_takes_the_same_queries_for_any_number_of_arrangements(session, engine, portfolio):
    def load() -> int:
        session.expire_all()
        with StatementCounter(engine) as counter:
            data = load_register(
                session=session, organisation_id=portfolio.org.id, ref_date=REF_DATE,
                report_date=REPORT_DATE,
            )  # fmt: skip
        assert len(data.contracts) == len(session.exec(select(Contract)).all())
        return counter.count

    small = load()
    for n in range(10):
        vendor = make_vendor(session, portfolio.org, f"Extra {n}")
        contract = Contract(
            organisation_id=portfolio.org.id, vendor_id=vendor.id, reference=f"EXTRA-{n}",
            function_id=portfolio.payments.id,
        )  # fmt: skip
        session.add(contract)
        session.flush()
        session.add(Subcontractor(contract_id=contract.id, name="Host", identifier=HOST_LEI))
    session.commit()
    assert load() == small


def test_a_vendor_without_a_total_expense_reports_the_sum_of_its_arrangements():
    data = with_vendor(clean_register(), 2, annual_expense=None)
    providers = {r.values["c0050"]: r.values for r in build(data).tables["B_05.01"].rows}
    assert (providers["Scorer Ltd"]["c0090"], providers["Scorer Ltd"]["c0100"]) == (
        "eba_CU:EUR", "30000.00",
    )  # fmt: skip


def test_an_arrangement_with_one_location_row_and_a_register_with_none_build_alike():
    """B_02.02 spreads each arrangement's values over its rows: one row, or none at all."""
    data = clean_register()
    first = replace(
        data.contracts[0],
        stores_data=False,
        processing_countries=("de",),
        users=(),
        subcontractors=(),
    )
    [row] = build(replace(data, contracts=(first,))).tables["B_02.02"].rows
    assert row.get("c0010") == first.reference and row.get("c0020") == data.entity.lei
    assert (row.get("c0140"), row.get("c0150"), row.get("c0160")) == (
        "eba_BT:x29", "eba_GA:qx2007", "eba_GA:DE",
    )  # fmt: skip
    empty = build(replace(data, contracts=())).tables
    assert all(len(empty[t]) == 0 for t in ("B_02.01", "B_02.02", "B_05.02", "B_07.01"))
