"""Vendor import: the file reader on real and hostile files, the template, upload → preview → apply."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select

from app.models import AuditEvent, Role, Vendor
from app.vendors import importing
from app.vendors.identifiers import lei_with_check_digits
from app.vendors.importing import ImportFileError, read_import_file
from tests.factories import make_user
from tests.helpers import login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor

LEI_A = lei_with_check_digits("5299009IMPORTVNDA1")
LEI_B = lei_with_check_digits("5299009IMPORTVNDB1")


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["legal_name", "identifier", "hq_country", "last_audit_date", "annual_expense"]


# --- reader ---------------------------------------------------------------------------------------


def test_reads_xlsx_with_typed_cells_and_formulas_as_text():
    content = xlsx(
        [
            HEADER,
            ["Alpha SE", LEI_A, "DE", date(2026, 3, 1), 1500.0],
            [None, None, None, None, None],
            ['=HYPERLINK("http://evil")', LEI_B, "FR", None, 12.5],
        ]
    )
    rows = read_import_file("vendors.xlsx", content)
    assert rows == [
        (
            2,
            {
                "legal_name": "Alpha SE",
                "identifier": LEI_A,
                "hq_country": "DE",
                "last_audit_date": "2026-03-01",
                "annual_expense": "1500",
            },
        ),
        (
            4,
            {
                "legal_name": '=HYPERLINK("http://evil")',
                "identifier": LEI_B,
                "hq_country": "FR",
                "last_audit_date": "",
                "annual_expense": "12.5",
            },
        ),
    ]


def test_reads_utf8_csv_with_bom_and_semicolons():
    content = f"\ufefflegal_name;identifier;hq_country\nMüller AG;{LEI_A};DE\n".encode()
    assert read_import_file("v.csv", content) == [
        (2, {"legal_name": "Müller AG", "identifier": LEI_A, "hq_country": "DE"})
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("v.xlsx", b"legal_name,identifier\n", "not an .xlsx workbook"),
        ("v.xlsx", b"PK\x03\x04garbage", "could not be read"),
        ("v.csv", "legal_name,identifier,hq_country\nMüller,X,DE\n".encode("cp1252"), "not UTF-8"),
        ("v.csv", b"legal_name,identifier,hq_country\nA\x00,B,C\n", "binary data"),
        ("v.pdf", b"%PDF-1.4", "Upload an .xlsx workbook or a .csv"),
        ("v.csv", b"", "empty"),
        ("v.csv", b"legal_name,identifier\nA,B\n", "Missing required column(s): hq_country"),
        (
            "v.csv",
            b"legal_name,identifier,hq_country,colour\nA,B,DE,red\n",
            "Unknown column(s): colour",
        ),
        ("v.csv", b"legal_name,identifier,hq_country,identifier\n", "appear twice"),
        ("v.csv", b"legal_name,identifier,hq_country\n", "no vendors"),
        (
            "v.csv",
            b'legal_name,identifier,hq_country\n"' + b"x" * 200_000 + b'",B,DE\n',
            "could not be read",
        ),
    ],
)
def test_malformed_files_get_a_clear_message(name, content, message):
    with pytest.raises(ImportFileError) as caught:
        read_import_file(name, content)
    assert message in str(caught.value)


def test_row_limit():
    lines = ["legal_name,identifier,hq_country"] + [f"V{n},ID{n},DE" for n in range(11)]
    content = "\n".join(lines).encode()
    assert len(read_import_file("v.csv", content, max_rows=11)) == 11
    with pytest.raises(ImportFileError, match="more than 10 vendor rows"):
        read_import_file("v.csv", content, max_rows=10)


def test_default_row_limit_is_ten_thousand():
    lines = ["legal_name,identifier,hq_country"] + ["V,ID,DE"] * 10_001
    with pytest.raises(ImportFileError, match="more than 10,000 vendor rows"):
        read_import_file("v.csv", "\n".join(lines).encode())


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportFileError, match="too large once unpacked"):
        read_import_file("v.xlsx", xlsx([HEADER, ["A" * 5000, LEI_A, "DE", None, None]]))


def test_template_has_header_dropdowns_and_reads_back():
    content = importing.template_workbook()
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Vendors"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(importing.COLUMNS)
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    column = importing.get_column_letter(header.index("identifier_type") + 1)
    assert ranges[f"{column}2:{column}10001"] == f"=Lists!${column}$1:${column}$6"
    assert workbook["Lists"].sheet_state == "hidden"
    assert zipfile.is_zipfile(io.BytesIO(content))
    # The blank template is a valid file whose only problem is having no rows.
    with pytest.raises(ImportFileError, match="no vendors"):
        read_import_file("template.xlsx", content)


# --- upload, preview, apply -----------------------------------------------------------------------


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    """Its vendor is an existing prospective one, Existing Vendor AG."""
    built = make_buyer_with_vendor(session, vendor_name="Existing Vendor AG", status="prospective")
    session.commit()
    return built


@pytest.fixture
def manager(client, world):
    return login(client, world.procurement.email)


def upload(client, name: str, content: bytes, **headers):
    return client.post(
        "/vendors/import",
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def vendor_names(engine) -> list[str]:
    with Session(engine) as session:
        return sorted(v.legal_name for v in session.exec(select(Vendor)))


def test_import_page_and_template_download(manager):
    page = manager.get("/vendors/import")
    assert page.status_code == 200 and "Download the template" in page.text
    template = manager.get("/vendors/import/template.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert load_workbook(io.BytesIO(template.content))["Vendors"]["A1"].value == "legal_name"


def test_xlsx_upload_preview_then_apply(manager, engine, world):
    existing = world.vendor
    content = xlsx(
        [
            ["legal_name", "identifier", "hq_country", "status", "supports_critical_function"],
            ["New Vendor SE", LEI_A, "DE", "active", "yes"],
            [existing.legal_name, existing.identifier, "DE", "active", None],
            [existing.legal_name + " copy", LEI_B, "de", None, "no"],
        ]
    )
    preview = upload(manager, "vendors.xlsx", content)
    assert preview.status_code == 200
    text = preview.text
    assert "2 new · 1 to update · 0 unchanged" in text
    assert "changes: status" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    assert vendor_names(engine) == ["Existing Vendor AG"]  # a preview writes nothing

    applied = manager.post("/vendors/import/apply", data={"token": token}, follow_redirects=False)
    assert applied.status_code == 303
    assert vendor_names(engine) == [
        "Existing Vendor AG",
        "Existing Vendor AG copy",
        "New Vendor SE",
    ]
    with Session(engine) as session:
        updated = session.get(Vendor, existing.id)
        assert (updated.status, updated.version) == ("active", 2)
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.action.startswith("vendor."))
        ).all()
        assert sorted(actions) == ["vendor.created", "vendor.created", "vendor.updated"]
    # A token is single use.
    again = manager.post("/vendors/import/apply", data={"token": token})
    assert again.status_code == 409 and "expired or was already applied" in again.text


def test_csv_with_errors_lists_row_column_message_and_offers_no_apply(manager, engine):
    content = (
        "legal_name,identifier,hq_country,currency\n"
        f"Good One,{LEI_A},DE,EUR\n"
        f"Bad One,{LEI_B[:-2]}00,XX,EURO\n"
    ).encode()
    response = upload(manager, "vendors.csv", content, **{"HX-Request": "true"})
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="import-result">')
    assert "<td>3</td>" in response.text
    assert "<strong>hq_country</strong>: &#39;XX&#39; is not an ISO 3166" in response.text
    assert "<strong>currency</strong>" in response.text
    assert "<strong>identifier</strong>" in response.text
    assert 'name="token"' not in response.text
    assert vendor_names(engine) == ["Existing Vendor AG"]


def test_apply_revalidates_and_writes_nothing_when_data_changed(manager, engine, world):
    content = f"legal_name,identifier,hq_country\nFresh AG,{LEI_A},DE\nOther AG,{LEI_B},DE\n"
    preview = upload(manager, "v.csv", content.encode())
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    # Meanwhile the same identifier arrives with another type in the stored rows: simulate a
    # stashed file that no longer validates by tampering with it on disk.
    pending = next((manager.app.state.settings.data_dir / "vendor-imports").glob("*.json"))
    pending.write_text(pending.read_text().replace('"DE"]', '"XX"]').replace('"DE"}', '"XX"}'))
    response = manager.post("/vendors/import/apply", data={"token": token})
    assert response.status_code == 422
    assert "nothing was imported" in response.text
    assert vendor_names(engine) == ["Existing Vendor AG"]


def test_malformed_upload_message_and_size_cap(manager, app):
    response = upload(manager, "v.xlsx", b"this is not a workbook")
    assert response.status_code == 422
    assert "not an .xlsx workbook" in response.text
    app.state.settings = app.state.settings.model_copy(update={"upload_limit_mb": 1})
    big = b"legal_name,identifier,hq_country\n" + b"x" * (1024 * 1024 + 10)
    assert upload(manager, "v.csv", big).status_code == 413


def test_other_users_cannot_apply_my_preview(client, manager, engine, world):
    content = f"legal_name,identifier,hq_country\nFresh AG,{LEI_A},DE\n".encode()
    token = re.search(
        r'name="token" value="([^"]+)"', upload(manager, "v.csv", content).text
    ).group(1)
    with Session(engine, expire_on_commit=False) as session:
        colleague = make_user(session, world.org, Role.admin)
        session.commit()
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, colleague.email)
    response = client.post("/vendors/import/apply", data={"token": token})
    assert response.status_code == 409
    assert vendor_names(engine) == ["Existing Vendor AG"]
