"""The register workbook opened with openpyxl: sheets, typed cells, frozen headers, filters,
dropdowns, heat-map fills, formula injection neutralised; web route, API and CLI."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.cli import main
from app.models import (
    AISystem,
    Answer,
    AnswerEvidence,
    AuditEvent,
    Contract,
    ContractClause,
    Finding,
    Role,
)
from app.register.service import RegisterFilters
from app.register.workbook import write_register_workbook
from app.scoring import MODEL_VERSION
from tests.factories import make_evidence, make_org, make_user
from tests.helpers import login
from tests.register.portfolio import add_scored_vendor
from tests.scoring.rows import library_questionnaire

INJECTION = '=HYPERLINK("http://x","y")'
SHEETS = [
    "Lists",
    "Register",
    "Domain maturity",
    "Findings",
    "AI systems",
    "Contract clauses",
    "Evidence index",
    "About",
]


@pytest.fixture
def world(session: Session):
    org = make_org(session, name="Harbour Bank")
    analyst = make_user(session, org, Role.risk_analyst)
    questionnaire = library_questionnaire(session)
    evil = add_scored_vendor(
        session, org, analyst, name=INJECTION, overall=2.35, residual="high",
        findings={"critical": 1}, questionnaire=questionnaire,
    )  # fmt: skip
    add_scored_vendor(session, org, analyst, name="Plain Vendor SE", overall=4.1)
    vendor = evil.vendor
    evil.score.provisional = True  # not yet reviewed
    contract = session.exec(select(Contract).where(Contract.vendor_id == vendor.id)).one()
    contract.supports_critical_function = True
    session.add(ContractClause(organisation_id=org.id, contract_id=contract.id,
                               code="Art. 30(3)(c)", vendor_status="yes", reference="=1+1",
                               confirmed_status="no"))  # fmt: skip
    vendor.treatment = "mitigate"
    vendor.treatment_justification = "+SUM(1,2)"
    vendor.treatment_due = date(2026, 9, 30)
    vendor.owner_id = analyst.id
    finding = session.exec(select(Finding).where(Finding.vendor_id == vendor.id)).one()
    finding.title = "@cmd|' /C calc'!A0"
    session.add(AISystem(vendor_id=vendor.id, name="-2+3", purpose=INJECTION))
    evidence = make_evidence(session, vendor, filename="=evil().pdf", valid_until=date(2027, 3, 31))
    answer = Answer(assessment_id=evil.score.assessment_id, question_key="aims.leadership",
                    value=INJECTION)  # fmt: skip
    session.add(answer)
    session.flush()
    session.add(
        AnswerEvidence(answer_id=answer.id, evidence_id=evidence.id, review_state="accepted")
    )
    session.commit()
    return org, analyst, vendor, evidence


def _workbook(session, org, filters=RegisterFilters()):
    out = io.BytesIO()
    rows = write_register_workbook(
        out, session=session, organisation_id=org.id, filters=filters, generated_by="Tester"
    )
    out.seek(0)
    return rows, load_workbook(out)


def _rows(sheet):
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def test_workbook_sheets_cells_and_formats(session, world):
    org, analyst, _vendor, evidence = world
    count, wb = _workbook(session, org)
    assert count == 2 and wb.sheetnames == SHEETS
    assert wb["Lists"].sheet_state == "hidden"

    register = wb["Register"]
    assert register.freeze_panes == "A2" and register.auto_filter.ref == "A1:X3"
    assert register.column_dimensions["A"].width == 34
    _header, rows = _rows(register)
    evil = next(r for r in rows if r["Vendor"] != "Plain Vendor SE")
    assert evil["Maturity (scored)"] == 2.35 and isinstance(evil["Maturity (scored)"], float)
    assert register["I2"].number_format == "0.0"
    assert evil["Residual risk"] == "high (provisional)" and evil["Open critical"] == 1
    assert evil["Treatment due"] == datetime(2026, 9, 30)
    assert register.cell(row=2 + rows.index(evil), column=23).number_format == "yyyy-mm-dd"
    assert evil["Owner"] == analyst.name and evil["Treatment"] == "mitigate"
    assert "S19 Cloud services: SaaS" in evil["ICT services"]
    validated = {str(dv.sqref): dv.formula1 for dv in register.data_validations.dataValidation}
    assert validated == {
        "T2:T1048576": "Lists!$A$1:$A$1",
        "U2:U1048576": "Lists!$B$1:$B$4",
        "D2:D1048576": "Lists!$C$1:$C$3",
    }
    assert [c.value for c in wb["Lists"]["B"]] == ["accept", "mitigate", "transfer", "avoid"]

    domains = wb["Domain maturity"]
    level_cell = next(r for r in domains.iter_rows(min_row=2) if r[0].value != "Plain Vendor SE")[1]
    assert level_cell.value == 2.35 and level_cell.fill.fgColor.rgb.endswith("E3A63B")  # level 2

    _, findings = _rows(wb["Findings"])
    assert [f["Severity"] for f in findings] == ["critical"]
    assert wb["Findings"].data_validations.dataValidation  # status and owner dropdowns

    _, clauses = _rows(wb["Contract clauses"])
    contingency = next(c for c in clauses if c["Clause"] == "Art. 30(3)(c)")
    assert contingency["Vendor says"] == "yes" and contingency["Our review"] == "no"
    assert contingency["Counts as"] == "no" and contingency["Where in the contract"] == "'=1+1"
    assert contingency["Critical or important function"] == "yes"
    assert len([c for c in clauses if c["Vendor"] == contingency["Vendor"]]) == 15

    _, files = _rows(wb["Evidence index"])
    assert files[0]["SHA-256"] == evidence.sha256 and files[0]["Valid until"] == datetime(
        2027, 3, 31
    )
    assert files[0]["Question"] == "aims.leadership" and files[0]["Question text"]

    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Generated by"] == "Tester" and about["Scoring model version"] == MODEL_VERSION
    assert (
        about["Filters"] == "none (whole portfolio)"
        and about["Assay risk register"] == "Harbour Bank"
    )


def test_every_text_cell_that_looks_like_a_formula_arrives_as_text(session, world):
    org, *_ = world
    _, wb = _workbook(session, org)
    dangerous = []
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if (
                    isinstance(cell.value, str)
                    and cell.value
                    and cell.value.lstrip("'")[:1] in "=+-@"
                ):
                    dangerous.append((sheet.title, cell.coordinate, cell.value, cell.data_type))
    assert dangerous, "the fixture puts formulas into vendor, finding, AI system and file names"
    assert all(value.startswith("'") and kind == "s" for *_, value, kind in dangerous), dangerous
    found = {value for _, _, value, _ in dangerous}
    assert "'" + INJECTION in found  # vendor name and AI system purpose
    assert "'@cmd|' /C calc'!A0" in found and "'+SUM(1,2)" in found
    assert "'=evil().pdf" in found and "'-2+3" in found


def test_filters_narrow_every_sheet(session, world):
    org, *_ = world
    count, wb = _workbook(session, org, RegisterFilters(residual="medium"))
    assert count == 1
    assert [r["Vendor"] for r in _rows(wb["Register"])[1]] == ["Plain Vendor SE"]
    assert _rows(wb["Findings"])[1] == [] and _rows(wb["Evidence index"])[1] == []
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Filters"] == "residual=medium"


def test_web_and_api_downloads_are_audited(client, session, world):
    _org, analyst, *_ = world
    login(client, analyst.email)
    response = client.get("/register/export.xlsx?tier=high")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert len(_rows(wb["Register"])[1]) == 2
    api = client.get("/api/v1/register.xlsx")
    assert api.status_code == 200 and load_workbook(io.BytesIO(api.content)).sheetnames == SHEETS
    session.rollback()
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "register.exported")).all()
    assert [e.data["filters"] for e in events] == [{"tier": "high"}, {}]
    assert all(e.actor_id == analyst.id for e in events)


def test_cli_export_register(monkeypatch, settings, session, world, tmp_path, capsys):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "register.xlsx"
    assert main(["export", "register", "--out", str(out)]) == 0
    assert "2 vendor(s)" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    assert {r["Vendor"] for r in _rows(wb["Register"])[1]} == {"'" + INJECTION, "Plain Vendor SE"}
    make_org(session, name="Second Bank")
    session.commit()
    assert main(["export", "register", "--out", str(out)]) == 1
    assert "--org" in capsys.readouterr().err
