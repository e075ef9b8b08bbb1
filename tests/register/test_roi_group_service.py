"""A group's register from the database, exported at both levels as a user gets it (the zip read
back), the entities and branches saved through the service with their bad inputs refused whole,
and a snapshot refused for a date with no entity data."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.errors import InvalidInput
from app.forms import FieldErrors
from app.models import AuditEvent, Branch, GroupEntity, RoiSnapshot
from app.register.roi.group import (
    BranchForm,
    EntityForm,
    OwnEntityForm,
    own_entity,
    save_branch,
    save_entity,
)
from app.register.roi.reader import read_package
from app.register.roi.service import export_roi, roi_report
from app.register.roi.snapshots import freeze_snapshot
from app.register.roi.validator import validate
from app.vendors.identifiers import lei_with_check_digits
from tests.register.roi_data import IT_LEI, make_group_portfolio, make_roi_portfolio

NOW = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)
REF = date(2025, 12, 31)


def export(session, org_id, level):
    result = export_roi(
        session=session, organisation_id=org_id, fmt="zip", actor=None, generated_by="test",
        ref_date=REF, now=NOW, level=level,
    )  # fmt: skip
    data = result.file.read()
    return result, data


def csv_rows(data: bytes, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        [path] = [n for n in package.namelist() if n.endswith(f"/reports/{name}")]
        return list(csv.DictReader(io.StringIO(package.read(path).decode("utf-8"))))


def test_the_group_exports_consolidated_with_its_entities_branch_and_intra_group_rows(session):
    group = make_group_portfolio(session)
    org = group.portfolio.org
    result, data = export(session, org.id, "CON")
    assert result.filename.startswith(f"{org.lei}.CON_DE_DORA010100_DORA_2025-12-31_")
    assert [(r["c0010"], r["c0050"], r["c0060"]) for r in csv_rows(data, "b_01.02.csv")] == [
        (org.lei, "eba_RP:x53", org.lei),
        (IT_LEI, "eba_RP:x56", org.lei),
    ]
    assert [(r["c0010"], r["c0020"]) for r in csv_rows(data, "b_01.03.csv")] == [
        ("FR-PAR", org.lei)
    ]
    assert [(r["c0010"], r["c0020"]) for r in csv_rows(data, "b_02.03.csv")] == [
        ("ACME-IG-01", "ACME-IT-01")
    ]
    assert [(r["c0010"], r["c0020"]) for r in csv_rows(data, "b_03.03.csv")] == [
        ("ACME-IG-01", IT_LEI)
    ]
    assert ("ACME-IT-01", IT_LEI) in [
        (r["c0010"], r["c0020"]) for r in csv_rows(data, "b_03.01.csv")
    ]
    assert ("ACME-001", "eba_ZZ:x838", "FR-PAR") in [
        (r["c0010"], r["c0030"], r["c0040"]) for r in csv_rows(data, "b_04.01.csv")
    ]
    package = read_package(data)
    assert package.parameters["entityID"] == f"rs:{org.lei}.CON"
    assert [p.line() for p in validate(package.tables, package.indicators) if p.blocking] == []
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "register.roi_exported")
    ).one()
    assert event.data["level"] == "CON"


def test_the_group_exports_the_parent_at_individual_level(session):
    group = make_group_portfolio(session)
    org = group.portfolio.org
    result, data = export(session, org.id, org.lei)
    assert ".IND_" in result.filename
    assert [r["c0010"] for r in csv_rows(data, "b_01.02.csv")] == [org.lei]
    refs = [r["c0010"] for r in csv_rows(data, "b_02.01.csv")]
    assert "ACME-IG-01" in refs and "ACME-IT-01" not in refs
    assert csv_rows(data, "b_02.03.csv") == [] and csv_rows(data, "b_03.03.csv") == []
    package = read_package(data)
    assert [p.line() for p in validate(package.tables, package.indicators) if p.blocking] == []


def test_the_subsidiary_exports_at_individual_level(session):
    group = make_group_portfolio(session)
    result, data = export(session, group.portfolio.org.id, IT_LEI)
    assert result.filename.startswith(f"{IT_LEI}.IND_DE_")
    assert [r["c0010"] for r in csv_rows(data, "b_01.01.csv")] == [IT_LEI]
    assert [r["c0010"] for r in csv_rows(data, "b_02.01.csv")] == ["ACME-IT-01"]


def test_an_unknown_level_is_refused(session):
    group = make_group_portfolio(session)
    with pytest.raises(InvalidInput, match="No entity with the LEI"):
        roi_report(session=session, organisation_id=group.portfolio.org.id, level="NOPE")


def test_a_standalone_organisation_reports_the_same_with_or_without_its_entity_row(session):
    portfolio = make_roi_portfolio(session)
    before = roi_report(session=session, organisation_id=portfolio.org.id, ref_date=REF)
    own_entity(session=session, organisation=portfolio.org)
    after = roi_report(session=session, organisation_id=portfolio.org.id, ref_date=REF)
    for template in ("B_01.01", "B_01.02", "B_04.01"):
        assert [r.values for r in after.built.tables[template].rows] == [
            r.values for r in before.built.tables[template].rows
        ]
    assert after.built.tables["B_01.02"].rows[0].values["c0050"] == "eba_RP:x21"


def test_a_snapshot_for_a_date_with_no_entity_data_is_refused(session):
    group = make_group_portfolio(session)
    group.it.integrated_on = date(2026, 1, 15)  # the subsidiary joined after the date
    session.add(group.it)
    session.flush()
    with pytest.raises(InvalidInput, match="no entity data as at 2025-12-31"):
        freeze_snapshot(
            session=session, organisation_id=group.portfolio.org.id, ref_date=REF, actor=None,
            now=NOW, level=IT_LEI,
        )  # fmt: skip
    assert session.exec(select(RoiSnapshot)).all() == []


def test_a_consolidated_snapshot_is_frozen_with_its_level(session):
    group = make_group_portfolio(session)
    snapshot = freeze_snapshot(
        session=session, organisation_id=group.portfolio.org.id, ref_date=REF, actor=None,
        now=NOW, level="CON",
    )  # fmt: skip
    assert ".CON_" in snapshot.file_name
    assert {e["lei"] for e in snapshot.facts["entities"]} == {group.portfolio.org.lei, IT_LEI}


# --- entities and branches: bad input refused whole ---------------------------------------------


def entity_form(**values) -> EntityForm:
    base = {"name": "Acme Payments GmbH", "lei": lei_with_check_digits("529900ACMEPAYS0000"),
            "country": "DE", "entity_type": "x300", "hierarchy": "x56"}  # fmt: skip
    return EntityForm(**(base | values))


def test_an_entity_is_added_under_its_parent(session):
    group = make_group_portfolio(session)
    org = group.portfolio.org
    entity = save_entity(session=session, actor=None, organisation=org,  # type: ignore[arg-type]
                         data=entity_form(parent_id=group.it.id))  # fmt: skip
    assert entity.parent_id == group.it.id
    report = roi_report(session=session, organisation_id=org.id, ref_date=REF, level="CON")
    assert (entity.lei, IT_LEI) in [
        (r.values["c0010"], r.values["c0060"]) for r in report.built.tables["B_01.02"].rows
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"lei": IT_LEI}, "lei", "already has the LEI"),
        ({"parent_id": 999_999}, "parent_id", "not an entity of this register"),
    ],
)
def test_a_bad_entity_is_refused_and_nothing_is_saved(session, values, field, message):
    group = make_group_portfolio(session)
    count = len(session.exec(select(GroupEntity)).all())
    with pytest.raises(FieldErrors) as exc:
        save_entity(session=session, actor=None, organisation=group.portfolio.org,  # type: ignore[arg-type]
                    data=entity_form(**values))  # fmt: skip
    assert message in exc.value.errors[field]
    assert len(session.exec(select(GroupEntity)).all()) == count


def test_the_own_lei_cannot_be_given_to_another_entity(session):
    group = make_group_portfolio(session)
    with pytest.raises(FieldErrors, match="Some fields"):
        save_entity(session=session, actor=None, organisation=group.portfolio.org,  # type: ignore[arg-type]
                    data=entity_form(lei=group.portfolio.org.lei))  # fmt: skip


def test_a_parent_cycle_is_refused(session):
    group = make_group_portfolio(session)
    # the bank under its own subsidiary: the subsidiary's parent is the bank
    with pytest.raises(FieldErrors) as exc:
        save_entity(session=session, actor=None, organisation=group.portfolio.org,  # type: ignore[arg-type]
                    data=OwnEntityForm(hierarchy="x56", parent_id=group.it.id),
                    entity_id=group.own.id)  # fmt: skip
    assert "cycle" in exc.value.errors["parent_id"]
    session.refresh(group.own)
    assert group.own.parent_id is None and group.own.hierarchy == "x53"


def test_a_branch_code_twice_is_refused(session):
    group = make_group_portfolio(session)
    form = BranchForm(code="FR-PAR", name="Another", country="FR", entity_id=group.it.id)
    with pytest.raises(FieldErrors) as exc:
        save_branch(session=session, actor=None, organisation=group.portfolio.org, data=form)  # type: ignore[arg-type]
    assert "already has the code FR-PAR" in exc.value.errors["code"]
    assert len(session.exec(select(Branch)).all()) == 1


def test_a_branch_of_an_entity_of_another_organisation_is_refused(session):
    group = make_group_portfolio(session)
    other = make_group_portfolio(session)
    form = BranchForm(code="IT-MIL", name="Milan", country="IT", entity_id=other.it.id)
    with pytest.raises(FieldErrors) as exc:
        save_branch(session=session, actor=None, organisation=group.portfolio.org, data=form)  # type: ignore[arg-type]
    assert "not an entity of this register" in exc.value.errors["entity_id"]
