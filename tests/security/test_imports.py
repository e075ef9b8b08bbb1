"""Malformed and hostile workbooks, CSV and YAML at the three importers: the vendor import
(xlsx, CSV), the questionnaire upload (YAML, the Excel template) and the portal's answer
workbook. Whole-file problems are one clear sentence; nothing is stored or published."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.vendors.importing import template_workbook
from tests.security import hostile

LEI = "529900T8BM49AURSDO55"


def _vendor_import(client, name: str, data: bytes):
    return client.post("/vendors/import", files={"file": (name, data)})


def _questionnaire_upload(client, name: str, data: bytes):
    return client.post("/questionnaires/upload", files={"file": (name, data)})


def _portal_import(client, assessment_id: int, data: bytes):
    return client.post(
        f"/portal/assessments/{assessment_id}/import", files={"workbook": ("answers.xlsx", data)}
    )


# --- entities: XXE and expansion bombs in the XML of a workbook -----------------------------------


def test_the_vendor_import_refuses_a_workbook_declaring_entities(signed_in, site, ledger):
    client = signed_in(site.procurement)
    data = hostile.entity_workbook(template_workbook(), "legal_name")
    ledger.mark()
    response = _vendor_import(client, "vendors.xlsx", data)
    assert response.status_code == 422
    assert "could not be read" in response.text
    assert "root:" not in response.text  # /etc/passwd was never read
    ledger.assert_unchanged()


def test_the_questionnaire_upload_refuses_a_template_declaring_entities(signed_in, site, ledger):
    client = signed_in(site.procurement)
    template = client.get(f"/questionnaires/{site.questionnaire.id}/definition.xlsx").content
    data = hostile.entity_workbook(template, "Small test questionnaire")
    ledger.mark()
    response = _questionnaire_upload(client, "template.xlsx", data)
    assert response.status_code == 422
    assert "not an Excel workbook" in response.text or "could not be read" in response.text
    assert "root:" not in response.text
    ledger.assert_unchanged()


def test_the_portal_refuses_an_answer_workbook_declaring_entities(signed_in, site, ledger):
    client = signed_in(site.contact)
    exported = client.get(f"/portal/assessments/{site.assessment.id}/export.xlsx").content
    data = hostile.entity_workbook(exported, "How mature is your AI policy?")
    ledger.mark()
    response = _portal_import(client, site.assessment.id, data)
    assert response.status_code == 422
    assert "not an Excel workbook" in response.text
    assert "root:" not in response.text
    ledger.assert_unchanged()


@pytest.mark.parametrize("name", sorted(hostile.not_a_workbook()))
def test_files_pretending_to_be_workbooks_are_refused_by_every_reader(
    name, signed_in, site, ledger
):
    data = hostile.not_a_workbook()[name]
    buyer = signed_in(site.procurement)
    vendor = signed_in(site.contact)
    ledger.mark()
    for response in (
        _vendor_import(buyer, "vendors.xlsx", data),
        _questionnaire_upload(buyer, "template.xlsx", data),
        _portal_import(vendor, site.assessment.id, data),
    ):
        assert response.status_code == 422, name
        assert "Traceback" not in response.text
    ledger.assert_unchanged()


# --- CSV ------------------------------------------------------------------------------------------

HEADER = "legal_name,identifier,hq_country\n"
CSV_CASES = [
    ("NUL bytes", HEADER.encode() + b"Acme\x00,X,DE\n", "binary data"),
    ("Latin-1", HEADER.encode() + "Café GmbH,X,DE\n".encode("latin-1"), "not UTF-8"),
    ("only a BOM", b"\xef\xbb\xbf", "no header row"),
    ("header only", HEADER.encode(), "no vendors"),
    ("unknown columns", b"name;<script>x</script>\nA;B\n", "Unknown column(s)"),
    (
        "an endless field",
        HEADER.encode() + b'"' + b"x" * 200_000 + b'",X,DE\n',
        "could not be read",
    ),
    (
        "an unclosed quote",
        HEADER.encode() + b'"Acme,' + LEI.encode() + b",DE\n",
        "problem",
    ),
    ("10,001 rows", (HEADER + "V,X,DE\n" * 10_001).encode(), "more than 10,000 vendor rows"),
]


@pytest.mark.parametrize(("case", "data", "message"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_a_broken_csv_gets_one_clear_sentence(case, data, message, signed_in, site, ledger):
    client = signed_in(site.procurement)
    ledger.mark()
    response = _vendor_import(client, "vendors.csv", data)
    assert response.status_code == 422, case
    assert hostile.escaped(message) in response.text, case
    assert 'name="token"' not in response.text  # nothing to apply
    ledger.assert_unchanged()


def test_csv_cells_typed_as_formulas_are_previewed_as_text_and_nothing_is_stored_yet(
    signed_in, site, ledger
):
    client = signed_in(site.procurement)
    rows = "".join(
        f'"{formula.replace(chr(34), chr(34) * 2)}",{LEI},DE\n' for formula in hostile.FORMULAS[:1]
    )
    ledger.mark()
    response = _vendor_import(client, "vendors.csv", (HEADER + rows).encode())
    assert response.status_code == 200
    assert hostile.escaped(hostile.FORMULAS[0]) in response.text
    ledger.assert_unchanged()  # a preview stores nothing


# --- YAML -----------------------------------------------------------------------------------------

YAML_CASES = [
    ("billion laughs", hostile.YAML_BILLION_LAUGHS, "anchors and aliases"),
    ("a python tag", hostile.YAML_PYTHON_TAG, "could not determine a constructor"),
    ("deep nesting", hostile.YAML_DEEP, "YAML"),
    ("duplicate keys", hostile.YAML_DUPLICATE, "duplicate key"),
    ("tabs", hostile.YAML_TABS, "YAML"),
    ("Latin-1", hostile.YAML_NOT_UTF8, "not UTF-8 text"),
    ("a list", hostile.YAML_NOT_A_MAPPING, "must be a mapping"),
    ("over 2 MB", b"key: big\n# " + b"x" * (2 * 1024 * 1024) + b"\n", "larger than 2 MB"),
]


@pytest.mark.parametrize(("case", "data", "message"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_hostile_yaml_is_refused_and_nothing_is_published(
    case, data, message, signed_in, site, ledger
):
    client = signed_in(site.procurement)
    ledger.mark()
    response = _questionnaire_upload(client, "hostile.yaml", data)
    assert response.status_code == 422, case
    assert hostile.escaped(message) in response.text, case
    assert "owned" not in response.text
    ledger.assert_unchanged()


# --- the Excel template with hostile cells --------------------------------------------------------


def _edited_template(client, site, edit) -> bytes:
    data = client.get(f"/questionnaires/{site.questionnaire.id}/definition.xlsx").content
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Questions"]
    header = [c.value for c in sheet[1]]
    edit(workbook, sheet, {name: index + 1 for index, name in enumerate(header)})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("levels", "²: superscript level", "levels"),
        ("options", "a | A | ²", "level must be 0–5"),
        ("show_if", "!!python/object/apply:os.system [echo owned]", "show_if"),
        ("show_if", "&a [*a]", "show_if"),
        ("fields", "[" * 500 + "]" * 500, "fields"),
    ],
)
def test_hostile_template_cells_are_problems_of_their_row(
    column, value, message, signed_in, site, ledger
):
    client = signed_in(site.procurement)

    def edit(workbook, sheet, columns):
        workbook["Questionnaire"]["B1"] = "hostile-template"
        sheet.cell(2, columns[column]).value = value

    data = _edited_template(client, site, edit)
    ledger.mark()
    response = _questionnaire_upload(client, "template.xlsx", data)
    assert response.status_code == 422, response.text[-1500:]
    assert "template.xlsx:2" in response.text and message in response.text
    assert "owned" not in response.text
    ledger.assert_unchanged()


def test_a_template_of_too_many_rows_is_refused(signed_in, site, ledger):
    client = signed_in(site.procurement)

    def edit(workbook, sheet, columns):
        for row in range(3, 2003):
            sheet.cell(row, columns["key"]).value = f"q{row}"

    data = _edited_template(client, site, edit)
    ledger.mark()
    response = _questionnaire_upload(client, "template.xlsx", data)
    assert response.status_code == 422 and "more than 1999 questions" in response.text
    ledger.assert_unchanged()
