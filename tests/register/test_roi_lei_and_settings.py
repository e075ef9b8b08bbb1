"""Clean files, item by item: LEI status checked offline against an imported GLEIF golden copy,
the taxonomy release and the authority's file naming as settings."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from app.cli import main
from app.models import AuditEvent, LeiRecord
from app.register.roi.builder import build
from app.register.roi.group import own_entity
from app.register.roi.service import roi_report
from app.register.roi.taxonomy import TaxonomyError, file_pattern
from app.register.roi.validator import validate
from app.register.roi.writers import package_name
from tests.register.roi_data import (
    CLOUDY_LEI,
    HOST_LEI,
    LAB_LEI,
    ORG_LEI,
    SCORER_LEI,
    clean_register,
    make_roi_portfolio,
)

HEADER = (
    "LEI,Entity.LegalName,Entity.LegalAddress.Country,Registration.RegistrationStatus,"
    "Registration.NextRenewalDate\n"
)


@pytest.fixture
def cli(monkeypatch, settings):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))


GOOD = f"{HOST_LEI},Hosting EMEA Ltd,IE,ISSUED,"  # a good row first: nothing of it is kept


def golden_copy(tmp_path, rows: list[str]):
    path = tmp_path / "golden-copy.csv"
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_a_lapsed_or_retired_lei_is_flagged_an_unknown_one_too():
    built = build(clean_register())
    statuses = {
        ORG_LEI: "ISSUED",
        CLOUDY_LEI: "LAPSED",
        SCORER_LEI: "RETIRED",
        HOST_LEI: "ISSUED",
    }  # fmt: skip  (LAB_LEI is not in the golden copy)
    found = [p for p in validate(built.tables, built.filing_indicators, statuses)]
    flagged = {(p.rule, p.severity, p.message.split()[1]) for p in found}
    assert flagged == {
        ("LEI status", "warning", CLOUDY_LEI),
        ("LEI status", "warning", SCORER_LEI),
        ("LEI status", "warning", LAB_LEI),
    }
    assert any("LAPSED at GLEIF" in p.message for p in found)
    # without an imported golden copy nothing is checked beyond the check digits
    assert validate(built.tables, built.filing_indicators, None) == []


def test_assay_lei_import_stores_the_four_columns_and_the_export_uses_them(
    cli, session: Session, tmp_path, capsys
):
    portfolio = make_roi_portfolio(session)
    session.commit()
    path = golden_copy(
        tmp_path,
        [
            f"{portfolio.cloudy.identifier},Cloudy SE,DE,LAPSED,2025-03-01T00:00:00Z",
            f"{portfolio.org.lei},Acme Bank AG,DE,ISSUED,2026-09-30T00:00:00.000+02:00",
        ],
    )
    assert main(["lei", "import", str(path)]) == 0
    assert "Imported 2 LEI(s)" in capsys.readouterr().out
    session.rollback()
    record = session.get(LeiRecord, portfolio.cloudy.identifier)
    assert (record.legal_name, record.status, record.next_renewal.isoformat()) == (
        "Cloudy SE", "LAPSED", "2025-03-01",
    )  # fmt: skip
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "register.lei_imported")
    ).one().data == {"rows": 2, "added": 2, "updated": 0}
    report = roi_report(
        session=session, organisation_id=portfolio.org.id, ref_date=date(2025, 12, 31)
    )
    lapsed = [p for p in report.problems if p.rule == "LEI status"]
    assert any(portfolio.cloudy.identifier in p.message and "LAPSED" in p.message for p in lapsed)
    assert not report.blocking  # flagged, not refused


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([GOOD, "NOT-AN-LEI,Nobody,DE,ISSUED,"], "line 3: 'NOT-AN-LEI' is not an LEI"),
        ([GOOD, f"{CLOUDY_LEI},Cloudy SE,DE,ISSUED,someday"], "line 3: 'someday' is not a"),
        ([], "the file holds no LEI"),
    ],
)
def test_a_bad_golden_copy_is_refused_and_nothing_is_imported(
    cli, session: Session, tmp_path, capsys, rows, message
):
    path = golden_copy(tmp_path, rows)
    assert main(["lei", "import", str(path)]) == 1
    assert message in capsys.readouterr().err
    session.rollback()
    assert session.exec(select(LeiRecord)).all() == []


def test_a_file_that_is_not_a_golden_copy_is_refused(cli, session: Session, tmp_path, capsys):
    path = tmp_path / "other.csv"
    path.write_text("name,lei\nCloudy,x\n", encoding="utf-8")
    assert main(["lei", "import", str(path)]) == 1
    assert "not a GLEIF golden-copy CSV" in capsys.readouterr().err


def test_the_taxonomy_release_is_a_setting_and_an_unknown_one_is_refused(
    cli, session: Session, tmp_path, capsys
):
    portfolio = make_roi_portfolio(session)
    portfolio.org.settings = {**(portfolio.org.settings or {}), "roi_taxonomy": "4.0"}
    session.add(portfolio.org)
    session.commit()
    out = tmp_path / "roi.zip"
    assert main(["export", "roi", "--out", str(out), "--ref-date", "2025-12-31"]) == 0
    with zipfile.ZipFile(out) as package:
        [report] = [n for n in package.namelist() if n.endswith("reports/report.json")]
        assert "/dora/4.0/mod/dora.json" in package.read(report).decode()
    capsys.readouterr()
    assert main(["export", "roi", "--out", str(out), "--taxonomy", "9.9"]) == 1
    assert "Unknown DORA taxonomy release '9.9'" in capsys.readouterr().err


def test_the_file_name_follows_the_authority_s_convention():
    at = datetime(2026, 1, 15, 9, 30, 5, 250000, tzinfo=UTC)
    data = clean_register()
    eba = package_name(build(data), at)
    assert eba == f"{ORG_LEI}.IND_DE_DORA010100_DORA_2025-12-31_20260115093005250.zip"
    own = replace(data, file_naming="{lei}_{ref_date}_RoI_{level}")
    assert package_name(build(own), at) == f"{ORG_LEI}_2025-12-31_RoI_IND.zip"
    with pytest.raises(TaxonomyError, match="Unknown file naming 'nbb'"):
        file_pattern("nbb")
    with pytest.raises(TaxonomyError, match="is not valid"):
        file_pattern("{lei}_{branch}")


def test_the_hierarchy_code_is_the_entitys_standalone_by_default(session: Session):
    portfolio = make_roi_portfolio(session)
    report = roi_report(
        session=session, organisation_id=portfolio.org.id, ref_date=date(2025, 12, 31)
    )
    assert report.built.tables["B_01.02"].rows[0].values["c0050"] == "eba_RP:x21"
    entity = own_entity(session=session, organisation=portfolio.org)
    entity.hierarchy = "x53"
    session.add(entity)
    session.flush()
    report = roi_report(
        session=session, organisation_id=portfolio.org.id, ref_date=date(2025, 12, 31)
    )
    assert report.built.tables["B_01.02"].rows[0].values["c0050"] == "eba_RP:x53"
    entity.hierarchy = "x99"
    session.add(entity)
    session.flush()
    report = roi_report(
        session=session, organisation_id=portfolio.org.id, ref_date=date(2025, 12, 31)
    )
    assert [(p.rule, p.template, p.column) for p in report.blocking] == [
        ("code list", "B_01.02", "c0050")
    ]
