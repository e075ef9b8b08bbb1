"""Turn what a form, an API call or a spreadsheet cell sent into a valid answer value (pure).

One function for every entry point, so the browser, the Excel round trip and the JSON API accept
and refuse exactly the same values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import InvalidInput
from app.questionnaires.schema import GroupField, Question, QuestionType

MAX_TEXT = 20_000
MAX_GROUP_ROWS = 200


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def coerce_answer(question: Question | GroupField, raw: Any) -> Any:
    """The stored form of an answer, or InvalidInput saying what is wrong. Blank → None."""
    if _blank(raw):
        return None
    kind = QuestionType(question.type)
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        value = str(raw[0] if isinstance(raw, list) else raw).strip()
        if value not in {o.value for o in question.options}:
            raise InvalidInput(f"Choose one of the offered options (got {value[:60]!r}).")
        return value
    if kind == QuestionType.multi_choice:
        values = (
            raw if isinstance(raw, list) else [v for v in str(raw).replace(";", ",").split(",")]
        )
        chosen = [str(v).strip() for v in values if str(v).strip()]
        allowed = [o.value for o in question.options]
        unknown = [v for v in chosen if v not in allowed]
        if unknown:
            raise InvalidInput(f"Not an option: {', '.join(u[:60] for u in unknown)}.")
        return [v for v in allowed if v in chosen]  # definition order, no duplicates
    if kind == QuestionType.maturity:
        try:
            level = int(str(raw).strip())
        except ValueError:
            raise InvalidInput("Choose a maturity level from 0 to 5.") from None
        if not 0 <= level <= 5:
            raise InvalidInput("Choose a maturity level from 0 to 5.")
        return level
    if kind == QuestionType.number:
        try:
            number = float(str(raw).strip().replace(",", "."))
        except ValueError:
            raise InvalidInput("Enter a number.") from None
        if number != number or abs(number) > 1e15:
            raise InvalidInput("Enter a finite number.")
        return int(number) if number.is_integer() else number
    if kind == QuestionType.date:
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()[:10]).isoformat()
        except ValueError:
            raise InvalidInput("Enter a date as YYYY-MM-DD.") from None
    if kind == QuestionType.text:
        text = str(raw)
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"Keep the answer under {MAX_TEXT:,} characters.")
        return text.strip()
    if kind == QuestionType.group:
        return _coerce_group(question, raw)
    if kind == QuestionType.evidence_only:
        raise InvalidInput("This question is answered by attaching evidence.")
    raise InvalidInput(f"Unsupported question type {kind}.")


def _coerce_group(question: Question, raw: Any) -> list[dict[str, Any]] | None:
    if not isinstance(raw, list):
        raise InvalidInput("A list of rows is expected.")
    if len(raw) > MAX_GROUP_ROWS:
        raise InvalidInput(f"At most {MAX_GROUP_ROWS} rows.")
    rows = []
    for number, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            raise InvalidInput(f"Row {number}: a set of fields is expected.")
        unknown = set(row) - {f.key for f in question.fields}
        if unknown:
            raise InvalidInput(f"Row {number}: unknown field {sorted(unknown)[0]!r}.")
        clean = {}
        for field in question.fields:
            try:
                clean[field.key] = coerce_answer(field, row.get(field.key))
            except InvalidInput as exc:
                raise InvalidInput(f"Row {number}, {field.text}: {exc.message}") from None
        if any(v is not None for v in clean.values()):
            rows.append(clean)
    return rows or None


def is_answered(question: Question, value: Any) -> bool:
    return not _blank(value)


def display_value(question: Question | GroupField, value: Any) -> str:
    """An answer as a person reads it: option labels, level descriptors, group rows as lines."""
    if value is None or value == [] or value == "":
        return "—"
    kind = QuestionType(question.type)
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        option = next((o for o in question.options if o.value == value), None)
        return option.label if option else str(value)
    if kind == QuestionType.multi_choice:
        labels = {o.value: o.label for o in question.options}
        return "; ".join(labels.get(v, str(v)) for v in value)
    if kind == QuestionType.maturity and isinstance(question, Question):
        descriptor = question.levels.get(int(value))
        return f"{value} – {descriptor}" if descriptor else str(value)
    if kind == QuestionType.group and isinstance(question, Question):
        lines = []
        for number, row in enumerate(value, start=1):
            cells = [
                f"{f.text}: {display_value(f, row.get(f.key))}"
                for f in question.fields
                if row.get(f.key) is not None
            ]
            lines.append(f"{number}. " + " · ".join(cells))
        return "\n".join(lines)
    return str(value)
