"""The Excel round trip: the assessment as a workbook to answer offline, and its import.

Building and reading the workbook are pure; `export_workbook`, `preview_import` and
`apply_import` put them to work on an assessment, read through the answered sheet (`sheet.py`).

One row per question the vendor is shown. Options are written and read by their labels (their
codes are accepted too); a table question's rows go to a sheet of their own, one column per field.
Only the Answer and Comment columns (and a table's cells) are unlocked; the key and the answer's
row version travel in hidden columns, and a hidden sheet names the assessment, the questionnaire
version and the table sheets, so a workbook edited outside those cells, or for another assessment,
is refused with a message per row. A row a colleague changed in the portal after the export is
blocked; the other rows still apply.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session
from starlette.datastructures import UploadFile

from app.assessments.answers import coerce_answer, display_value
from app.assessments.service import AnswerConflict, answers_of, lock_for_answers, save_answer
from app.assessments.sheet import answered_sheet
from app.audit.service import record
from app.errors import Conflict, InvalidInput, TooLarge
from app.models import Assessment, Questionnaire, User
from app.questionnaires.schema import GroupField, Question, QuestionType
from app.questionnaires.service import Compiled, questionnaire_of
from app.spreadsheets import safe_text
from app.uploads import READ_ERRORS, WorkbookRefused, WorkbookTooLarge, open_workbook

SHEET = "Answers"
META_SHEET = "_assay"
HEADERS = [
    "Section",
    "Key",
    "Question",
    "Type",
    "Options or levels",
    "Answer",
    "Comment",
    "Version",
]
COL_SECTION, COL_KEY, COL_TEXT, COL_TYPE, COL_OPTIONS, COL_ANSWER, COL_COMMENT, COL_VERSION = range(
    1, 9
)
MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ROWS = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

TYPE_LABELS = {
    QuestionType.single_choice: "Choose one",
    QuestionType.multi_choice: "Choose any (one per line, or separated by ;)",
    QuestionType.yes_no_na: "Choose one",
    QuestionType.maturity: "Maturity level 0–5",
    QuestionType.text: "Text",
    QuestionType.number: "Number",
    QuestionType.date: "Date (YYYY-MM-DD)",
    QuestionType.evidence_only: "Evidence only: attach files in the portal",
    QuestionType.group: "Table: one row per item in its own sheet",
}
CHOICES = (QuestionType.single_choice, QuestionType.multi_choice, QuestionType.yes_no_na)
TABLE_PREFIX = "Table "
TABLE_HEADER_ROW = 2  # row 1 holds the question, row 2 the field names, rows from 3 the items
TABLE_SPARE_ROWS = 20  # unlocked empty rows under a table's items


def table_sheet(number: int) -> str:
    return f"{TABLE_PREFIX}{number}"


def table_note(sheet: str) -> str:
    return f"See the sheet “{sheet}”"


# --- options by their labels ------------------------------------------------------------------


def allowed_labels(question: Question | GroupField) -> str:
    return "; ".join(o.label for o in question.options)


def _option_value(question: Question | GroupField, text: str) -> str | None:
    """The option a cell names by its label or its code (either case), or None."""
    wanted = text.strip().casefold()
    for option in question.options:
        if wanted in (option.label.strip().casefold(), option.value.casefold()):
            return option.value
    return None


def from_cell(question: Question | GroupField, raw: Any) -> Any:
    """A cell's choice (labels or codes) or maturity level ("3" or "3 – …") as `coerce_answer`
    reads it; InvalidInput naming the allowed values when a choice is not one."""
    kind = QuestionType(question.type)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        value = _option_value(question, str(raw))
        if value is None:
            raise InvalidInput(
                f"{str(raw)[:60]!r} is not one of the options. Allowed: {allowed_labels(question)}."
            )
        return value
    if kind == QuestionType.multi_choice:
        chosen, unknown = [], []
        for part in re.split(r"[;\n]", str(raw)):
            if not part.strip():
                continue
            value = _option_value(question, part)
            if value is None:  # codes may also be separated by commas
                pieces = [_option_value(question, p) for p in part.split(",") if p.strip()]
                if pieces and all(pieces):
                    chosen += pieces
                    continue
                unknown.append(part.strip()[:60])
            else:
                chosen.append(value)
        if unknown:
            raise InvalidInput(
                f"Not an option: {', '.join(repr(u) for u in unknown)}. "
                f"Allowed: {allowed_labels(question)}."
            )
        return chosen
    if kind == QuestionType.maturity and isinstance(raw, str):
        match = re.match(r"\s*(\d+)", raw)
        return match.group(1) if match else raw
    return raw


def _options_text(question: Question) -> str:
    kind = QuestionType(question.type)
    if kind in CHOICES:
        return "\n".join(o.label for o in question.options)
    if kind == QuestionType.maturity:
        return "\n".join(f"{n} = {text}" for n, text in sorted(question.levels.items()))
    if kind == QuestionType.group:
        return "Fields: " + ", ".join(f.text for f in question.fields)
    return ""


def _cell_value(question: Question | GroupField, value: Any) -> Any:
    """An answer as it goes into a cell (what reading it back turns into the same value)."""
    if value is None:
        return None
    kind = QuestionType(question.type)
    if kind in CHOICES:
        labels = {o.value: o.label for o in question.options}
        chosen = value if isinstance(value, list) else [value]
        return safe_text("; ".join(labels.get(v, str(v)) for v in chosen))
    if kind in (QuestionType.maturity, QuestionType.number):
        return value
    return safe_text(str(value))


def _choices(question: Question | GroupField) -> list[str] | None:
    kind = QuestionType(question.type)
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        return [o.label for o in question.options]
    if kind == QuestionType.maturity:
        return [str(n) for n in range(6)]
    return None


@dataclass(frozen=True)
class ExportRow:
    section: str
    question: Question
    value: Any
    comment: str | None
    version: int


class _Lists:
    """The dropdowns of a workbook: one hidden list per set of choices, one validation per sheet
    and list, shared by its cells."""

    def __init__(self, meta) -> None:
        self.meta = meta
        self.columns: dict[tuple[str, ...], tuple[str, int]] = {}
        self.validations: dict[tuple[str, tuple[str, ...]], DataValidation] = {}

    def add(self, ws, cell, choices: list[str]) -> None:
        signature = tuple(choices)
        if signature not in self.columns:
            column = get_column_letter(3 + len(self.columns))
            for i, choice in enumerate(choices, start=1):
                self.meta[f"{column}{i}"] = safe_text(choice)
            self.columns[signature] = (column, len(choices))
        validation = self.validations.get((ws.title, signature))
        if validation is None:
            column, size = self.columns[signature]
            validation = DataValidation(
                type="list",
                formula1=f"'{META_SHEET}'!${column}$1:${column}${size}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not an option",
                error="Choose one of the offered options.",
            )
            ws.add_data_validation(validation)
            self.validations[(ws.title, signature)] = validation
        validation.add(cell)


def _unlock(cell, fill) -> None:
    cell.protection = Protection(locked=False)
    cell.fill = fill
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _table_sheet(wb, lists: _Lists, name: str, question: Question, rows: list[dict], fill) -> None:
    """A table question's items, one row each, one column per field."""
    ws = wb.create_sheet(name)
    ws.append([safe_text(question.text)])
    ws.cell(1, 1).font = Font(bold=True)
    ws.append([safe_text(f.text + ("" if f.required else " (optional)")) for f in question.fields])
    for cell in ws[TABLE_HEADER_ROW]:
        cell.font = Font(bold=True)
    for item in rows:
        ws.append([_cell_value(f, item.get(f.key)) for f in question.fields])
    last = TABLE_HEADER_ROW + len(rows) + TABLE_SPARE_ROWS
    for column, field_ in enumerate(question.fields, start=1):
        ws.column_dimensions[get_column_letter(column)].width = 28
        choices = _choices(field_)
        for row in range(TABLE_HEADER_ROW + 1, last + 1):
            cell = ws.cell(row, column)
            _unlock(cell, fill)
            if choices:
                lists.add(ws, cell, choices)
    ws.freeze_panes = f"A{TABLE_HEADER_ROW + 1}"
    ws.protection.sheet = True


def build_workbook(
    *, rows: list[ExportRow], assessment_id: int, content_hash: str, title: str
) -> bytes:
    """The xlsx bytes: protected sheets, dropdowns of labels for choices and levels, current
    answers filled, a sheet per table question."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.append(["assessment", assessment_id])
    meta.append(["questionnaire", content_hash])
    meta.append(["title", safe_text(title)])
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    lists = _Lists(meta)
    editable_fill = PatternFill("solid", fgColor="FFF7E0")
    tables: list[tuple[str, Question, list[dict]]] = []
    for row in rows:
        question = row.question
        table = None
        if question.type == QuestionType.group:
            table = table_sheet(len(tables) + 1)
            tables.append((table, question, list(row.value or [])))
        ws.append(
            [
                safe_text(row.section),
                question.key,
                safe_text(question.text + ("" if question.required else " (optional)")),
                TYPE_LABELS[QuestionType(question.type)],
                safe_text(_options_text(question)),
                table_note(table) if table else _cell_value(question, row.value),
                safe_text(row.comment) if row.comment else None,
                row.version,
            ]
        )
        r = ws.max_row
        for column in (COL_TEXT, COL_OPTIONS):
            ws.cell(r, column).alignment = Alignment(wrap_text=True, vertical="top")
        _unlock(ws.cell(r, COL_COMMENT), editable_fill)
        if table or question.type == QuestionType.evidence_only:
            continue
        _unlock(ws.cell(r, COL_ANSWER), editable_fill)
        choices = _choices(question)
        if choices:
            lists.add(ws, ws.cell(r, COL_ANSWER), choices)
    for number, (name, question, items) in enumerate(tables, start=1):
        _table_sheet(wb, lists, name, question, items, editable_fill)
        meta.cell(3 + number, 1, f"table:{question.key}")  # which sheet holds which question
        meta.cell(3 + number, 2, name)
    widths = {COL_SECTION: 22, COL_TEXT: 60, COL_TYPE: 18, COL_OPTIONS: 45}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.column_dimensions[get_column_letter(COL_ANSWER)].width = 30
    ws.column_dimensions[get_column_letter(COL_COMMENT)].width = 30
    ws.column_dimensions[get_column_letter(COL_KEY)].hidden = True
    ws.column_dimensions[get_column_letter(COL_VERSION)].hidden = True
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{ws.max_row}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    meta.protection.sheet = True
    meta.sheet_state = "veryHidden"
    wb.move_sheet(meta, offset=len(wb.sheetnames) - 1 - wb.index(meta))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading it back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    question: str
    message: str


@dataclass(frozen=True)
class ParsedRow:
    row: int
    question: Question
    value: Any  # coerced, as save_answer stores it
    comment: str | None
    version: int


@dataclass
class ParsedWorkbook:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _unquote(value: Any) -> Any:
    """Undo `safe_text`'s leading quote, and take formulas as the text they are."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def _raw_answer(question: Question | GroupField, value: Any) -> Any:
    """A cell as `coerce_answer` reads it: formulas as text, dates as dates, choices by label."""
    value = _unquote(value)
    if isinstance(value, datetime):
        value = value.date()
    kind = QuestionType(question.type)
    if kind in CHOICES or kind == QuestionType.maturity:
        value = from_cell(question, value)
    if kind == QuestionType.text and value is not None and not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, float) and value.is_integer() and kind == QuestionType.maturity:
        return int(value)
    return value


def _open(data: bytes):
    if len(data) > MAX_BYTES:
        raise TooLarge(
            f"The workbook is larger than {MAX_BYTES // (1024 * 1024)} MB; export a fresh one."
        )
    not_xlsx = "This is not an Excel workbook (.xlsx). Upload the file you downloaded here."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise InvalidInput(not_xlsx)
    except READ_ERRORS:
        raise InvalidInput(not_xlsx) from None
    try:
        return open_workbook(data, max_unpacked=MAX_UNCOMPRESSED, data_only=False)
    except WorkbookTooLarge as exc:
        raise TooLarge(str(exc)) from None
    except WorkbookRefused:
        raise InvalidInput(not_xlsx) from None


def _tables(wb, meta, questionnaire: Compiled) -> dict[str, str]:
    """Question key → the sheet holding its table, as the hidden sheet names them."""
    tables = {}
    for label, name in meta.iter_rows(min_row=4, max_col=2, values_only=True):
        label = _text(label)
        if not label.startswith("table:"):
            continue
        key = label.removeprefix("table:")
        if key in questionnaire.by_key and _text(name) in wb.sheetnames:
            tables[key] = _text(name)
    return tables


def _table_rows(wb, tables: dict[str, str], question: Question) -> list[dict[str, Any]]:
    """A table question's items from its sheet, each cell read like an answer cell."""
    name = tables.get(question.key)
    if name is None:
        raise InvalidInput("Its table sheet is missing; export a fresh workbook.")
    ws = wb[name]
    fields = question.fields
    header = [
        _text(c)
        for c in next(
            ws.iter_rows(
                min_row=TABLE_HEADER_ROW,
                max_row=TABLE_HEADER_ROW,
                max_col=len(fields),
                values_only=True,
            ),
            (),
        )
    ]
    expected = [f.text + ("" if f.required else " (optional)") for f in fields]
    if header != expected:
        raise InvalidInput(f"The column headings of the sheet “{name}” were changed.")
    if ws.max_row > MAX_ROWS:
        raise TooLarge(f"The sheet “{name}” has more than {MAX_ROWS} rows.")
    items = []
    for number, cells in enumerate(
        ws.iter_rows(min_row=TABLE_HEADER_ROW + 1, max_col=len(fields), values_only=True),
        start=TABLE_HEADER_ROW + 1,
    ):
        if all(c is None or _text(c) == "" for c in cells):
            continue
        item = {}
        for field_, cell in zip(fields, cells, strict=False):
            try:
                item[field_.key] = _raw_answer(field_, cell)
            except InvalidInput as exc:
                raise InvalidInput(
                    f"Sheet “{name}”, row {number}, {field_.text}: {exc.message}"
                ) from None
        items.append(item)
    return items


def parse_workbook(
    data: bytes, *, assessment_id: int, content_hash: str, questionnaire: Compiled
) -> ParsedWorkbook:
    """Every row's answer checked like the page checks it; whole-file problems raise InvalidInput."""
    wb = _open(data)
    if SHEET not in wb.sheetnames:
        raise InvalidInput(f"The workbook has no sheet named “{SHEET}”; upload the exported file.")
    if META_SHEET not in wb.sheetnames:
        raise InvalidInput("This workbook was not exported from Assay for this assessment.")
    meta = wb[META_SHEET]
    if _text(meta["B1"].value) != str(assessment_id):
        raise InvalidInput("This workbook belongs to another assessment.")
    if _text(meta["B2"].value) != content_hash:
        raise InvalidInput("This workbook was exported for another version of the questionnaire.")
    ws = wb[SHEET]
    header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), [])][: len(HEADERS)]
    if header != HEADERS:
        raise InvalidInput("The column headings were changed; export a fresh workbook.")
    if ws.max_row > MAX_ROWS:
        raise TooLarge(f"The sheet has more than {MAX_ROWS} rows.")
    sections = {q.key: s.title for s in questionnaire.definition.sections for q in s.questions}
    tables = _tables(wb, meta, questionnaire)
    result = ParsedWorkbook()
    seen: set[str] = set()
    for number, cells in enumerate(
        ws.iter_rows(min_row=2, max_col=len(HEADERS), values_only=True), start=2
    ):
        cells = tuple(cells) + (None,) * (len(HEADERS) - len(cells))
        if all(c is None or _text(c) == "" for c in cells):
            continue
        key = _text(cells[COL_KEY - 1])
        question = questionnaire.by_key.get(key)
        label = _text(cells[COL_TEXT - 1])[:80] or key or f"row {number}"
        if question is None:
            result.errors.append(RowError(number, label, f"Unknown question key {key[:60]!r}."))
            continue
        if key in seen:
            result.errors.append(RowError(number, question.text, "This question appears twice."))
            continue
        seen.add(key)
        expected = [
            sections[key],
            question.text + ("" if question.required else " (optional)"),
            TYPE_LABELS[QuestionType(question.type)],
            _options_text(question),
        ]
        found = [
            _text(_unquote(cells[c - 1])) for c in (COL_SECTION, COL_TEXT, COL_TYPE, COL_OPTIONS)
        ]
        if [e.strip() for e in expected] != found:
            result.errors.append(
                RowError(
                    number,
                    question.text,
                    "A locked column (section, question, type or options) was edited; "
                    "only Answer and Comment may change.",
                )
            )
            continue
        version_cell = cells[COL_VERSION - 1]
        try:
            version = int(version_cell if version_cell is not None else 0)
            if version < 0:
                raise ValueError
        except (TypeError, ValueError):
            result.errors.append(RowError(number, question.text, "The hidden version was edited."))
            continue
        raw = cells[COL_ANSWER - 1]
        if question.type == QuestionType.group:
            try:
                value = coerce_answer(question, _table_rows(wb, tables, question))
            except InvalidInput as exc:
                result.errors.append(RowError(number, question.text, exc.message))
                continue
        elif question.type == QuestionType.evidence_only:
            if _text(raw):
                result.errors.append(
                    RowError(number, question.text, "Attach files for this question in the portal.")
                )
                continue
            value = None
        else:
            try:
                value = coerce_answer(question, _raw_answer(question, raw))
            except InvalidInput as exc:
                result.errors.append(RowError(number, question.text, exc.message))
                continue
        comment = _text(_unquote(cells[COL_COMMENT - 1])) or None
        if comment is not None and len(comment) > 5000:
            result.errors.append(
                RowError(number, question.text, "Keep the comment under 5,000 characters.")
            )
            continue
        result.rows.append(ParsedRow(number, question, value, comment, version))
    return result


# --- the round trip on an assessment ----------------------------------------------------------------


def export_workbook(*, session: Session, assessment: Assessment) -> bytes:
    """The questions this vendor is shown, with the current answers and their row versions."""
    sheet = answered_sheet(session=session, assessment=assessment)
    rows = [
        ExportRow(
            section=section.title,
            question=item.question,
            value=item.value,
            comment=item.comment,
            version=item.answer.version if item.answer else 0,
        )
        for section in sheet.sections
        for item in section.shown
    ]
    row = session.get(Questionnaire, assessment.questionnaire_id)
    assert row is not None
    return build_workbook(
        rows=rows,
        assessment_id=assessment.id,
        content_hash=row.content_hash,
        title=sheet.questionnaire.definition.title,
    )


@dataclass(frozen=True)
class ImportChange:
    row: int
    key: str
    text: str
    before: str
    after: str
    value: Any
    comment: str | None
    version: int

    def as_json(self) -> str:
        return json.dumps(
            {"key": self.key, "value": self.value, "comment": self.comment, "version": self.version}
        )


@dataclass
class ImportPreview:
    changes: list[ImportChange]
    errors: list  # RowError: row, question, message
    blocked: list = field(default_factory=list)  # RowError: rows a colleague changed since

    @property
    def ok(self) -> bool:
        return not self.errors


def preview_import(*, session: Session, assessment: Assessment, data: bytes) -> ImportPreview:
    """Every change the workbook would make, every problem with it, and the rows a colleague
    changed in the portal since the export (those are left out); nothing is saved."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    row = session.get(Questionnaire, assessment.questionnaire_id)
    assert row is not None
    parsed = parse_workbook(
        data,
        assessment_id=assessment.id,
        content_hash=row.content_hash,
        questionnaire=questionnaire,
    )
    answers = answers_of(session=session, assessment_id=assessment.id)
    changes: list[ImportChange] = []
    blocked: list[RowError] = []
    for item in parsed.rows:
        current = answers.get(item.question.key)
        current_value = current.value if current else None
        current_comment = (current.comment or None) if current else None
        if item.value == current_value and item.comment == current_comment:
            continue
        current_version = current.version if current else 0
        if item.version != current_version:
            blocked.append(
                RowError(
                    item.row,
                    item.question.text,
                    "Changed in the portal since this workbook was exported (now: "
                    f"{display_value(item.question, current_value)}). This row is left out; "
                    "answer it in the portal or download a fresh workbook.",
                )
            )
            continue
        changes.append(
            ImportChange(
                row=item.row,
                key=item.question.key,
                text=item.question.text,
                before=display_value(item.question, current_value),
                after=display_value(item.question, item.value),
                value=item.value,
                comment=item.comment,
                version=item.version,
            )
        )
    errors = sorted(parsed.errors, key=lambda e: e.row)
    return ImportPreview(changes=changes, errors=errors, blocked=blocked)


@dataclass(frozen=True)
class ImportResult:
    applied: int
    blocked: list[str]  # keys a colleague changed after the preview: left as they are


def apply_import(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    changes: list[dict[str, Any]],
    ip: str | None = None,
) -> ImportResult:
    """Save the previewed changes; a row a colleague changed after the preview is left out
    (their answer stands) and the others apply. Unreadable changes apply nothing."""
    if not changes:
        raise InvalidInput("There is nothing to apply.")
    try:
        keys = [str(c["key"]) for c in changes]
        versions = [int(c["version"]) for c in changes]
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("The import could not be read; upload the workbook again.") from None
    applied, blocked = [], []
    try:
        with session.begin_nested():
            opened = lock_for_answers(session=session, assessment=assessment)
            current = answers_of(session=session, assessment_id=assessment.id)
            for change, key, version in zip(changes, keys, versions, strict=True):
                now = current[key].version if key in current else 0
                if now != version:
                    blocked.append(key)
                    continue
                save_answer(
                    session=session,
                    actor=actor,
                    assessment=opened,
                    key=key,
                    raw_value=change.get("value"),
                    expected_version=version,
                    comment=change.get("comment") or "",
                    ip=ip,
                )
                applied.append(key)
            if not applied:
                raise Conflict(
                    "Nothing was applied: every row was changed in the portal after the preview. "
                    "Upload the workbook again to see the differences."
                )
            record(
                session=session,
                action="assessment.imported",
                actor=actor,
                organisation_id=assessment.organisation_id,
                object_type="assessment",
                object_id=assessment.id,
                data={"answers": applied, "left_out": blocked},
                ip=ip,
            )
    except AnswerConflict as exc:
        session.refresh(assessment)
        raise Conflict(
            "Nothing was applied: an answer was changed in the portal while importing "
            f"({exc.current.question_key}). Upload the workbook again to see the differences."
        ) from None
    except (KeyError, TypeError, ValueError):
        session.refresh(assessment)
        raise InvalidInput("The import could not be read; upload the workbook again.") from None
    return ImportResult(applied=len(applied), blocked=blocked)


def read_upload(upload: UploadFile) -> bytes:
    """The uploaded workbook's bytes, refused past MAX_BYTES before reading more."""
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge("The workbook is larger than 5 MB; export a fresh one.")
    return data
