"""The upload pipeline on its own: limits while streaming, types by content, names, zip bombs."""

from __future__ import annotations

import hashlib

import pytest

from app.errors import InvalidInput, TooLarge
from app.evidence.storage import LocalEvidenceStore
from app.evidence.upload import check_filename, receive_upload, sanitise_filename
from tests.evidence import samples
from tests.evidence.conftest import stored_files

LIMIT = 25 * 1024 * 1024


def receive(store, name: str, data: bytes, limit: int = LIMIT):
    chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)] or [b""]
    return receive_upload(store=store, filename=name, chunks=chunks, limit=limit)


@pytest.mark.parametrize(
    ("name", "data", "key", "media_type"),
    [
        ("policy.pdf", samples.pdf_bytes(), "pdf", "application/pdf"),
        ("chart.png", samples.image_bytes("PNG"), "png", "image/png"),
        ("photo.jpg", samples.image_bytes("JPEG"), "jpeg", "image/jpeg"),
        ("photo.JPEG", samples.image_bytes("JPEG"), "jpeg", "image/jpeg"),
        (
            "policy.docx",
            samples.office_bytes("word"),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "controls.xlsx",
            samples.office_bytes("xl"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "training.pptx",
            samples.office_bytes("ppt"),
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("bundle.zip", samples.zip_bytes({"a.txt": b"a"}), "zip", "application/zip"),
        ("card.txt", "Modellkarte: Überblick ✓\n".encode(), "txt", "text/plain; charset=utf-8"),
        ("metrics.csv", b"quarter,auc\nQ1,0.87\n", "csv", "text/csv; charset=utf-8"),
    ],
)
def test_accepted_types_are_recognised_by_content(store, name, data, key, media_type):
    received = receive(store, name, data)

    assert received.file_type.key == key
    assert received.media_type == media_type
    assert received.filename == name
    assert received.blob.sha256 == hashlib.sha256(data).hexdigest()
    assert received.blob.size == len(data)
    with store.open(received.blob.storage_key) as handle:
        assert handle.read() == data


def test_too_large_stops_reading_at_the_limit_and_keeps_nothing(store: LocalEvidenceStore):
    pulled = []

    def chunks():
        for n in range(100):
            pulled.append(n)
            yield b"x" * 100

    with pytest.raises(TooLarge, match="larger than the 1,000 bytes upload limit"):
        receive_upload(store=store, filename="big.txt", chunks=chunks(), limit=1000)

    assert len(pulled) == 11  # the chunk that crossed limit + 1, and not one more
    assert stored_files(store) == []


def test_a_file_exactly_at_the_limit_is_accepted(store: LocalEvidenceStore):
    received = receive(store, "exact.txt", b"y" * 1000, limit=1000)
    assert received.blob.size == 1000


def test_empty_files_are_refused(store: LocalEvidenceStore):
    with pytest.raises(InvalidInput, match=r"“empty\.pdf” is empty"):
        receive(store, "empty.pdf", b"")
    assert stored_files(store) == []


def test_unknown_types_are_refused_with_the_accepted_list(store: LocalEvidenceStore):
    with pytest.raises(InvalidInput) as refused:
        receive(store, "setup.exe", samples.EXE)
    assert "not accept" in refused.value.message
    assert "Accepted types: PDF, Word (DOCX), Excel (XLSX)" in refused.value.message
    assert stored_files(store) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", samples.image_bytes("PNG"), "looks like a PNG image but is named .pdf"),
        ("report.pdf", b"just some notes\n", "looks like a text but is named .pdf"),
        ("scan.png", samples.image_bytes("JPEG"), "looks like a JPEG image but is named .png"),
        ("policy.zip", samples.office_bytes("word"), "looks like a Word document (DOCX)"),
        ("policy.docx", samples.office_bytes("xl"), "looks like a Excel workbook (XLSX)"),
        ("script.exe", b"echo hello\n", "looks like a text but is named .exe"),
    ],
)
def test_a_disguised_file_is_refused(store, name, data, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        receive(store, name, data)
    assert stored_files(store) == []


@pytest.mark.parametrize("name", ["report.pdf", "notes.txt", "page.html"])
def test_html_is_refused_whatever_its_name(store, name):
    with pytest.raises(InvalidInput, match="HTML, SVG or XML document"):
        receive(store, name, samples.HTML)
    assert stored_files(store) == []


def test_binary_data_with_nul_bytes_is_not_text(store):
    with pytest.raises(InvalidInput, match="Accepted types"):
        receive(store, "notes.txt", b"abc\x00def")


def test_invalid_utf8_is_not_text(store):
    with pytest.raises(InvalidInput, match="Accepted types"):
        receive(store, "latin1.csv", "naïve,café".encode("latin-1"))


def test_a_zip_bomb_by_ratio_is_refused_without_extracting(store):
    bomb = samples.zip_bomb_ratio()
    assert len(bomb) < 100_000
    with pytest.raises(InvalidInput, match="looks like a zip bomb"):
        receive(store, "archive.zip", bomb)
    assert stored_files(store) == []


def test_a_zip_bomb_by_entry_count_is_refused(store):
    with pytest.raises(InvalidInput, match="10,001 files"):
        receive(store, "many.zip", samples.zip_bomb_entries())
    assert stored_files(store) == []


def test_a_damaged_zip_is_refused(store):
    broken = samples.zip_bytes({"a.txt": b"a" * 100})[:-30]
    with pytest.raises(InvalidInput, match="damaged ZIP"):
        receive(store, "broken.zip", broken)
    assert stored_files(store) == []


def test_a_name_without_extension_gets_the_detected_one(store):
    assert receive(store, "certificate", samples.pdf_bytes()).filename == "certificate.pdf"
    assert receive(store, "README", b"hello\n").filename == "README.txt"


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "a/../b.txt"],
)
def test_path_traversal_names_are_refused(store, name):
    with pytest.raises(InvalidInput, match="contains a path"):
        receive(store, name, b"text\n")
    assert stored_files(store) == []


@pytest.mark.parametrize("name", ["report\x00.pdf", "report\n.txt", "bell\x07.txt", "x\x7f.txt"])
def test_control_character_names_are_refused(store, name):
    with pytest.raises(InvalidInput, match="control characters"):
        check_filename(name)
    with pytest.raises(InvalidInput, match="control characters"):
        receive(store, name, b"text\n")
    assert stored_files(store) == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\fakepath\\policy.pdf", "policy.pdf"),
        ("/home/vera/policy.pdf", "policy.pdf"),
        ('bad<>:"|?*name.pdf', "bad_______name.pdf"),
        ("  .hidden report .pdf ", "hidden report.pdf"),
        ("Rapport\u0301 e\u0301te\u0301.pdf", "Rapport\u0301 été.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override stripped
        ("CON.txt", "_CON.txt"),
        ("", "evidence"),
        ("...", "evidence"),
    ],
)
def test_sanitise_filename(raw, clean):
    assert sanitise_filename(raw) == clean


def test_sanitise_filename_limits_length_and_keeps_the_extension():
    clean = sanitise_filename("ü" * 300 + ".pdf")
    assert clean.endswith(".pdf")
    assert len(clean.encode()) <= 200
    assert clean == "ü" * 98 + ".pdf"
