"""What a supervisor would reject or flag in a built register (pure).

Blocking, as the EBA's checks reject the whole file: empty primary keys (805), duplicate
primary keys (806), references to rows that do not exist (807), filing indicators that
contradict a table (808), values outside a closed list (they cannot be expressed in the
taxonomy), and LEIs whose check digits fail. Warnings, as the EBA accepts the file but flags
it: mandatory values left blank, the conditional rules v8803 (currency of total assets) and
v8805 (overarching reference of a subsequent arrangement), and a supply chain whose recipient
is not one rank up. LEIs are checked where a party is defined (B_01.01, B_01.02, B_05.01);
every other occurrence refers to those rows and is covered by 807.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from app.register.roi import codes
from app.register.roi.builder import Table
from app.register.roi.spec import TEMPLATE_BY_ID, TEMPLATES, Column, Row, Source, Template
from app.vendors.identifiers import lei_problem

BLOCKING = "blocking"
WARNING = "warning"
LEI_TYPE = codes.LEI_CODE_TYPE
# (identifier, type of code) column pairs where a party is defined.
LEI_COLUMNS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "B_01.01": (("c0010", None),),
    "B_01.02": (("c0010", None),),
    "B_05.01": (("c0010", "c0020"), ("c0030", "c0040"), ("c0110", "c0120")),
}


TEXT_KINDS = ("text", "id", "lei")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SEPARATOR = "\uffff"  # joins a column's values for one scan; neither a control nor a blank
EDGE_BLANK = re.compile(r"(?:^|\uffff)\s|\s(?:\uffff|$)")
# GLEIF registration statuses that make an LEI unfit to identify a party.
FLAGGED_LEI_STATUS = frozenset({"LAPSED", "RETIRED", "ANNULLED", "DUPLICATE", "MERGED"})


@dataclass(frozen=True)
class Problem:
    severity: str  # blocking | warning
    rule: str  # 805 | 806 | 807 | 808 | v8803 | v8805 | mandatory | code list | LEI | supply chain
    template: str
    column: str  # "" when the problem is about a whole row or table
    key: str  # the row's key values, readable
    subject: str  # what to fix: "arrangement HV-1 with Veridian Scoring Ltd"
    message: str
    link: str | None = None  # the page to fix it on

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def line(self) -> str:
        """One line for the command line and logs."""
        where = " ".join(p for p in (self.template, self.column) if p)
        return f"[{self.rule}] {where}: {self.message}"


def _fix(column: Column, source: Source) -> str:
    """Where to change the value: the row's own hint, else the column's Assay field."""
    if source.fix:
        return f" {source.fix}."
    if column.fix:
        return f" Set the {column.fix}."
    return f" {column.note}." if column.note else ""


MISSING = frozenset(("", codes.NOT_APPLICABLE_COUNTRY, codes.NOT_APPLICABLE_KEY))


class _Checker:
    def __init__(
        self,
        tables: Mapping[str, Table],
        indicators: Mapping[str, bool],
        lei_status: Mapping[str, str] | None = None,
    ) -> None:
        self.tables = tables
        self.indicators = indicators
        self.lei_status = lei_status  # None: no golden copy imported
        self.problems: list[Problem] = []
        self.seen: set[tuple] = set()

    def add(
        self,
        severity: str,
        rule: str,
        template: Template,
        column: str,
        row: Row | None,
        message: str,
        *,
        once: tuple = (),
    ) -> None:
        """Record a problem; `once` names what makes it a repeat (the same fault reached through
        several rows of one arrangement)."""
        if once:
            if (rule, *once) in self.seen:
                return
            self.seen.add((rule, *once))
        key = " · ".join(row.values.get(c, "") for c in template.key) if row else ""
        message = re.sub(r"\.\.(\s|$)", r".\1", message)  # a name ending in "." ends the sentence
        self.problems.append(
            Problem(
                severity,
                rule,
                template.id,
                column,
                key.strip(" ·"),
                row.source.name if row else "",
                message,
                row.source.link if row else None,
            )
        )

    def run(self) -> list[Problem]:
        templates = [t.template for t in self.tables.values()] or list(TEMPLATES)
        self.by_id = {t.id: t for t in templates}
        for template in templates:
            table = self.tables.get(template.id)
            rows = table.rows if table else []
            self._indicator(template, rows)
            empty_keys = self._keys(template, rows)
            self._duplicates(template, rows)
            self._code_lists(template, rows)
            self._leis(template, rows)
            self._references(template, rows)
            self._mandatory(template, rows, empty_keys)
            self._text(template, rows)
        self._conditional_rules()
        self._supply_chains()
        self._lei_status()
        order = {t.id: i for i, t in enumerate(templates)}
        return sorted(self.problems, key=lambda p: (not p.blocking, order.get(p.template, 99)))

    def _indicator(self, template: Template, rows: list[Row]) -> None:
        reported = self.indicators.get(template.id)
        if reported is None:
            self.add(
                BLOCKING,
                "808",
                template,
                "",
                None,
                f"FilingIndicators.csv has no line for {template.id}.",
            )
        elif reported != bool(rows):
            state = "true" if reported else "false"
            self.add(
                BLOCKING,
                "808",
                template,
                "",
                None,
                f"{template.id} has {len(rows)} row(s) but its filing indicator is {state}.",
            )

    def _keys(self, template: Template, rows: list[Row]) -> set[tuple[int, str]]:
        empty: set[tuple[int, str]] = set()
        for index, row in enumerate(rows):
            for code in template.key:
                if row.values.get(code):
                    continue  # "Not Applicable" is a value: keys are never empty (Q&A 2024_7285)
                column = template.column_by_code[code]
                empty.add((index, code))
                self.add(
                    BLOCKING,
                    "805",
                    template,
                    code,
                    row,
                    f"“{column.label}” is empty for {row.source.name}, and it is part of the "
                    f"key of {template.id}.{_fix(column, row.source)}",
                    once=(template.id, code, row.source.name),
                )
        return empty

    def _duplicates(self, template: Template, rows: list[Row]) -> None:
        if not template.key:
            return
        groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        for row in rows:
            groups[tuple(row.values.get(c, "") for c in template.key)].append(row)
        for key, same in groups.items():
            if len(same) < 2 or not any(key):
                continue
            names = sorted({r.source.name for r in same})
            self.add(
                BLOCKING,
                "806",
                template,
                "",
                same[0],
                f"{len(same)} rows of {template.id} share the key {' · '.join(k for k in key if k)}"
                f" ({'; '.join(names)}): each {', '.join(template.key)} combination must be unique.",
            )

    def _code_lists(self, template: Template, rows: list[Row]) -> None:
        for column in template.columns:
            if column.codes is None:
                continue
            for row in rows:
                value = row.values.get(column.code, "")
                if not value or value in column.codes:
                    continue
                shown = value.split(":", 1)[1] if value.startswith("eba_") else value
                what = (
                    "an ISO 3166 country code"
                    if column.kind == "country"
                    else "an ISO 4217 currency code Assay reports in"
                    if column.kind == "currency"
                    else "a code of the list"
                )
                self.add(
                    BLOCKING,
                    "code list",
                    template,
                    column.code,
                    row,
                    f"{shown!r} in “{column.label}” of {row.source.name} is not {what}."
                    f"{_fix(column, row.source)}",
                    once=(row.source.name, column.fix or column.code, value),
                )

    def _leis(self, template: Template, rows: list[Row]) -> None:
        for code, kind in LEI_COLUMNS.get(template.id, ()):
            column = template.column_by_code[code]
            for row in rows:
                value = row.values.get(code, "")
                if not value or (kind is not None and row.values.get(kind) != LEI_TYPE):
                    continue
                if problem := lei_problem(value):
                    self.add(
                        BLOCKING,
                        "LEI",
                        template,
                        code,
                        row,
                        f"LEI {value} of {row.source.name}: {problem}{_fix(column, row.source)}",
                        once=(value,),
                    )

    def _references(self, template: Template, rows: list[Row]) -> None:
        for fk in template.foreign_keys:
            target = self.tables.get(fk.target)
            known = {
                tuple(r.values.get(c, "") for c in fk.target_columns)
                for r in (target.rows if target else [])
            }
            column = template.column_by_code[fk.columns[0]]
            first, *others = fk.columns
            for row in rows:
                get = row.values.get
                if get(first, "") in ("", codes.NOT_APPLICABLE_KEY):
                    continue  # empty is rule 805; "Not Applicable" refers to no row (a non-branch)
                values = (get(first, ""), *(get(c, "") for c in others))
                if values in known:
                    continue
                shown = " / ".join(v for v in values if v)
                self.add(
                    BLOCKING,
                    "807",
                    template,
                    fk.columns[0],
                    row,
                    f"“{column.label}” {shown} of {row.source.name} is not among the {fk.what}."
                    f"{_fix(column, row.source)}",
                    once=(template.id, fk.columns, row.source.name, values),
                )

    def _mandatory(self, template: Template, rows: list[Row], empty_keys: set) -> None:
        for column in template.columns:
            if column.required is False:
                continue
            code = column.code
            condition = None if column.required is True else column.required
            for index, row in enumerate(rows):
                if row.values.get(code, "") not in MISSING:
                    continue  # filled: the common case, checked first
                if condition is not None and not condition(row):  # type: ignore[operator]
                    continue
                if (index, code) in empty_keys:
                    continue  # already blocking as 805
                self.add(
                    WARNING,
                    "mandatory",
                    template,
                    column.code,
                    row,
                    f"“{column.label}” is missing for {row.source.name}.{_fix(column, row.source)}",
                    once=(template.id, column.code, row.source.name),
                )

    def _text(self, template: Template, rows: list[Row]) -> None:
        """The package carries text exactly as typed (no spreadsheet escaping), so what would
        break a reader of the file is refused here: control characters anywhere, and blanks
        around an identifier (they make two spellings of one key)."""
        for column in template.columns:
            if column.kind not in TEXT_KINDS:
                continue
            joined = SEPARATOR.join(row.values.get(column.code, "") for row in rows)
            if not CONTROL.search(joined) and not EDGE_BLANK.search(joined):
                continue  # the common case: one scan of the whole column
            for row in rows:
                value = row.values.get(column.code, "")
                if not value:
                    continue
                if CONTROL.search(value):
                    self.add(
                        BLOCKING, "text", template, column.code, row,
                        f"“{column.label}” of {row.source.name} contains a control character "
                        f"(a line break, tab or similar).{_fix(column, row.source)}",
                        once=(row.source.name, column.fix or column.code, "control"),
                    )  # fmt: skip
                elif value != value.strip() and column.kind != "text":
                    self.add(
                        BLOCKING, "text", template, column.code, row,
                        f"“{column.label}” {value!r} of {row.source.name} starts or ends with a "
                        f"blank.{_fix(column, row.source)}",
                        once=(row.source.name, column.fix or column.code, "blank"),
                    )  # fmt: skip

    def _lei_status(self) -> None:
        """LEIs against the GLEIF golden copy the operator imported (offline; none: skipped)."""
        if self.lei_status is None:
            return
        for template_id, pairs in LEI_COLUMNS.items():
            template, rows = self._rows(template_id)
            for code, kind in pairs:
                for row in rows:
                    value = row.values.get(code, "")
                    if not value or (kind is not None and row.values.get(kind) != LEI_TYPE):
                        continue
                    status = self.lei_status.get(value)
                    if status is None:
                        message = "is not in the imported GLEIF golden copy"
                    elif status.upper() in FLAGGED_LEI_STATUS:
                        message = f"is {status.upper()} at GLEIF (not renewed or no longer valid)"
                    else:
                        continue
                    self.add(
                        WARNING, "LEI status", template, code, row,
                        f"LEI {value} of {row.source.name} {message}. Check the identifier, "
                        "or ask the provider to renew its LEI.",
                        once=(value,),
                    )  # fmt: skip

    def _rows(self, template_id: str) -> tuple[Template, list[Row]]:
        table = self.tables.get(template_id)
        return self.by_id.get(template_id, TEMPLATE_BY_ID[template_id]), (
            table.rows if table else []
        )

    def _conditional_rules(self) -> None:
        template, rows = self._rows("B_01.02")
        for row in rows:
            if row.values.get("c0110") and not row.values.get("c0100"):
                self.add(
                    WARNING,
                    "v8803",
                    template,
                    "c0100",
                    row,
                    f"{row.source.name} reports total assets without their currency.",
                )
        template, rows = self._rows("B_02.01")
        for row in rows:
            if row.values.get("c0020") == "eba_CO:x3" and not row.values.get("c0030"):
                self.add(
                    WARNING,
                    "v8805",
                    template,
                    "c0030",
                    row,
                    f"{row.source.name} is a subsequent or associated arrangement without the "
                    "reference of its overarching arrangement. Set the “Overarching arrangement "
                    "reference” of the arrangement.",
                )

    def _supply_chains(self) -> None:
        template, rows = self._rows("B_05.02")
        ranks = {
            (r.values["c0010"], r.values["c0020"], r.values["c0030"], r.values["c0050"])
            for r in rows
        }
        for row in rows:
            rank = row.values.get("c0050", "")
            recipient = row.values.get("c0060", "")
            if not rank.isdigit() or int(rank) < 2 or not recipient:
                continue
            up = (row.values["c0010"], row.values["c0020"], recipient, str(int(rank) - 1))
            if up not in ranks:
                self.add(
                    WARNING,
                    "supply chain",
                    template,
                    "c0060",
                    row,
                    f"The recipient {recipient} of {row.source.name} is not at rank "
                    f"{int(rank) - 1} of the same arrangement's supply chain. Check the "
                    "subcontractor's rank and recipient on the vendor page.",
                )


def validate(
    tables: Mapping[str, Table],
    indicators: Mapping[str, bool],
    lei_status: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every problem of the tables, blocking ones first, then in template order. `lei_status`
    maps an LEI to its GLEIF registration status (from the imported golden copy)."""
    return _Checker(tables, indicators, lei_status).run()
