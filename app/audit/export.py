"""The audit trail as a spreadsheet or CSV file: pure writers over events.

Every text cell goes through `safe_text`: the actor, object and data columns hold text that users
typed, and a spreadsheet would otherwise run `=HYPERLINK(...)` found there as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.models import AuditEvent
from app.spreadsheets import safe_text

COLUMNS = (
    ("Sequence", 10),
    ("Time (UTC)", 20),
    ("Actor", 30),
    ("Action", 28),
    ("Object type", 16),
    ("Object id", 12),
    ("Data", 60),
    ("IP address", 16),
    ("Hash", 20),
)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _utc_naive(at: datetime) -> datetime:
    """Spreadsheets have no time zones: the UTC wall time, as the header says."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.utcoffset() is not None else at


def event_row(event: AuditEvent) -> list[object]:
    """One event as cells; the data column is the exact stored JSON, so nothing is lost."""
    cells: list[object] = [
        event.sequence,
        _utc_naive(event.at),
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        event.ip or "",
        event.hash,
    ]
    return [safe_text(cell) for cell in cells]


def write_xlsx(events: Iterable[AuditEvent]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Audit trail")
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    rows = 1
    for event in events:
        row = event_row(event)
        time_cell = WriteOnlyCell(sheet, value=row[1])
        time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
        row[1] = time_cell
        sheet.append(row)
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{rows}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(events: Iterable[AuditEvent]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in COLUMNS])
    for event in events:
        row = event_row(event)
        row[1] = _utc_naive(event.at).isoformat(sep=" ", timespec="seconds")
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
