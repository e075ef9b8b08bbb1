"""The Excel round trip: export, fill in offline, preview, apply all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from app.assessments.service import answers_of, save_answer
from app.errors import Conflict, InvalidInput
from app.models import Questionnaire
from app.portal import excel
from app.questionnaires.service import questionnaire_of
from tests.helpers import login


def _export(session, world) -> bytes:
    return excel.export_workbook(session=session, assessment=world.assessment)


def _edit(data: bytes, edits: dict[str, dict[int, object]]) -> bytes:
    """Set cells by question key: {key: {column: value}}."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[excel.SHEET]
    for row in ws.iter_rows(min_row=2):
        key = row[excel.COL_KEY - 1].value
        for column, value in edits.get(key, {}).items():
            row[column - 1].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_workbook_has_protection_hidden_columns_and_dropdowns(session, world):
    wb = load_workbook(io.BytesIO(_export(session, world)))
    ws = wb[excel.SHEET]
    assert [c.value for c in ws[1]] == excel.HEADERS
    assert ws.protection.sheet
    assert ws.column_dimensions["B"].hidden and ws.column_dimensions["H"].hidden
    assert wb[excel.META_SHEET].sheet_state == "veryHidden"
    keys = [r[excel.COL_KEY - 1].value for r in ws.iter_rows(min_row=2)]
    assert keys == ["gov.policy", "gov.role", "gov.notes"]  # only what the vendor is shown
    assert not ws.cell(2, excel.COL_ANSWER).protection.locked
    assert ws.cell(2, excel.COL_TEXT).protection.locked
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert len(formulas) == 2  # maturity 0–5 and the role options
    assert "0 = level 0" in ws.cell(2, excel.COL_OPTIONS).value
    assert ws.cell(3, excel.COL_OPTIONS).value == "Provider\nDeployer\nNone"  # labels, no codes


def test_formula_like_text_is_neutralised_on_export_and_read_back_as_text(session, world):
    save_answer(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        key="gov.notes",
        raw_value='=HYPERLINK("http://evil")',
        expected_version=0,
    )
    session.commit()
    data = _export(session, world)
    ws = load_workbook(io.BytesIO(data))[excel.SHEET]
    assert ws.cell(4, excel.COL_ANSWER).value.startswith("'=")
    preview = excel.preview_import(session=session, assessment=world.assessment, data=data)
    assert preview.ok and preview.changes == []  # the round trip changes nothing


def test_export_fill_import_gives_the_same_answers(client, session, world):
    login(client, world.contact.email)
    exported = client.get(f"/portal/assessments/{world.assessment.id}/export.xlsx")
    assert exported.status_code == 200
    filled = _edit(
        exported.content,
        {
            "gov.policy": {excel.COL_ANSWER: 3, excel.COL_COMMENT: "Approved by the board"},
            "gov.role": {excel.COL_ANSWER: "Provider"},  # by its label
            "gov.notes": {excel.COL_ANSWER: "=ISO 9001 certified"},  # a "formula": text
        },
    )
    preview = client.post(
        f"/portal/assessments/{world.assessment.id}/import",
        files={"workbook": ("answers.xlsx", filled, "application/octet-stream")},
    )
    assert preview.status_code == 200, preview.text
    assert "Changes (3)" in preview.text
    assert "3 – level 3" in preview.text
    applied = client.post(
        f"/portal/assessments/{world.assessment.id}/import/apply",
        data={"change": _changes(preview.text)},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    session.rollback()
    session.expire_all()
    answers = answers_of(session=session, assessment_id=world.assessment.id)
    assert answers["gov.policy"].value == 3
    assert answers["gov.policy"].comment == "Approved by the board"
    assert answers["gov.role"].value == "provider"
    assert answers["gov.notes"].value == "=ISO 9001 certified"
    # Exporting again shows the question the role revealed; unchanged, nothing to do.
    again = client.get(f"/portal/assessments/{world.assessment.id}/export.xlsx").content
    ws = load_workbook(io.BytesIO(again))[excel.SHEET]
    assert "gov.provider_qms" in [r[excel.COL_KEY - 1].value for r in ws.iter_rows(min_row=2)]
    assert ws.cell(3, excel.COL_ANSWER).value == "Provider"
    preview = excel.preview_import(session=session, assessment=world.assessment, data=again)
    assert preview.ok and preview.changes == []


def _changes(page: str) -> list[str]:
    import html
    import re

    return [html.unescape(v) for v in re.findall(r'name="change" value="([^"]+)"', page)]


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"gov.role": {excel.COL_KEY: "gov.invented"}}, "Unknown question key"),
        ({"gov.role": {excel.COL_TEXT: "Which role? (edited)"}}, "locked column"),
        ({"gov.role": {excel.COL_ANSWER: "overlord"}}, "Allowed: Provider; Deployer; None"),
        ({"gov.policy": {excel.COL_ANSWER: "7"}}, "maturity level from 0 to 5"),
        ({"gov.role": {excel.COL_VERSION: "abc"}}, "hidden version was edited"),
    ],
)
def test_row_errors_are_listed_and_nothing_is_applied(session, world, edits, message):
    data = _edit(_export(session, world), {"gov.notes": {excel.COL_ANSWER: "fine"}, **edits})
    preview = excel.preview_import(session=session, assessment=world.assessment, data=data)
    assert not preview.ok
    assert any(message in e.message for e in preview.errors), preview.errors
    assert all(e.row >= 2 for e in preview.errors)


def test_tampered_files_are_refused_through_the_page(client, session, world):
    login(client, world.contact.email)
    url = f"/portal/assessments/{world.assessment.id}/import"
    not_xlsx = client.post(url, files={"workbook": ("a.xlsx", b"PK\x03\x04 nonsense", "x")})
    assert not_xlsx.status_code == 422 and "not an Excel workbook" in not_xlsx.text
    wb = load_workbook(io.BytesIO(_export(session, world)))
    wb[excel.SHEET].title = "Renamed"
    out = io.BytesIO()
    wb.save(out)
    renamed = client.post(url, files={"workbook": ("a.xlsx", out.getvalue(), "x")})
    assert renamed.status_code == 422 and "no sheet named" in renamed.text
    tampered = _edit(_export(session, world), {"gov.role": {excel.COL_KEY: "gov.other"}})
    response = client.post(url, files={"workbook": ("a.xlsx", tampered, "x")})
    assert response.status_code == 422
    assert "Unknown question key" in response.text and "Apply" not in response.text
    assert answers_of(session=session, assessment_id=world.assessment.id) == {}


def test_workbook_of_another_assessment_is_refused(session, world):
    from tests.factories import make_assessment

    other = make_assessment(session, world.org, world.vendor, world.procurement)
    session.commit()
    data = excel.export_workbook(session=session, assessment=other)
    with pytest.raises(InvalidInput, match="another assessment"):
        excel.preview_import(session=session, assessment=world.assessment, data=data)


def test_too_large_is_refused(session, world):
    row = session.get(Questionnaire, world.assessment.questionnaire_id)
    with pytest.raises(Exception, match="larger than"):
        excel.parse_workbook(
            b"x" * (excel.MAX_BYTES + 1),
            assessment_id=world.assessment.id,
            content_hash=row.content_hash,
            questionnaire=questionnaire_of(session=session, assessment=world.assessment),
        )


def test_a_colleagues_later_change_blocks_only_the_row_it_touched(session, world):
    data = _export(session, world)
    # Someone answers gov.role in the portal after the export.
    save_answer(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        key="gov.role",
        raw_value="deployer",
        expected_version=0,
    )
    session.commit()
    filled = _edit(
        data, {"gov.role": {excel.COL_ANSWER: "Provider"}, "gov.notes": {excel.COL_ANSWER: "ok"}}
    )
    preview = excel.preview_import(session=session, assessment=world.assessment, data=filled)
    assert preview.ok and [c.key for c in preview.changes] == ["gov.notes"]
    [blocked] = preview.blocked
    assert "Changed in the portal since this workbook was exported" in blocked.message
    assert "now: Deployer" in blocked.message and blocked.row == 3


def test_a_change_after_the_preview_leaves_only_that_row_out(session, world):
    filled = _edit(
        _export(session, world),
        {"gov.policy": {excel.COL_ANSWER: 2}, "gov.notes": {excel.COL_ANSWER: "from excel"}},
    )
    preview = excel.preview_import(session=session, assessment=world.assessment, data=filled)
    assert preview.ok and len(preview.changes) == 2
    save_answer(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        key="gov.notes",
        raw_value="typed in the portal",
        expected_version=0,
    )
    session.commit()
    result = excel.apply_import(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        changes=[json.loads(c.as_json()) for c in preview.changes],
    )
    session.commit()
    assert (result.applied, result.blocked) == (1, ["gov.notes"])
    answers = answers_of(session=session, assessment_id=world.assessment.id)
    assert answers["gov.policy"].value == 2
    assert answers["gov.notes"].value == "typed in the portal"  # the colleague's answer stands
    with pytest.raises(Conflict, match="Nothing was applied"):
        excel.apply_import(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            changes=[{"key": "gov.notes", "value": "again", "version": 0}],
        )


TABLE_QUESTIONNAIRE = {
    "key": "table-test",
    "version": 1,
    "title": "Table test",
    "sections": [
        {
            "key": "systems",
            "title": "Systems",
            "questions": [
                {
                    "key": "sys.list",
                    "text": "List each AI system",
                    "type": "group",
                    "fields": [
                        {"key": "name", "text": "Name", "type": "text"},
                        {
                            "key": "risk",
                            "text": "Risk class",
                            "type": "single_choice",
                            "options": [
                                {"value": "high", "label": "High risk"},
                                {"value": "limited", "label": "Limited risk"},
                            ],
                        },
                        {
                            "key": "uses",
                            "text": "Uses",
                            "type": "multi_choice",
                            "required": False,
                            "options": [
                                {"value": "hr", "label": "Hiring, promotion"},
                                {"value": "credit", "label": "Credit scoring"},
                            ],
                        },
                    ],
                },
                {
                    "key": "sys.role",
                    "text": "Your role?",
                    "type": "yes_no_na",
                    "options": [
                        {"value": "yes", "label": "Yes"},
                        {"value": "no", "label": "No"},
                        {"value": "na", "label": "Not applicable"},
                    ],
                },
            ],
        }
    ],
}


def test_a_table_question_is_rows_in_its_own_sheet_by_labels(session, world):
    from tests.factories import make_assessment, make_questionnaire

    questionnaire = make_questionnaire(session, TABLE_QUESTIONNAIRE)
    assessment = make_assessment(session, world.org, world.vendor, world.procurement,
                                 questionnaire, status="in_progress")  # fmt: skip
    save_answer(session=session, actor=world.contact, assessment=assessment, key="sys.list",
                raw_value=[{"name": "=Scorer", "risk": "high", "uses": ["hr", "credit"]}],
                expected_version=0)  # fmt: skip
    session.commit()
    wb = load_workbook(io.BytesIO(excel.export_workbook(session=session, assessment=assessment)))
    answers_sheet = wb[excel.SHEET]
    assert answers_sheet.cell(2, excel.COL_ANSWER).value == "See the sheet “Table 1”"
    assert answers_sheet.cell(2, excel.COL_ANSWER).protection.locked
    table = wb["Table 1"]
    assert [c.value for c in table[2]] == ["Name", "Risk class", "Uses (optional)"]
    assert [c.value for c in table[3]] == [
        "'=Scorer",
        "High risk",
        "Hiring, promotion; Credit scoring",
    ]
    assert not table.cell(4, 1).protection.locked  # room for more rows
    # A second item by labels and codes, and the yes/no answer by its label.
    table.cell(4, 1).value = "Chatbot"
    table.cell(4, 2).value = "limited"
    table.cell(4, 3).value = "Credit scoring"
    answers_sheet.cell(3, excel.COL_ANSWER).value = "not applicable"
    out = io.BytesIO()
    wb.save(out)
    preview = excel.preview_import(session=session, assessment=assessment, data=out.getvalue())
    assert preview.ok, preview.errors
    changes = {c.key: c.value for c in preview.changes}
    assert changes["sys.list"] == [
        {"name": "=Scorer", "risk": "high", "uses": ["hr", "credit"]},
        {"name": "Chatbot", "risk": "limited", "uses": ["credit"]},
    ]
    assert changes["sys.role"] == "na"
    # A wrong option in the table names the sheet, the row and the allowed values.
    table.cell(4, 2).value = "Extreme"
    out = io.BytesIO()
    wb.save(out)
    preview = excel.preview_import(session=session, assessment=assessment, data=out.getvalue())
    [error] = preview.errors
    assert "Sheet “Table 1”, row 4, Risk class" in error.message
    assert "Allowed: High risk; Limited risk" in error.message
