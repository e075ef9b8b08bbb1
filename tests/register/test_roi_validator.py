"""The RoI validator, one broken register per rule: each problem names what to fix and where."""

from __future__ import annotations

from dataclasses import replace

from app.register.roi.builder import build
from app.register.roi.table import Table
from app.register.roi.validator import BLOCKING, WARNING, Problem, validate
from tests.register.roi_data import (
    CLOUDY_LEI,
    clean_register,
    with_contract,
    with_vendor,
)


def problems_of(data, indicators=None) -> list[Problem]:
    built = build(data)
    return validate(built.tables, indicators or built.filing_indicators)


def only(problems: list[Problem], rule: str) -> list[Problem]:
    return [p for p in problems if p.rule == rule]


def test_a_clean_register_has_no_problem():
    assert problems_of(clean_register()) == []


def test_an_lei_with_wrong_check_digits_blocks_and_names_the_vendor():
    broken = CLOUDY_LEI[:-2] + ("00" if CLOUDY_LEI[-2:] != "00" else "01")
    problems = problems_of(with_vendor(clean_register(), 1, identifier=broken))
    [problem] = only(problems, "LEI")
    assert problem.severity == BLOCKING and problem.template == "B_05.01"
    assert problem.subject == "vendor Cloudy SE" and problem.link == "/vendors/1"
    assert broken in problem.message and "check digits" in problem.message


def test_the_organisation_lei_is_checked_too():
    data = clean_register()
    problems = problems_of(replace(data, entity=replace(data.entity, lei="529900ACMEBANK000099")))
    assert {(p.rule, p.template) for p in problems} == {("LEI", "B_01.01")}
    assert "organisation Acme Bank AG" in problems[0].message


def test_an_empty_key_is_805_naming_the_arrangement():
    problems = problems_of(with_contract(clean_register(), "ACME-001", function_code=None))
    [problem] = only(problems, "805")
    assert (problem.severity, problem.template, problem.column) == (BLOCKING, "B_02.02", "c0050")
    assert problem.subject == "arrangement ACME-001 with Cloudy SE"
    assert problem.link == "/vendors/1/contracts/1/edit"
    assert "Business function supported" in problem.message
    # reported once, as the key; B_07.01 keeps the service's own impact, not the function's
    assert only(problems, "mandatory") == []


def test_a_duplicate_key_is_806():
    data = clean_register()
    twin = replace(data.contracts[1], id=9)  # the same reference typed twice (e.g. an import)
    problems = problems_of(replace(data, contracts=(*data.contracts, twin)))
    duplicates = only(problems, "806")
    assert {p.template for p in duplicates} >= {"B_02.01", "B_02.02", "B_07.01"}
    first = next(p for p in duplicates if p.template == "B_02.01")
    assert first.blocking and "ACME-002" in first.message and "2 rows" in first.message


def test_an_arrangement_supporting_a_missing_function_is_807():
    problems = problems_of(with_contract(clean_register(), "ACME-001", function_code="F9"))
    [problem] = only(problems, "807")
    assert (problem.template, problem.column) == ("B_02.02", "c0050")
    assert "F9" in problem.message and "business functions (B_06.01)" in problem.message
    assert problem.link == "/vendors/1/contracts/1/edit"


def test_an_arrangement_whose_provider_is_missing_from_b_05_01_is_807():
    built = build(clean_register())
    kept = Table(built.tables["B_05.01"].template)
    for row in built.tables["B_05.01"].rows:
        if row.get("c0010") != CLOUDY_LEI:
            kept.add(row.values, row.source, row.flags)
    built.tables["B_05.01"] = kept
    problems = only(validate(built.tables, built.filing_indicators), "807")
    assert {(p.template, p.column) for p in problems} == {
        ("B_02.02", "c0030"),
        ("B_03.02", "c0020"),
        ("B_05.02", "c0030"),
        ("B_05.02", "c0060"),  # the host's recipient
        ("B_07.01", "c0020"),
    }
    assert all(CLOUDY_LEI in p.message and "providers (B_05.01)" in p.message for p in problems)


def test_a_subcontractor_serving_an_unknown_recipient_is_807():
    data = clean_register()
    hosting = data.contracts[0]
    lab = replace(hosting.subcontractors[1], recipient_identifier="UNKNOWN-RECIPIENT")
    data = with_contract(data, "ACME-001", subcontractors=(hosting.subcontractors[0], lab))
    [problem] = only(problems_of(data), "807")
    assert (problem.template, problem.column) == ("B_05.02", "c0060")
    assert problem.subject == "subcontractor Model Lab Ltd of arrangement ACME-001 (Cloudy SE)"
    assert problem.link == "/vendors/1"


def test_an_overarching_reference_to_no_arrangement_is_807():
    data = with_contract(clean_register(), "ACME-002-A", overarching_reference="ACME-999")
    [problem] = only(problems_of(data), "807")
    assert (problem.template, problem.column) == ("B_02.01", "c0030")
    assert "ACME-999" in problem.message


def test_a_subsequent_arrangement_without_its_overarching_reference_is_v8805():
    data = with_contract(clean_register(), "ACME-002-A", overarching_reference=None)
    problems = problems_of(data)
    assert [(p.rule, p.severity, p.template) for p in problems] == [("v8805", WARNING, "B_02.01")]
    assert "ACME-002-A" in problems[0].message


def test_total_assets_without_a_currency_is_v8803():
    data = clean_register()
    problems = problems_of(replace(data, entity=replace(data.entity, currency=None)))
    assert [(p.rule, p.severity, p.column) for p in problems] == [("v8803", WARNING, "c0100")]


def test_a_missing_mandatory_value_is_a_warning_naming_the_field():
    data = with_contract(clean_register(), "ACME-001", notice_days_provider=None)
    problems = problems_of(data)
    assert [(p.rule, p.severity, p.template, p.column) for p in problems] == [
        ("mandatory", WARNING, "B_02.02", "c0110")
    ]  # once, though the arrangement has two B_02.02 rows (two storage countries)
    assert "Notice period for the provider" in problems[0].message


def test_not_critical_arrangements_need_no_notice_periods():
    data = with_contract(clean_register(), "ACME-002", notice_days_entity=None)
    assert problems_of(data) == []


def test_a_service_type_outside_the_list_is_reported_once():
    problems = problems_of(with_contract(clean_register(), "ACME-002", ict_service_type="S20"))
    [problem] = only(problems, "code list")
    assert problem.blocking and (problem.template, problem.column) == ("B_02.02", "c0060")
    assert "'S20'" in problem.message and "Type of ICT service" in problem.message


def test_an_unknown_licensed_activity_and_country_are_code_list_problems():
    data = clean_register()
    functions = (replace(data.functions[0], licensed_activity="x1"), data.functions[1])
    data = with_vendor(replace(data, functions=functions), 2, hq_country="XX")
    problems = only(problems_of(data), "code list")
    assert {(p.template, p.column, p.subject) for p in problems} == {
        ("B_06.01", "c0020", "function F1 Payments"),
        ("B_05.01", "c0080", "vendor Scorer Ltd"),
    }
    country = next(p for p in problems if p.template == "B_05.01")
    assert "not an ISO 3166 country code" in country.message


def test_a_hard_to_substitute_service_needs_its_reason():
    hard = with_contract(clean_register(), "ACME-001", substitutability="highly_complex")
    problems = problems_of(hard)
    assert [(p.rule, p.severity, p.template, p.column) for p in problems] == [
        ("mandatory", WARNING, "B_07.01", "c0060")
    ]
    assert problems[0].subject == "arrangement ACME-001 with Cloudy SE"
    assert "Set the “Why it is hard to substitute” of the arrangement." in problems[0].message
    assert problems_of(with_contract(hard, "ACME-001", substitutability_reason="x964")) == []


def test_an_unknown_substitutability_reason_is_a_code_list_problem():
    data = with_contract(
        clean_register(), "ACME-001", substitutability="not_substitutable",
        substitutability_reason="x999",
    )  # fmt: skip
    [problem] = problems_of(data)
    assert (problem.rule, problem.template, problem.column) == ("code list", "B_07.01", "c0060")
    assert problem.blocking and "'x999'" in problem.message


def test_a_filing_indicator_that_contradicts_its_table_is_808():
    built = build(clean_register())
    indicators = built.filing_indicators | {"B_01.03": True, "B_06.01": False}
    problems = validate(built.tables, indicators)
    assert {(p.rule, p.template) for p in problems} == {("808", "B_01.03"), ("808", "B_06.01")}
    assert all(p.blocking for p in problems)


def test_a_recipient_not_one_rank_up_is_a_supply_chain_warning():
    data = clean_register()
    hosting = data.contracts[0]
    lab = replace(hosting.subcontractors[1], recipient_identifier=CLOUDY_LEI)  # rank 3 → rank 1
    data = with_contract(data, "ACME-001", subcontractors=(hosting.subcontractors[0], lab))
    [problem] = problems_of(data)
    assert (problem.rule, problem.severity) == ("supply chain", WARNING)
    assert "rank 2" in problem.message


def test_an_ultimate_parent_is_reported_as_a_provider_with_what_assay_knows():
    data = with_vendor(
        clean_register(), 2, parent_name="Scorer Group plc",
        parent_identifier="2138000SCORERGROUP01", parent_identifier_type="LEI",
    )  # fmt: skip
    problems = problems_of(data)
    assert {(p.rule, p.template, p.column) for p in problems} == {
        ("LEI", "B_05.01", "c0010"),  # the parent's LEI was typed wrong
        ("mandatory", "B_05.01", "c0080"),  # Assay holds no country for a parent
    }
    assert all(
        p.subject == "ultimate parent Scorer Group plc of vendor Scorer Ltd" for p in problems
    )


def test_problems_are_blocking_first():
    data = with_contract(clean_register(), "ACME-002-A", overarching_reference=None)
    data = with_contract(data, "ACME-001", function_code=None)
    severities = [p.severity for p in problems_of(data)]
    assert severities == sorted(severities, key=lambda s: s != BLOCKING) and BLOCKING in severities


def test_a_deep_subcontractor_without_its_recipient_is_an_empty_key_805():
    data = clean_register()
    hosting = data.contracts[0]
    lab = replace(hosting.subcontractors[1], recipient_identifier=None)  # rank 3, serves whom?
    data = with_contract(data, "ACME-001", subcontractors=(hosting.subcontractors[0], lab))
    [problem] = only(problems_of(data), "805")
    assert (problem.blocking, problem.template, problem.column) == (True, "B_05.02", "c0060")
    assert problem.subject == "subcontractor Model Lab Ltd of arrangement ACME-001 (Cloudy SE)"


def test_no_key_column_is_exempt_from_the_empty_key_rule():
    """B_05.02 c0060 at rank 1 and B_04.01 c0040 carry a value; blanking them is 805."""
    built = build(clean_register())
    rank_one = [r for r in built.tables["B_05.02"].rows if r.values["c0050"] == "1"]
    assert all(r.values["c0060"] == r.values["c0030"] for r in rank_one)
    assert {r.values["c0040"] for r in built.tables["B_04.01"].rows} == {"Not Applicable"}
    built.tables["B_05.02"].columns["c0060"][rank_one[0].index] = ""
    built.tables["B_04.01"].columns["c0040"][0] = ""
    problems = validate(built.tables, built.filing_indicators)
    assert {(p.rule, p.template, p.column) for p in problems} == {
        ("805", "B_05.02", "c0060"),
        ("805", "B_04.01", "c0040"),
    }
