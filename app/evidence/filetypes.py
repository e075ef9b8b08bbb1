"""What a file really is, decided from its bytes: magic numbers, ZIP structure, UTF-8 text.

A name or a Content-Type header is the sender's claim; these checks are ours. ZIP-based files
(DOCX, XLSX, PPTX, ZIP) are inspected through their central directory only, never extracted, and
refused when they declare too many entries, too many bytes or a suspicious compression ratio.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from app.errors import InvalidInput
from app.uploads import archive_entries, bomb_reason

MAX_ZIP_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB declared in total; ratios: app/uploads.py


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    media_type: str
    extensions: tuple[str, ...]  # the first one is used when a name has none
    previewable: bool = False

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",), previewable=True)
DOCX = FileType(
    "docx",
    "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileType(
    "xlsx",
    "Excel workbook (XLSX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileType(
    "pptx",
    "PowerPoint presentation (PPTX)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
PNG = FileType("png", "PNG image", "image/png", (".png",), previewable=True)
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"), previewable=True)
TXT = FileType("txt", "plain text file", "text/plain; charset=utf-8", (".txt", ".md"))
CSV = FileType("csv", "CSV file", "text/csv; charset=utf-8", (".csv",))
ZIP = FileType("zip", "ZIP archive", "application/zip", (".zip",))

ACCEPTED = (PDF, DOCX, XLSX, PPTX, PNG, JPEG, TXT, CSV, ZIP)
BY_KEY = {t.key: t for t in ACCEPTED}
ACCEPTED_SUMMARY = "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), PNG, JPEG, TXT, CSV and ZIP"
ACCEPT_ATTRIBUTE = ",".join(ext for t in ACCEPTED for ext in t.extensions)

MAGIC = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
MARKUP_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")
OFFICE_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def not_accepted(name: str, what: str = "a file type Assay does not accept") -> InvalidInput:
    return InvalidInput(
        f"“{name}” is {what}. Accepted types: {ACCEPTED_SUMMARY}.",
    )


def detect(name: str, head: bytes, *, is_text: bool, file: BinaryIO) -> FileType:
    """The type of a complete file from its first bytes (and, for ZIPs, its directory)."""
    for magic, file_type in MAGIC:
        if head.startswith(magic):
            return file_type
    if head.startswith(ZIP_MAGIC):
        return inspect_zip(name, file)
    if is_text:
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        if start.startswith(MARKUP_STARTS):
            raise not_accepted(name, "an HTML, SVG or XML document, which Assay does not accept")
        return TXT
    raise not_accepted(name)


def inspect_zip(name: str, file: BinaryIO) -> FileType:
    """Classify a ZIP container from its central directory; refuse damaged ones and zip bombs."""
    file.seek(0, 2)
    archive_size = max(file.tell(), 1)
    file.seek(0)
    try:
        entries = archive_entries(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InvalidInput(f"“{name}” is a damaged ZIP file and cannot be accepted.") from None
    reason = bomb_reason(entries, archive_size, max_unpacked=MAX_ZIP_UNCOMPRESSED)
    if reason is not None:
        raise _bomb(name, reason)
    names = [entry.filename for entry in entries]
    if "[Content_Types].xml" in names:
        for prefix, file_type in OFFICE_PARTS:
            if any(n.startswith(prefix) for n in names):
                return file_type
    return ZIP


def _bomb(name: str, reason: str) -> InvalidInput:
    return InvalidInput(
        f"“{name}” looks like a zip bomb and was refused: {reason}. "
        "Upload the documents inside it separately."
    )


def for_name(detected: FileType, extension: str) -> FileType | None:
    """The accepted type for `detected` content named with `extension`, or None if they disagree.

    Text is one content type with two names: `.csv` makes it CSV, `.txt`/`.md` plain text.
    """
    if detected in (TXT, CSV):
        for candidate in (TXT, CSV):
            if extension in candidate.extensions:
                return candidate
        return None
    return detected if extension in detected.extensions else None
