"""Every upload entry point against the same hostile file set.

The entry points: the evidence library (streamed), the questionnaire upload (YAML or the Excel
template), the vendor import (xlsx or CSV) and the portal's answer workbook. Each hostile file
gets a clear refusal (status and the sentence the user reads), no row in any table, no file in
the evidence store, and an audit chain that still verifies. A Unicode-named valid file at every
entry is accepted, so the refusals are about the files, not blanket ones.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.evidence import samples
from tests.evidence.multipart import CONTENT_TYPE, multipart
from tests.factories import SMALL_QUESTIONNAIRE
from tests.security import hostile
from tests.worlds import SentAssessment

LEI = "529900T8BM49AURSDO55"
UNICODE_NAME = "Übersicht – 📊 الملف ‮gpj.exe"  # with a right-to-left override
SIX_MB = 6 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    actor: str
    send: Callable[[TestClient, SentAssessment, str, bytes], object]
    valid: Callable[[TestClient, SentAssessment], tuple[str, bytes]]  # a file this entry accepts


def _files(field: str, url: Callable[[SentAssessment], str]):
    def send(client: TestClient, site: SentAssessment, name: str, data: bytes):
        return client.post(url(site), files={field: (name, data, "application/octet-stream")})

    return send


def _upload_evidence(client: TestClient, site: SentAssessment, name: str, data: bytes):
    """Through the evidence library's upload route: the route is what these tests are about (a
    row without a file is `tests.factories.make_evidence`)."""
    return client.post(
        f"/vendors/{site.vendor.id}/evidence",
        content=multipart([("file", (name, data))]),
        headers={"Content-Type": CONTENT_TYPE, "HX-Request": "true"},
    )


def _questionnaire_yaml(client: TestClient, site: SentAssessment) -> tuple[str, bytes]:
    return "q.yaml", yaml.safe_dump({**SMALL_QUESTIONNAIRE, "key": "uploaded"}).encode()


def _vendor_csv(client: TestClient, site: SentAssessment) -> tuple[str, bytes]:
    return "vendors.csv", f"legal_name,identifier,hq_country\nNew Vendor AG,{LEI},DE\n".encode()


def _portal_workbook(client: TestClient, site: SentAssessment) -> tuple[str, bytes]:
    exported = client.get(f"/portal/assessments/{site.assessment.id}/export.xlsx")
    assert exported.status_code == 200
    return "answers.xlsx", exported.content


ENTRIES = {
    "evidence library": Entry(
        "contact", _upload_evidence, lambda c, s: ("p.pdf", samples.pdf_bytes())
    ),
    "questionnaire upload": Entry(
        "procurement", _files("file", lambda s: "/questionnaires/upload"), _questionnaire_yaml
    ),
    "vendor import": Entry("procurement", _files("file", lambda s: "/vendors/import"), _vendor_csv),
    "portal answer workbook": Entry(
        "contact",
        _files("workbook", lambda s: f"/portal/assessments/{s.assessment.id}/import"),
        _portal_workbook,
    ),
}


def _an_xlsx(entry: str, client: TestClient, site: SentAssessment) -> bytes:
    """A real workbook of the kind this entry reads (for bombs built on top of it)."""
    if entry == "portal answer workbook":
        return _portal_workbook(client, site)[1]
    if entry == "vendor import":
        return hostile.workbook_bytes([["legal_name", "identifier", "hq_country"]])
    if entry == "questionnaire upload":
        return client.get(f"/questionnaires/{site.questionnaire.id}/definition.xlsx").content
    return samples.office_bytes("xl")


# (entry, file kind) → (status, what the user reads)
EXPECTED = {
    ("evidence library", "empty"): (422, "is empty"),
    ("questionnaire upload", "empty"): (422, "the file is empty"),
    ("vendor import", "empty"): (422, "The file is empty."),
    ("portal answer workbook", "empty"): (422, "not an Excel workbook"),
    ("evidence library", "oversized"): (413, "larger than the 1 MB upload limit"),
    ("questionnaire upload", "oversized"): (422, "larger than 5 MB"),
    ("vendor import", "oversized"): (413, "larger than 1 MB"),
    ("portal answer workbook", "oversized"): (413, "larger than 5 MB"),
    ("evidence library", "PDF named .xlsx"): (422, "looks like a PDF but is named .xlsx"),
    ("questionnaire upload", "PDF named .xlsx"): (422, "not an Excel workbook (.xlsx)"),
    ("vendor import", "PDF named .xlsx"): (422, "not an .xlsx workbook"),
    ("portal answer workbook", "PDF named .xlsx"): (422, "not an Excel workbook"),
    ("evidence library", "HTML named .csv"): (422, "HTML, SVG or XML document"),
    ("questionnaire upload", "HTML named .csv"): (422, "must be a mapping"),
    ("vendor import", "HTML named .csv"): (422, "Unknown column(s)"),
    ("portal answer workbook", "HTML named .csv"): (422, "not an Excel workbook"),
    ("evidence library", "program named .csv"): (422, "Accepted types"),
    ("questionnaire upload", "program named .csv"): (422, "not UTF-8 text"),
    ("vendor import", "program named .csv"): (422, "not UTF-8 encoded"),
    ("portal answer workbook", "program named .csv"): (422, "not an Excel workbook"),
    ("evidence library", "zip bomb"): (422, "looks like a zip bomb"),
    ("questionnaire upload", "zip bomb"): (422, "too large once unpacked"),
    ("vendor import", "zip bomb"): (422, "too large once unpacked"),
    ("portal answer workbook", "zip bomb"): (422, "too large once unpacked"),
}
KINDS = sorted({kind for _, kind in EXPECTED})


def hostile_file(
    kind: str, entry: str, client: TestClient, site: SentAssessment
) -> tuple[str, bytes]:
    if kind == "empty":
        return "empty.xlsx", b""
    if kind == "oversized":
        return "big.xlsx", b"PK\x03\x04" + b"\0" * SIX_MB
    if kind == "PDF named .xlsx":
        return "workbook.xlsx", samples.pdf_bytes()
    if kind == "HTML named .csv":
        return "vendors.csv", samples.HTML
    if kind == "program named .csv":
        return "vendors.csv", samples.EXE
    if kind == "zip bomb":
        return "bomb.xlsx", hostile.bomb_workbook(_an_xlsx(entry, client, site), unpacked_mb=20)
    raise AssertionError(kind)


@pytest.fixture
def small_limit(app):
    """1 MB upload limit, so 'oversized' is cheap to send."""
    app.state.settings = app.state.settings.model_copy(update={"upload_limit_mb": 1})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("entry", list(ENTRIES))
def test_a_hostile_file_is_refused_clearly_and_nothing_is_kept(
    entry, kind, signed_in, site, ledger, small_limit
):
    client = signed_in(getattr(site, ENTRIES[entry].actor))
    name, data = hostile_file(kind, entry, client, site)
    ledger.mark()

    response = ENTRIES[entry].send(client, site, name, data)

    status, message = EXPECTED[(entry, kind)]
    assert response.status_code == status, response.text[-3000:]
    assert hostile.escaped(message) in response.text
    assert "Traceback" not in response.text
    ledger.assert_unchanged()


@pytest.mark.parametrize(
    "name",
    ["../../../etc/cron.d/assay.{}", "..\\..\\boot.ini.{}", "evil\x00.{}", "bell\x07.{}"],
)
@pytest.mark.parametrize("entry", list(ENTRIES))
def test_path_and_control_character_names_never_become_paths(
    entry, name, signed_in, site, ledger, settings
):
    """The evidence store refuses such names outright; the readers only ever show the name
    (escaped), and no file appears anywhere under the data directory."""
    client = signed_in(getattr(site, ENTRIES[entry].actor))
    valid_name, data = ENTRIES[entry].valid(client, site)
    name = name.format(valid_name.rsplit(".", 1)[1])
    before = sorted(p for p in settings.data_dir.rglob("*") if p.is_file())
    ledger.mark()

    response = ENTRIES[entry].send(client, site, name, data)

    assert response.status_code < 500
    assert "Traceback" not in response.text
    if entry == "evidence library":
        assert response.status_code == 422
        assert "contains a path" in response.text or "control characters" in response.text
        ledger.assert_unchanged()
    elif entry == "questionnaire upload":
        assert "Published" in response.text  # under its own key: the name is only a label
    after = sorted(p for p in settings.data_dir.rglob("*") if p.is_file())
    new = [p for p in after if p not in before]
    assert all(p.parent.name in ("vendor-imports",) or "evidence" in p.parts for p in new), new
    assert not any("cron" in str(p) or "boot" in str(p) for p in after)


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_a_valid_file_with_a_unicode_name_is_accepted(entry, signed_in, site, engine):
    client = signed_in(getattr(site, ENTRIES[entry].actor))
    suffix = ENTRIES[entry].valid(client, site)[0].rsplit(".", 1)[1]
    _, data = ENTRIES[entry].valid(client, site)

    response = ENTRIES[entry].send(client, site, f"{UNICODE_NAME}.{suffix}", data)

    assert response.status_code in (200, 303), response.text[-2000:]
    if entry == "evidence library":
        library = client.get(f"/vendors/{site.vendor.id}/evidence").text
        assert "Übersicht – 📊 الملف gpj.exe.pdf" in library  # the override is stripped
    if entry == "vendor import":
        assert "New Vendor AG" in response.text and 'name="token"' in response.text


def test_an_upload_that_stops_half_way_keeps_nothing(signed_in, site, ledger):
    """A body cut off inside the file (the connection dropped) is refused, nothing kept."""
    client = signed_in(site.contact)
    body = multipart([("file", ("policy.pdf", samples.pdf_bytes()))], close=False)
    ledger.mark()
    response = client.post(
        f"/vendors/{site.vendor.id}/evidence",
        content=body[: len(body) // 2],
        headers={"Content-Type": CONTENT_TYPE, "HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "ended before the file was complete" in response.text
    ledger.assert_unchanged()


def test_a_form_with_thousands_of_fields_is_refused(signed_in, site, ledger):
    client = signed_in(site.contact)
    fields = [(f"f{n}", "x") for n in range(5000)]
    ledger.mark()
    response = client.post(
        f"/vendors/{site.vendor.id}/evidence",
        content=multipart([*fields, ("file", ("a.txt", b"a\n"))]),
        headers={"Content-Type": CONTENT_TYPE, "HX-Request": "true"},
    )
    assert response.status_code == 422 and "too many fields" in response.text
    response = client.post(
        "/vendors/import",
        files={"file": ("v.csv", b"legal_name,identifier,hq_country\n")},
        data={f"f{n}": "x" for n in range(5000)},
    )
    assert 400 <= response.status_code < 500
    ledger.assert_unchanged()


def test_the_workbook_readers_keep_formulas_as_the_text_that_was_typed(signed_in, site, engine):
    """A formula typed into the portal workbook arrives as the literal text answer."""
    client = signed_in(site.contact)
    exported = client.get(f"/portal/assessments/{site.assessment.id}/export.xlsx").content
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook["Answers"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == "gov.notes")
    sheet.cell(row, 6).value = hostile.FORMULAS[0]
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = client.post(
        f"/portal/assessments/{site.assessment.id}/import",
        files={"workbook": ("answers.xlsx", buffer.getvalue())},
    )
    assert preview.status_code == 200, preview.text[-2000:]
    changes = re.findall(r'name="change" value="([^"]+)"', preview.text)
    assert changes
    applied = client.post(
        f"/portal/assessments/{site.assessment.id}/import/apply",
        data={"change": [html.unescape(c) for c in changes]},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    again = load_workbook(
        io.BytesIO(client.get(f"/portal/assessments/{site.assessment.id}/export.xlsx").content)
    )["Answers"]
    cell = again.cell(row, 6)
    assert cell.data_type != "f" and hostile.is_inert(cell.value)
    assert cell.value == "'" + hostile.FORMULAS[0]
