"""The questionnaire definition as an Excel template: write any version out, read one back.

Buyers who prefer a spreadsheet author their questionnaire in it; reading it back goes through
the same validation as a YAML file, with every problem located by row instead of line. Cells
holding structure (options, levels, show_if, group fields) use short YAML flow text.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.questionnaires.loader import (
    Problem,
    QuestionnaireError,
    _DefinitionLoader,
    validate_definition,
)
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.schema import Questionnaire as Definition
from app.spreadsheets import safe_text
from app.uploads import READ_ERRORS, WorkbookRefused, WorkbookTooLarge, open_workbook

QUESTION_COLUMNS = (
    "section_key",
    "section_title",
    "section_description",
    "key",
    "text",
    "help",
    "type",
    "required",
    "weight",
    "critical",
    "options",
    "levels",
    "evidence_kinds",
    "evidence_from_level",
    "evidence_expires",
    "show_if",
    "iso42001",
    "dora",
    "ai_act",
    "nist_ai_rmf",
    "fields",
    "evidence_examples",
)
# Columns a template written before they existed may lack.
OPTIONAL_COLUMNS = frozenset({"evidence_examples"})
META_FIELDS = ("key", "version", "title", "description")
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()


def _question_row(section: Any, q: Question) -> list[Any]:
    data = q.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    options = (
        "\n".join(
            " | ".join(
                str(x) for x in (o.value, o.label, "" if o.level is None else o.level)
            ).rstrip(" |")
            for o in q.options
        )
        if q.type != QuestionType.yes_no_na or "options" in data
        else ""
    )
    first = section.questions[0].key == q.key  # section text once, on its first question
    return [
        section.key,
        section.title,
        (section.description or "") if first else "",
        q.key,
        q.text,
        q.help or "",
        q.type.value,
        "yes" if q.required else "no",
        q.weight,
        "yes" if q.critical else "no",
        options,
        "\n".join(f"{level}: {text}" for level, text in sorted(q.levels.items())),
        ", ".join(k.value for k in q.evidence.kinds) if q.evidence else "",
        q.evidence.required_from_level if q.evidence else "",
        ("yes" if q.evidence.expires else "no") if q.evidence else "",
        _flow(data["show_if"]) if "show_if" in data else "",
        ", ".join(q.refs.iso42001),
        ", ".join(q.refs.dora),
        ", ".join(q.refs.ai_act),
        ", ".join(q.refs.nist_ai_rmf),
        _flow(data["fields"]) if "fields" in data else "",
        "\n".join(f"{level}: {text}" for level, text in sorted(q.evidence_examples.items())),
    ]


def definition_to_xlsx(definition: Definition) -> bytes:
    workbook = Workbook()
    meta = workbook.active
    assert meta is not None
    meta.title = "Questionnaire"
    for name in META_FIELDS:
        meta.append([name, safe_text(getattr(definition, name) or "")])
    meta.column_dimensions["A"].width = 14
    meta.column_dimensions["B"].width = 80
    sheet = workbook.create_sheet("Questions")
    sheet.append(list(QUESTION_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for section in definition.sections:
        for question in section.questions:
            sheet.append([safe_text(v) for v in _question_row(section, question)])
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = sheet.dimensions
    types = DataValidation(
        type="list", formula1='"' + ",".join(t.value for t in QuestionType) + '"', allow_blank=False
    )
    types.add(f"G2:G{MAX_ROWS}")
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    for column in ("H", "J", "O"):
        yes_no.add(f"{column}2:{column}{MAX_ROWS}")
    sheet.add_data_validation(types)
    sheet.add_data_validation(yes_no)
    widths = (14, 22, 30, 28, 60, 40, 14, 9, 8, 8, 40, 50, 20, 10, 10, 40, 18, 18, 14, 14, 40, 50)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _RowError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text[1:] if text.startswith("'") else text  # undo formula neutralisation


def _yes(value: Any, default: bool) -> bool:
    text = _text(value).strip().lower()
    if not text:
        return default
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n"):
        return False
    raise _RowError(f"expected yes or no, got {text!r}")


def _list(value: Any) -> list[str]:
    return [part.strip() for part in _text(value).replace("\n", ",").split(",") if part.strip()]


def _yaml_cell(value: Any, column: str) -> Any:
    text = _text(value).strip()
    if not text:
        return None
    try:
        return yaml.load(text, Loader=_DefinitionLoader)  # noqa: S506 (safe loader subclass)
    except yaml.YAMLError as exc:
        raise _RowError(f"{column}: not valid YAML ({exc.__class__.__name__})") from None
    except RecursionError:  # "[[[[…" a thousand deep: no definition nests like that
        raise _RowError(f"{column}: nested too deeply") from None


def _options(value: Any) -> list[dict[str, Any]]:
    options = []
    for line in _text(value).splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise _RowError(f"options: write each option as 'value | label | level' ({line!r})")
        option: dict[str, Any] = {"value": parts[0], "label": parts[1]}
        if len(parts) > 2 and parts[2]:
            if not parts[2].isdecimal():
                raise _RowError(f"options: level must be 0–5 ({line!r})")
            option["level"] = int(parts[2])
        options.append(option)
    return options


def _levels(value: Any, column: str = "levels") -> dict[int, str]:
    levels = {}
    for line in _text(value).splitlines():
        if not line.strip():
            continue
        number, _, text = line.partition(":")
        if not number.strip().isdecimal():
            raise _RowError(f"{column}: write each level as 'N: description' ({line!r})")
        levels[int(number)] = text.strip()
    return levels


def _question_from_row(cells: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = {
        "key": _text(cells["key"]).strip(),
        "text": _text(cells["text"]).strip(),
        "type": _text(cells["type"]).strip(),
        "required": _yes(cells["required"], True),
        "critical": _yes(cells["critical"], False),
    }
    if _text(cells["help"]).strip():
        question["help"] = _text(cells["help"]).strip()
    if cells["weight"] not in (None, ""):
        try:
            question["weight"] = float(cells["weight"])
        except (TypeError, ValueError):
            raise _RowError("weight: must be a number") from None
    if options := _options(cells["options"]):
        question["options"] = options
    if levels := _levels(cells["levels"]):
        question["levels"] = levels
    if kinds := _list(cells["evidence_kinds"]):
        evidence: dict[str, Any] = {"kinds": kinds}
        if cells["evidence_from_level"] not in (None, ""):
            try:
                evidence["required_from_level"] = int(cells["evidence_from_level"])
            except (TypeError, ValueError):
                raise _RowError("evidence_from_level: must be 0–5") from None
        evidence["expires"] = _yes(cells["evidence_expires"], False)
        question["evidence"] = evidence
    if (show_if := _yaml_cell(cells["show_if"], "show_if")) is not None:
        question["show_if"] = show_if
    refs = {fw: _list(cells[fw]) for fw in ("iso42001", "dora", "ai_act", "nist_ai_rmf")}
    if any(refs.values()):
        question["refs"] = {fw: ids for fw, ids in refs.items() if ids}
    if (fields := _yaml_cell(cells["fields"], "fields")) is not None:
        question["fields"] = fields
    if examples := _levels(cells.get("evidence_examples"), "evidence_examples"):
        question["evidence_examples"] = examples
    return question


def definition_from_xlsx(content: bytes, source_name: str = "<upload>.xlsx") -> Definition:
    """Read a definition template back; QuestionnaireError naming the row of every problem."""

    def fail(message: str, row: int | None = None, key: str | None = None) -> QuestionnaireError:
        return QuestionnaireError([Problem(source_name, row, key, message)])

    if len(content) > MAX_BYTES:
        raise fail("file is larger than 5 MB")
    try:
        workbook = open_workbook(
            content, max_unpacked=MAX_UNPACKED_BYTES, read_only=True, data_only=True
        )
    except WorkbookTooLarge as exc:
        raise fail(str(exc)) from None
    except WorkbookRefused:
        raise fail("not an Excel workbook (.xlsx)") from None
    if "Questions" not in workbook.sheetnames or "Questionnaire" not in workbook.sheetnames:
        raise fail("the workbook needs the sheets 'Questionnaire' and 'Questions'")
    try:  # read-only sheets are parsed while iterating: read what is needed, once
        meta_rows = list(workbook["Questionnaire"].iter_rows(values_only=True, max_col=2))
        question_rows = list(
            itertools.islice(workbook["Questions"].iter_rows(values_only=True), MAX_ROWS + 1)
        )
    except READ_ERRORS:
        raise fail("the workbook could not be read: it is damaged") from None
    finally:
        workbook.close()
    meta = {_text(row[0]).strip(): row[1] for row in meta_rows if row and row[0]}
    rows = iter(question_rows)
    header = [(_text(h).strip()) for h in next(rows, ())]
    missing = [c for c in QUESTION_COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
    if missing:
        raise fail(f"missing columns: {', '.join(missing)}", 1)
    problems: list[Problem] = []
    sections: dict[str, dict[str, Any]] = {}
    row_of_key: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise fail(f"more than {MAX_ROWS - 1} questions", number)
        cells = dict(zip(header, values, strict=False))
        if not any(cells.get(c) not in (None, "") for c in QUESTION_COLUMNS):
            continue
        key = _text(cells.get("key")).strip() or None
        try:
            question = _question_from_row({c: cells.get(c) for c in QUESTION_COLUMNS})
        except _RowError as exc:
            problems.append(Problem(source_name, number, key, str(exc)))
            continue
        section_key = _text(cells.get("section_key")).strip()
        section = sections.setdefault(
            section_key,
            {
                "key": section_key,
                "title": _text(cells.get("section_title")).strip() or section_key,
                "questions": [],
            },
        )
        if description := _text(cells.get("section_description")).strip():
            section["description"] = description
        section["questions"].append(question)
        if key:
            row_of_key.setdefault(key, number)
    if problems:
        raise QuestionnaireError(problems)
    data = {
        "key": _text(meta.get("key")).strip(),
        "version": meta.get("version"),
        "title": _text(meta.get("title")).strip(),
        "sections": list(sections.values()),
    }
    if _text(meta.get("description")).strip():
        data["description"] = _text(meta.get("description")).strip()
    try:
        return validate_definition(data, source_name)
    except QuestionnaireError as exc:
        raise QuestionnaireError(
            [
                Problem(source_name, row_of_key.get(p.key or ""), p.key, p.message)
                for p in exc.problems
            ]
        ) from None
