"""The bulk import of vendors: reading xlsx/CSV files, the template, and preview-then-apply.

Uploaded files are hostile until proven otherwise: the reader accepts only a real xlsx workbook
or a UTF-8 CSV, reads at most MAX_ROWS rows, keeps formulas as the text that was typed and
reports every problem as a sentence a procurement user can act on. Rows (from a file or the API)
are previewed first; applying writes every row or, if any is invalid, nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.audit.service import audit_diff
from app.forms import FieldErrors, field_errors_from
from app.models import User, Vendor
from app.spreadsheets import safe_text
from app.uploads import READ_ERRORS, WorkbookRefused, open_workbook
from app.vendors import codes
from app.vendors.identifiers import COUNTRY_CODES
from app.vendors.schemas import VendorCreate, normal_identifier
from app.vendors.service import (
    create_vendor,
    organisation_of,
    update_vendor,
    vendor_form_values,
)

MAX_ROWS = 10_000
CSV_FIELD_LIMIT = 100_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
PENDING_MAX_AGE_SECONDS = 24 * 3600
MAX_CELL_CHARS = 2000


def _choices(labels: Mapping[Any, str]) -> list[str]:
    """The stored values of a closed list, as the template's dropdown offers them."""
    return [str(value) for value in labels]


# Column → (what it holds, the closed list behind its dropdown if any).
COLUMNS: dict[str, tuple[str, list[str] | None]] = {
    "legal_name": ("Legal name (required)", None),
    "identifier": ("Identification code, LEI preferred (required)", None),
    "identifier_type": (
        "Type of the identification code (default LEI)",
        _choices(codes.IDENTIFIER_TYPES),
    ),
    "latin_name": ("Name in Latin alphabet, if the legal name is not", None),
    "additional_identifier": ("Additional identification code", None),
    "additional_identifier_type": ("Type of the additional code", _choices(codes.IDENTIFIER_TYPES)),
    "person_type": (codes.spelled(codes.PERSON_TYPES), _choices(codes.PERSON_TYPES)),
    "hq_country": ("Headquarters country, ISO 3166 (required)", sorted(COUNTRY_CODES)),
    "parent_name": ("Ultimate parent: name", None),
    "parent_identifier": ("Ultimate parent: identification code", None),
    "parent_identifier_type": ("Ultimate parent: type of code", _choices(codes.IDENTIFIER_TYPES)),
    "status": (codes.spelled(codes.VENDOR_STATUSES), _choices(codes.VENDOR_STATUSES)),
    "website": ("Website", None),
    "description": ("What the vendor provides", None),
    "annual_expense": ("Total annual expense", None),
    "currency": ("ISO 4217 currency (default EUR)", list(codes.CURRENCIES)),
    "supports_critical_function": ("yes or no", ["yes", "no"]),
    "data_sensitivity": (codes.spelled(codes.DATA_SENSITIVITY), _choices(codes.DATA_SENSITIVITY)),
    "substitutability": ("Substitutability", _choices(codes.SUBSTITUTABILITY)),
    "substitutability_reason": (
        "Why it is hard to substitute: "
        + "; ".join(f"{code} {text}" for code, text in codes.SUBSTITUTABILITY_REASONS.items())
        + f" (needed when {codes.spelled(codes.NEEDS_SUBSTITUTABILITY_REASON)})",
        _choices(codes.SUBSTITUTABILITY_REASONS),
    ),
    "ai_role": ("AI Act role", _choices(codes.AI_ROLES)),
    "cloud_providers": ("Cloud providers, separated by ;", None),
    "last_audit_date": ("Date of the last audit (YYYY-MM-DD)", None),
    "exit_plan": ("yes or no", ["yes", "no"]),
    "reintegration": ("Possibility of reintegration", _choices(codes.REINTEGRATION)),
}
REQUIRED_COLUMNS = ("legal_name", "identifier", "hq_country")

Rows = list[tuple[int, dict[str, str]]]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


def read_import_file(filename: str, content: bytes, *, max_rows: int = MAX_ROWS) -> Rows:
    """Rows of an uploaded xlsx or CSV as (spreadsheet row number, {column: text})."""
    name = (filename or "").lower()
    if not content:
        raise ImportFileError("The file is empty.")
    if name.endswith(".xlsx"):
        records = _xlsx_records(content)
    elif name.endswith(".csv"):
        records = _csv_records(content)
    elif content.startswith(b"PK\x03\x04"):
        records = _xlsx_records(content)
    else:
        raise ImportFileError("Upload an .xlsx workbook or a .csv file (use the template).")
    return _rows(records, max_rows)


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "This file is not an .xlsx workbook. Save it from Excel as 'Excel Workbook (.xlsx)' "
            "or as 'CSV UTF-8'."
        )
    try:
        workbook = open_workbook(
            content, max_unpacked=MAX_UNPACKED_BYTES, read_only=True, data_only=False
        )
    except WorkbookRefused as exc:
        raise ImportFileError(str(exc)) from exc
    if not workbook.worksheets:
        raise ImportFileError("The workbook has no sheet: start from the template.")
    sheet = workbook.worksheets[0]

    def generate() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except READ_ERRORS as exc:
            raise ImportFileError("The workbook could not be read: it is damaged.") from exc
        finally:
            workbook.close()

    return generate()


def _csv_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The CSV file is not UTF-8 encoded. In Excel choose 'Save as' → 'CSV UTF-8 (comma "
            "delimited)' and upload it again."
        ) from exc
    if "\x00" in text:
        raise ImportFileError("The CSV file contains binary data (NUL characters).")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def generate() -> Iterator[tuple[int, list[Any]]]:
        try:
            for values in reader:
                yield reader.line_num, list(values)
        except csv.Error as exc:
            raise ImportFileError(
                f"The CSV file could not be read near line {reader.line_num}: {exc}."
            ) from exc

    return generate()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_").rstrip("*")


def _rows(records: Iterator[tuple[int, list[Any]]], max_rows: int) -> Rows:
    header: list[str] | None = None
    rows: Rows = []
    for number, values in records:
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = _check_header(cells)
            continue
        if len(rows) >= max_rows:
            raise ImportFileError(
                f"The file has more than {max_rows:,} vendor rows: split it into smaller files."
            )
        rows.append(
            (
                number,
                {header[i]: cell for i, cell in enumerate(cells) if i < len(header) and header[i]},
            )
        )
    if header is None:
        raise ImportFileError("The file has no header row: start from the template.")
    if not rows:
        raise ImportFileError("The file has a header row but no vendors below it.")
    return rows


def _check_header(cells: list[str]) -> list[str]:
    header = [_header_key(c) for c in cells]
    named = [h for h in header if h]
    unknown = [h for h in named if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Unknown column(s): {', '.join(unknown[:10])}. Use the column names of the template."
        )
    duplicates = sorted({h for h in named if named.count(h) > 1})
    if duplicates:
        raise ImportFileError(f"Column(s) appear twice: {', '.join(duplicates)}.")
    missing = [c for c in REQUIRED_COLUMNS if c not in named]
    if missing:
        raise ImportFileError(f"Missing required column(s): {', '.join(missing)}.")
    return header


def template_workbook(example: dict[str, str] | None = None) -> bytes:
    """The import template: header row, a help row per column, dropdowns for closed lists."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Vendors"
    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet("Help")
    help_sheet.append(["Column", "What to enter"])
    help_sheet["A1"].font = help_sheet["B1"].font = Font(bold=True)
    for index, (column, (meaning, choices)) in enumerate(COLUMNS.items(), start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column)
        cell.font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column) + 2)
        help_sheet.append([column, meaning])
        if choices:
            for row, choice in enumerate(choices, start=1):
                lists.cell(row=row, column=index, value=choice)
            validation = DataValidation(
                type="list",
                formula1=f"=Lists!${letter}$1:${letter}${len(choices)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not in the list",
                error=f"Choose a value for {column} from the list.",
            )
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    if example:
        sheet.append([safe_text(example.get(column, "")) for column in COLUMNS])
    sheet.freeze_panes = "A2"
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Previewed uploads wait here until the user applies them (apply reads and validates them again).

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def stash_rows(directory: Path, *, owner: str, filename: str, rows: Rows) -> str:
    """Keep previewed rows for the apply step; returns the token the apply form posts back."""
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for old in directory.glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    payload = {"owner": owner, "filename": filename, "rows": rows}
    (directory / f"{token}.json").write_text(json.dumps(payload), encoding="utf-8")
    return token


def load_rows(directory: Path, *, owner: str, token: str) -> tuple[str, Rows] | None:
    """The stashed rows of `owner`, or None when the token is unknown, expired or not theirs."""
    if not _TOKEN.match(token or ""):
        return None
    path = directory / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("owner") != owner:
        return None
    return payload["filename"], [(int(n), dict(values)) for n, values in payload["rows"]]


def discard_rows(directory: Path, token: str) -> None:
    if _TOKEN.match(token or ""):
        (directory / f"{token}.json").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Preview and apply: rows from a file or the API; nothing is written unless every row is valid


@dataclass
class VendorImportRow:
    """One row of an import as previewed: what would happen, or why it cannot."""

    row: int
    action: str  # new | update | unchanged | error
    legal_name: str | None
    identifier: str | None
    errors: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    vendor_id: int | None = None
    data: VendorCreate | None = None


@dataclass
class VendorImportPreview:
    rows: list[VendorImportRow]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(r.row, column, message) for r in self.rows for column, message in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _existing_by_key(
    session: Session, organisation_id: int, identifiers: set[str]
) -> dict[tuple[str, str], Vendor]:
    found: dict[tuple[str, str], Vendor] = {}
    ordered = sorted(identifiers)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for vendor in session.exec(
            select(Vendor).where(
                Vendor.organisation_id == organisation_id, col(Vendor.identifier).in_(chunk)
            )
        ):
            found[(str(vendor.identifier_type), vendor.identifier)] = vendor
    return found


def _row_key(values: Mapping[str, Any]) -> tuple[str, str] | None:
    identifier = values.get("identifier")
    if not isinstance(identifier, str) or not identifier.strip():
        return None
    kind = str(values.get("identifier_type") or "LEI").strip().upper()
    return kind, normal_identifier(kind, identifier)


def preview_import(
    *, session: Session, user: User, rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> VendorImportPreview:
    """What importing `rows` (row number, {column: value}) would do; nothing is written.

    A row matches an existing vendor by identifier type and identifier; blank cells leave the
    existing value unchanged, so a sheet with a few columns updates just those.
    """
    organisation_id = organisation_of(user)
    keys = {key for _, values in rows if (key := _row_key(values))}
    existing = _existing_by_key(session, organisation_id, {identifier for _, identifier in keys})
    first_row_of: dict[tuple[str, str], int] = {}
    previews: list[VendorImportRow] = []
    for number, raw in rows:
        values = {k: v for k, v in raw.items() if v is not None and v != ""}
        key = _row_key(values)
        preview = VendorImportRow(
            row=number,
            action="error",
            legal_name=str(values.get("legal_name") or "") or None,
            identifier=key[1] if key else None,
        )
        previews.append(preview)
        for column, value in values.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                preview.errors.append(
                    (column, f"The cell has {len(value):,} characters; at most {MAX_CELL_CHARS:,}.")
                )
        if preview.errors:
            continue
        if key is not None:
            if key in first_row_of:
                preview.errors.append(
                    ("identifier", f"The same identifier is already in row {first_row_of[key]}.")
                )
                continue
            first_row_of[key] = number
        vendor = existing.get(key) if key else None
        base = vendor_form_values(vendor) if vendor else {}
        try:
            data = VendorCreate.model_validate({**base, **values})
        except ValidationError as exc:
            preview.errors.extend(field_errors_from(exc).items())
            continue
        preview.data = data
        preview.legal_name = data.legal_name
        preview.identifier = data.identifier
        if vendor is None:
            preview.action = "new"
        else:
            preview.vendor_id = vendor.id
            preview.changed = list(audit_diff(base, data.model_dump())["after"])
            preview.action = "update" if preview.changed else "unchanged"
    return VendorImportPreview(previews)


def apply_import(
    *,
    session: Session,
    actor: User,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    ip: str | None = None,
    source: str = "import",
) -> VendorImportPreview:
    """Validate again and write every row, or raise FieldErrors and write nothing."""
    preview = preview_import(session=session, user=actor, rows=rows)
    if not preview.rows:
        raise FieldErrors({"": "The import has no rows."}, "Nothing to import.")
    if preview.errors:
        problems = preview.errors
        raise FieldErrors(
            {f"row {row}, {column}": message for row, column, message in problems},
            f"{len(problems)} problem(s) in the import: nothing was imported.",
        )
    for row in preview.rows:
        assert row.data is not None
        if row.action == "new":
            vendor = create_vendor(
                session=session,
                actor=actor,
                data=row.data,
                ip=ip,
                source=source,
                identifier_checked=True,
            )
            row.vendor_id = vendor.id
        elif row.action == "update":
            current = session.get(Vendor, row.vendor_id)
            assert current is not None
            update_vendor(
                session=session,
                actor=actor,
                vendor_id=current.id or 0,
                changes=row.data.model_dump(),
                version=current.version,
                ip=ip,
                source=source,
            )
    return preview
