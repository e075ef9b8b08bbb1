"""The Excel round trip: the assessment as a workbook to answer offline, and its import.

Building and reading the workbook are pure; `export_workbook`, `preview_import` and
`apply_import` put them to work on an assessment.

One row per question. Only the Answer and Comment columns are unlocked; the key and the answer's
row version travel in hidden columns, and a hidden sheet names the assessment and questionnaire
version, so a workbook edited outside those two columns, or for another assessment, is refused
with a message per row instead of being half applied.
"""

from __future__ import annotations

import io
import json
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
from app.audit.service import record
from app.errors import Conflict, InvalidInput, TooLarge
from app.models import Assessment, Questionnaire, User
from app.questionnaires.schema import Question, QuestionType
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
    QuestionType.single_choice: "Choose one (value)",
    QuestionType.multi_choice: "Choose any (values, comma separated)",
    QuestionType.yes_no_na: "yes / no / na",
    QuestionType.maturity: "Maturity level 0–5",
    QuestionType.text: "Text",
    QuestionType.number: "Number",
    QuestionType.date: "Date (YYYY-MM-DD)",
    QuestionType.evidence_only: "Evidence only: attach files in the portal",
    QuestionType.group: "Table (JSON list of rows)",
}


@dataclass(frozen=True)
class ExportRow:
    section: str
    question: Question
    value: Any
    comment: str | None
    version: int


def _options_text(question: Question) -> str:
    kind = QuestionType(question.type)
    if kind in (QuestionType.single_choice, QuestionType.multi_choice, QuestionType.yes_no_na):
        return "\n".join(f"{o.value} = {o.label}" for o in question.options)
    if kind == QuestionType.maturity:
        return "\n".join(f"{n} = {text}" for n, text in sorted(question.levels.items()))
    if kind == QuestionType.group:
        return "Fields: " + ", ".join(f"{f.key} ({f.text})" for f in question.fields)
    return ""


def _cell_value(question: Question, value: Any) -> Any:
    """An answer as it goes into the Answer cell (what reading it back turns into the same value)."""
    if value is None:
        return None
    kind = QuestionType(question.type)
    if kind == QuestionType.multi_choice:
        return ", ".join(value)
    if kind == QuestionType.group:
        return safe_text(json.dumps(value, ensure_ascii=False))
    if kind in (QuestionType.maturity, QuestionType.number):
        return value
    return safe_text(str(value))


def _choices(question: Question) -> list[str] | None:
    kind = QuestionType(question.type)
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        return [o.value for o in question.options]
    if kind == QuestionType.maturity:
        return [str(n) for n in range(6)]
    return None


def build_workbook(
    *, rows: list[ExportRow], assessment_id: int, content_hash: str, title: str
) -> bytes:
    """The xlsx bytes: protected sheet, dropdowns for choices and levels, current answers filled."""
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
    lists: dict[tuple[str, ...], DataValidation] = {}
    editable_fill = PatternFill("solid", fgColor="FFF7E0")
    for row in rows:
        question = row.question
        ws.append(
            [
                safe_text(row.section),
                question.key,
                safe_text(question.text + ("" if question.required else " (optional)")),
                TYPE_LABELS[QuestionType(question.type)],
                safe_text(_options_text(question)),
                _cell_value(question, row.value),
                safe_text(row.comment) if row.comment else None,
                row.version,
            ]
        )
        r = ws.max_row
        for column in (COL_ANSWER, COL_COMMENT):
            cell = ws.cell(r, column)
            if column == COL_ANSWER and question.type == QuestionType.evidence_only:
                continue
            cell.protection = Protection(locked=False)
            cell.fill = editable_fill
        choices = _choices(question)
        if choices:
            signature = tuple(choices)
            validation = lists.get(signature)
            if validation is None:
                column = get_column_letter(3 + len(lists))
                for i, choice in enumerate(choices, start=1):
                    meta[f"{column}{i}"] = choice
                validation = DataValidation(
                    type="list",
                    formula1=f"'{META_SHEET}'!${column}$1:${column}${len(choices)}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Not an option",
                    error="Choose one of the offered values.",
                )
                ws.add_data_validation(validation)
                lists[signature] = validation
            validation.add(ws.cell(r, COL_ANSWER))
        for column in (COL_TEXT, COL_OPTIONS, COL_ANSWER, COL_COMMENT):
            ws.cell(r, column).alignment = Alignment(wrap_text=True, vertical="top")
    widths = {COL_SECTION: 22, COL_TEXT: 60, COL_TYPE: 18, COL_OPTIONS: 45}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.column_dimensions[get_column_letter(COL_ANSWER)].width = 30
    ws.column_dimensions[get_column_letter(COL_COMMENT)].width = 30
    ws.column_dimensions[get_column_letter(COL_KEY)].hidden = True
    ws.column_dimensions[get_column_letter(COL_VERSION)].hidden = True
    ws.freeze_panes = "C2"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    meta.protection.sheet = True
    meta.sheet_state = "veryHidden"
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


def _raw_answer(question: Question, value: Any) -> Any:
    value = _unquote(value)
    if isinstance(value, datetime):
        value = value.date()
    kind = QuestionType(question.type)
    if kind == QuestionType.group and isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            raise InvalidInput(
                "Write the table as a JSON list of rows, as exported (or answer it in the portal)."
            ) from None
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
        if question.type == QuestionType.evidence_only:
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
    """The assessment as a workbook with the current answers and their row versions."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    rows = []
    for section in questionnaire.definition.sections:
        for question in section.questions:
            answer = answers.get(question.key)
            rows.append(
                ExportRow(
                    section=section.title,
                    question=question,
                    value=answer.value if answer else None,
                    comment=answer.comment if answer else None,
                    version=answer.version if answer else 0,
                )
            )
    row = session.get(Questionnaire, assessment.questionnaire_id)
    assert row is not None
    return build_workbook(
        rows=rows,
        assessment_id=assessment.id,
        content_hash=row.content_hash,
        title=questionnaire.definition.title,
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

    @property
    def ok(self) -> bool:
        return not self.errors


def preview_import(*, session: Session, assessment: Assessment, data: bytes) -> ImportPreview:
    """Every change the workbook would make and every problem with it; nothing is saved."""
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
    errors = list(parsed.errors)
    for item in parsed.rows:
        current = answers.get(item.question.key)
        current_value = current.value if current else None
        current_comment = (current.comment or None) if current else None
        if item.value == current_value and item.comment == current_comment:
            continue
        current_version = current.version if current else 0
        if item.version != current_version:
            errors.append(
                RowError(
                    item.row,
                    item.question.text,
                    "Changed in the portal since this workbook was exported (now: "
                    f"{display_value(item.question, current_value)}). Nothing was applied; "
                    "download a fresh workbook or answer this question in the portal.",
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
    errors.sort(key=lambda e: e.row)
    return ImportPreview(changes=changes, errors=errors)


def apply_import(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    changes: list[dict[str, Any]],
    ip: str | None = None,
) -> int:
    """Save every previewed change, or none: a row changed meanwhile undoes the whole import."""
    if not changes:
        raise InvalidInput("There is nothing to apply.")
    try:
        with session.begin_nested():
            opened = lock_for_answers(session=session, assessment=assessment)
            for change in changes:
                save_answer(
                    session=session,
                    actor=actor,
                    assessment=opened,
                    key=str(change["key"]),
                    raw_value=change.get("value"),
                    expected_version=int(change["version"]),
                    comment=change.get("comment") or "",
                    ip=ip,
                )
            record(
                session=session,
                action="assessment.imported",
                actor=actor,
                organisation_id=assessment.organisation_id,
                object_type="assessment",
                object_id=assessment.id,
                data={"answers": [str(c["key"]) for c in changes]},
                ip=ip,
            )
    except AnswerConflict as exc:
        session.refresh(assessment)
        raise Conflict(
            "Nothing was applied: an answer was changed in the portal after the preview "
            f"({exc.current.question_key}). Upload the workbook again to see the differences."
        ) from None
    except (KeyError, TypeError, ValueError):
        session.refresh(assessment)
        raise InvalidInput("The import could not be read; upload the workbook again.") from None
    return len(changes)


def read_upload(upload: UploadFile) -> bytes:
    """The uploaded workbook's bytes, refused past MAX_BYTES before reading more."""
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge("The workbook is larger than 5 MB; export a fresh one.")
    return data
