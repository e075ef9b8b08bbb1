"""The two files of the Register of Information (pure: built tables in, bytes out).

- The xBRL-CSV report package the ESAs accept: a zip holding one root folder with
  `META-INF/reportPackage.json`, `reports/report.json` (extending the DORA taxonomy entry point),
  `reports/parameters.csv`, `reports/FilingIndicators.csv` and one `reports/b_XX.XX.csv` per
  template (header row = column codes). UTF-8, dates YYYY-MM-DD, codes with their EBA prefix.
- A workbook for people: a sheet per template (codes row, labels row, frozen, filtered), a
  Problems sheet and an About sheet. Supervisors do not accept it; it is for review.

The package carries every value exactly as validated: a supervisor's portal reads it as data,
and an altered value (`'-…`) would be a misstatement. Only the workbook, opened by people in a
spreadsheet, passes text through `safe_text` so a name such as `=HYPERLINK(…)` never runs; the
validator refuses what would break a reader of the CSV (control characters).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.register.roi.builder import BuiltRegister
from app.register.roi.spec import Column
from app.register.roi.table import Table
from app.register.roi.taxonomy import file_name
from app.register.roi.validator import Problem
from app.register.workbook import DATE, DATETIME, HEADER_FILL, HEADER_FONT
from app.spreadsheets import safe_text

REPORT_PACKAGE = {"documentInfo": {"documentType": "https://xbrl.org/report-package/2023"}}
WIDTHS = {
    "text": 36,
    "id": 24,
    "lei": 24,
    "code": 30,
    "country": 12,
    "currency": 11,
    "date": 12,
    "int": 9,
    "money": 14,
    "flag": 8,
}


def report(built: BuiltRegister) -> dict:
    """reports/report.json: xBRL-CSV extending the entry point of the chosen release."""
    return {
        "documentInfo": {
            "documentType": "https://xbrl.org/2021/xbrl-csv",
            "extends": [built.taxonomy.entry_point],
        }
    }


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def template_csv(table: Table) -> bytes:
    """One `b_XX.XX.csv`: the column codes, then each row's values."""
    return _csv([c.code for c in table.template.columns], table.cells())


def package_name(built: BuiltRegister, generated_at: datetime, *, draft: bool = False) -> str:
    """The file name the organisation's authority expects; by default the EBA convention
    `{LEI}.IND_{CC}_DORA010100_DORA_{refDate}_{timestamp}.zip`."""
    entity = built.data.entity
    name = file_name(
        built.data.file_naming,
        lei=entity.lei,
        level=built.level,
        country=entity.country,
        module=built.taxonomy.module,
        ref_date=built.data.ref_date,
        generated_at=generated_at,
    )
    return f"DRAFT_{name}" if draft else name


def parameters(built: BuiltRegister) -> list[tuple[str, str]]:
    entity = built.data.entity
    return [
        ("entityID", f"rs:{(entity.lei or '').upper()}.{built.level}"),
        ("refPeriod", built.data.ref_date.isoformat()),
        ("baseCurrency", f"iso4217:{entity.currency or 'EUR'}"),
        ("decimalsInteger", "0"),
        ("decimalsMonetary", "-3"),
    ]


def write_package(out: IO[bytes], built: BuiltRegister, *, name: str) -> None:
    """The report package; its root folder is the file name without `.zip`."""
    root = name.removesuffix(".zip")
    indicators = built.filing_indicators
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            f"{root}/META-INF/reportPackage.json", json.dumps(REPORT_PACKAGE, indent=2)
        )
        package.writestr(f"{root}/reports/report.json", json.dumps(report(built), indent=2))
        package.writestr(
            f"{root}/reports/parameters.csv", _csv(["name", "value"], parameters(built))
        )
        package.writestr(
            f"{root}/reports/FilingIndicators.csv",
            _csv(
                ["templateID", "reported"],
                [[t, "true" if reported else "false"] for t, reported in indicators.items()],
            ),
        )
        for table in built.tables.values():
            package.writestr(f"{root}/reports/{table.template.file_name}", template_csv(table))


# --- the workbook -------------------------------------------------------------------------------


def _cell_value(column: Column, value: str) -> Any:
    """Typed where Excel can sort and filter on it; list codes carry their label."""
    if not value:
        return None
    if column.kind == "date":
        return date.fromisoformat(value)
    if column.kind == "int" and value.isdigit():
        return int(value)
    if column.kind == "money":
        return Decimal(value)
    if column.kind == "code" and column.codes and value in column.codes:
        return f"{value} ({column.codes[value]})"
    return safe_text(value)


def _header(ws, values: Sequence[str], *, wrap: bool = False) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=safe_text(value))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=wrap)
        cells.append(cell)
    return cells


def _template_sheet(workbook: Workbook, table: Table) -> None:
    columns = table.template.columns
    ws = workbook.create_sheet(table.template.id)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column.kind, 20)
    ws.freeze_panes = "A3"
    ws.append(_header(ws, [c.code for c in columns]))
    ws.append(_header(ws, [c.label for c in columns], wrap=True))
    for line in table.cells():
        cells = []
        for column, text in zip(columns, line, strict=True):
            value = _cell_value(column, text)
            if isinstance(value, date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{len(table) + 2}"


PROBLEM_COLUMNS = (
    ("Severity", 10),
    ("Rule", 12),
    ("Template", 10),
    ("Column", 8),
    ("Key", 30),
    ("What to fix", 44),
    ("Problem", 90),
    ("Fix it at", 34),
)


def _problems_sheet(workbook: Workbook, problems: Sequence[Problem], base_url: str) -> None:
    ws = workbook.create_sheet("Problems")
    for index, (_, width) in enumerate(PROBLEM_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.append(_header(ws, [name for name, _ in PROBLEM_COLUMNS]))
    for p in problems:
        link = f"{base_url.rstrip('/')}{p.link}" if p.link else ""
        ws.append(
            [
                safe_text(v)
                for v in (
                    p.severity,
                    p.rule,
                    p.template,
                    p.column,
                    p.key,
                    p.subject,
                    p.message,
                    link,
                )
            ]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(PROBLEM_COLUMNS))}{len(problems) + 1}"


def write_workbook(
    out: IO[bytes],
    built: BuiltRegister,
    problems: Sequence[Problem],
    *,
    generated_at: datetime,
    generated_by: str,
    base_url: str = "",
) -> None:
    workbook = Workbook(write_only=True)
    for table in built.tables.values():
        _template_sheet(workbook, table)
    _problems_sheet(workbook, problems, base_url)

    blocking = sum(p.blocking for p in problems)
    entity = built.data.entity
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 90
    facts: list[tuple[str, Any]] = [
        ("DORA Register of Information", entity.name),
        ("LEI", entity.lei or ""),
        ("Reference date (refPeriod)", built.data.ref_date),
        ("Date of the reporting", built.data.report_date),
        ("Generated at (UTC)", generated_at.replace(tzinfo=None)),
        ("Generated by", generated_by),
        (
            "Status",
            f"DRAFT: {blocking} blocking problem(s), a supervisor would reject this register"
            if blocking
            else "No blocking problems",
        ),
        ("Blocking problems", blocking),
        ("Warnings", len(problems) - blocking),
        ("Arrangements reported", len(built.tables["B_02.01"])),
    ]
    facts += [
        (
            f"{t.template.id} rows",
            f"{len(t)} ({'reported' if t.reported else 'not reported'}) · {t.template.title}",
        )
        for t in built.tables.values()
    ]
    facts += [("Left out", f"{e.reference} ({e.vendor}): {e.reason}") for e in built.excluded]
    facts += [
        (
            "Notes",
            "Submit the xBRL-CSV package (zip), not this workbook: supervisors do not accept "
            "Excel. Row 1 of each template sheet holds the column codes of the package, row 2 "
            "the labels; list values show their EBA code and label. In this workbook only, text "
            "starting with = + - @ is prefixed with ' so it never runs as a formula; the "
            "package carries it unchanged.",
        )
    ]
    for key, value in facts:
        head = WriteOnlyCell(about, value=safe_text(key))
        head.font = Font(bold=True)
        cell = WriteOnlyCell(about, value=safe_text(value))
        if isinstance(value, datetime):
            cell.number_format = DATETIME
        elif isinstance(value, date):
            cell.number_format = DATE
        about.append([head, cell])
    workbook.save(out)
