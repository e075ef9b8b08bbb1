"""A group's register at both levels, built from facts: the entities in scope and their
hierarchy (B_01.02), branches (B_01.03), intra-group arrangements (B_02.03, B_03.03), and the
entity columns of the other templates, then written, read back and validated."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

from app.register.roi.builder import build
from app.register.roi.checks import check_facts
from app.register.roi.reader import read_package
from app.register.roi.validator import validate
from app.register.roi.writers import package_name, parameters, write_package
from tests.register.roi_data import IT_LEI, ORG_LEI, clean_register, group_register


def rows(built, template: str, *columns: str) -> list[tuple[str, ...]]:
    return [tuple(r.values[c] for c in columns) for r in built.tables[template].rows]


def read_back(built):
    out = io.BytesIO()
    write_package(out, built, name="package.zip")
    package = read_package(out.getvalue())
    return package, validate(package.tables, package.indicators)


def test_a_standalone_entity_is_reported_as_not_part_of_a_group():
    built = build(clean_register())
    assert rows(built, "B_01.02", "c0010", "c0050", "c0060") == [(ORG_LEI, "eba_RP:x21", ORG_LEI)]
    assert built.level == "IND"
    assert not built.filing_indicators["B_01.03"]


def test_the_consolidated_register_lists_the_group():
    built = build(group_register("CON"))
    assert built.level == "CON"
    assert rows(built, "B_01.01", "c0010") == [(ORG_LEI,)]
    assert rows(built, "B_01.02", "c0010", "c0040", "c0050", "c0060") == [
        (ORG_LEI, "eba_CT:x12", "eba_RP:x53", ORG_LEI),
        (IT_LEI, "eba_CT:x317", "eba_RP:x56", ORG_LEI),
    ]
    assert rows(built, "B_01.03", "c0010", "c0020", "c0040") == [("FR-PAR", ORG_LEI, "eba_GA:FR")]
    assert rows(built, "B_02.03", "c0010", "c0020", "c0030") == [
        ("ACME-IG-01", "ACME-IT-01", "true")
    ]
    assert rows(built, "B_03.03", "c0010", "c0020", "c0031") == [("ACME-IG-01", IT_LEI, "true")]
    assert ("ACME-IT-01", IT_LEI) in rows(built, "B_03.01", "c0010", "c0020")
    assert ("ACME-IT-01", IT_LEI) in rows(built, "B_02.02", "c0010", "c0020")
    uses = rows(built, "B_04.01", "c0010", "c0020", "c0030", "c0040")
    assert ("ACME-IG-01", ORG_LEI, "eba_ZZ:x838", "FR-PAR") in uses
    assert ("ACME-IG-01", ORG_LEI, "eba_ZZ:x839", "Not Applicable") in uses
    assert ("ACME-IT-01", IT_LEI, "eba_ZZ:x839", "Not Applicable") in uses
    # the intra-group provider is a provider of B_05.01 like any other
    assert (IT_LEI, ORG_LEI) in rows(built, "B_05.01", "c0010", "c0110")
    assert all(built.filing_indicators.values())


def test_the_consolidated_package_is_named_and_parameterised_for_its_level():
    built = build(group_register("CON"))
    assert ("entityID", f"rs:{ORG_LEI}.CON") in parameters(built)
    name = package_name(built, datetime(2026, 1, 20, 9, 0))
    assert name.startswith(f"{ORG_LEI}.CON_DE_DORA010100_DORA_2025-12-31_")


def test_the_consolidated_package_reads_back_without_problems():
    package, found = read_back(build(group_register("CON")))
    assert [p.line() for p in found if p.blocking] == []
    assert package.parameters["entityID"] == f"rs:{ORG_LEI}.CON"


def test_the_individual_register_of_the_parent_holds_only_what_it_uses():
    built = build(group_register("IND"))
    assert rows(built, "B_01.02", "c0010") == [(ORG_LEI,)]
    assert rows(built, "B_01.03", "c0010") == [("FR-PAR",)]
    refs = [r for (r,) in rows(built, "B_02.01", "c0010")]
    assert "ACME-IG-01" in refs and "ACME-IT-01" not in refs
    assert [e.reference for e in built.excluded] == ["ACME-IT-01"]
    assert "uses it" in built.excluded[0].reason
    # the providing entity is outside an individual register: no intra-group rows
    assert not built.filing_indicators["B_02.03"]
    assert not built.filing_indicators["B_03.03"]
    assert ("entityID", f"rs:{ORG_LEI}.IND") in parameters(built)
    _, found = read_back(built)
    assert [p.line() for p in found if p.blocking] == []


def test_the_individual_register_of_the_subsidiary():
    built = build(group_register("IND", IT_LEI))
    assert rows(built, "B_01.01", "c0010") == [(IT_LEI,)]
    # its parent is outside its individual register, so c0060 names the entity itself [?]
    assert rows(built, "B_01.02", "c0010", "c0050", "c0060") == [(IT_LEI, "eba_RP:x56", IT_LEI)]
    assert rows(built, "B_02.01", "c0010") == [("ACME-IT-01",)]
    assert rows(built, "B_01.03", "c0010") == []
    assert rows(built, "B_03.01", "c0020") == [(IT_LEI,)]
    _, found = read_back(built)
    assert [p.line() for p in found if p.blocking] == []


def test_an_entity_integrated_after_the_reference_date_is_not_in_the_consolidated_scope():
    data = group_register("CON")
    later = replace(data.entities[1], integrated_on=date(2026, 2, 1))
    built = build(replace(data, entities=(data.entities[0], later)))
    assert rows(built, "B_01.02", "c0010") == [(ORG_LEI,)]
    assert "ACME-IT-01" in [e.reference for e in built.excluded]
    # the intra-group arrangement now names a provider that is not in scope: rule 807
    found = validate(built.tables, built.filing_indicators)
    assert ("807", "B_03.03", "c0020") in {(p.rule, p.template, p.column) for p in found}


def test_a_deleted_entity_carries_its_date_of_deletion():
    data = group_register("CON")
    gone = replace(data.entities[1], deleted_on=date(2025, 9, 30))
    built = build(replace(data, entities=(data.entities[0], gone)))
    assert rows(built, "B_01.02", "c0010", "c0090")[1] == (IT_LEI, "2025-09-30")


def test_a_branch_of_an_entity_out_of_scope_is_not_reported():
    data = group_register("IND", IT_LEI)
    assert build(data).tables["B_01.03"].rows == []


def test_a_hierarchy_code_its_parent_contradicts_is_a_warning_naming_the_entity():
    data = group_register("CON")
    assert not [p for p in check_facts(data) if p.rule == "group"]  # parent x53, subsidiary x56
    parent, subsidiary = data.entities
    standalone_parent = replace(parent, hierarchy="x21")
    orphan = replace(subsidiary, parent_lei=None)
    problems = [
        p for p in check_facts(replace(data, entities=(standalone_parent, orphan)))
        if p.rule == "group"
    ]  # fmt: skip
    # the parent's x21 is not contradicted once its child names no parent; the child's x56 is
    assert [(p.severity, p.template, p.column, p.key) for p in problems] == [
        ("warning", "B_01.02", "c0050", IT_LEI),
    ]
    assert "has no parent recorded" in problems[0].message
    problems = [
        p for p in check_facts(replace(data, entities=(standalone_parent, subsidiary)))
        if p.rule == "group"
    ]  # fmt: skip
    assert len(problems) == 1 and "is the parent of another entity" in problems[0].message
    assert problems[0].link == "/register/roi/entities"
