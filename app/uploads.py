"""Uploaded ZIP containers (xlsx workbooks, evidence archives): refuse bombs before inflating.

An xlsx file is a zip of XML parts, so a few hundred kilobytes can inflate into gigabytes of
sheet XML. Every reader of uploaded files checks the archive's central directory here first:
too many parts, too many bytes once unpacked, or a part that unpacks to more than `MAX_RATIO`
times its compressed size (above `RATIO_FLOOR`; small parts may compress very well) is refused
without extracting anything. Python's zipfile never inflates a part beyond its declared size, so
declared sizes that lie end in a CRC error, not in an unbounded read.

`open_workbook` is the one way the vendor import, the questionnaire template and the portal's
answer workbook open an upload; `READ_ERRORS` are what a damaged or hostile workbook raises
while openpyxl reads it (expat refuses external entities and entity-expansion bombs with a
`ParseError`, a `SyntaxError`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

MAX_PARTS = 10_000
MAX_RATIO = 100  # uncompressed / compressed, for the archive and for each part
RATIO_FLOOR = 10 * 1024 * 1024

READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    EOFError,
    TypeError,
    AttributeError,
    zlib.error,
    SyntaxError,  # xml.etree.ElementTree.ParseError: entities, malformed XML
)


class WorkbookRefused(ValueError):
    """The upload is not a workbook Assay will open; the message says why, for the user."""


class WorkbookTooLarge(WorkbookRefused):
    """The archive would unpack to too much (a zip bomb, or simply too big to read)."""


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def bomb_reason(
    entries: list[zipfile.ZipInfo], archive_size: int, *, max_unpacked: int
) -> str | None:
    """Why an archive with these entries would inflate far beyond what it weighs, or None."""
    archive_size = max(archive_size, 1)
    if len(entries) > MAX_PARTS:
        return f"it holds {len(entries):,} files (at most {MAX_PARTS:,})"
    total = sum(entry.file_size for entry in entries)
    if total > max_unpacked:
        return f"it unpacks to {_megabytes(total)} (at most {_megabytes(max_unpacked)})"
    if total > RATIO_FLOOR and total > MAX_RATIO * archive_size:
        return f"it unpacks to {total // archive_size:,} times its size"
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            return f"“{entry.filename}” unpacks to over {MAX_RATIO} times its size"
    return None


def archive_entries(file: BinaryIO) -> list[zipfile.ZipInfo]:
    """The central directory of a ZIP file (raises zipfile/OS errors for damaged ones)."""
    with zipfile.ZipFile(file) as archive:
        return archive.infolist()


def open_workbook(
    data: bytes, *, max_unpacked: int, read_only: bool = False, data_only: bool = False
) -> Workbook:
    """An uploaded xlsx opened with openpyxl, or WorkbookRefused saying why not.

    With `read_only`, cells are parsed while iterating: catch `READ_ERRORS` around that too.
    """
    unreadable = "The workbook could not be read: it is damaged or not an .xlsx file."
    try:
        entries = archive_entries(io.BytesIO(data))
    except READ_ERRORS:
        raise WorkbookRefused(unreadable) from None
    reason = bomb_reason(entries, len(data), max_unpacked=max_unpacked)
    if reason is not None:
        raise WorkbookTooLarge(
            f"The workbook is too large once unpacked: {reason}. Split it into smaller files."
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only)
    except READ_ERRORS:
        raise WorkbookRefused(unreadable) from None
