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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import ne

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
SEPARATOR = "\uffff"  # joins a column's values for one scan; not a control character
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


Columns = Mapping[str, Sequence[str]]  # a template's values by column code, in row order
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
        self.columns: dict[str, dict[str, Sequence[str]]] = {}
        for template in templates:
            table = self.tables.get(template.id)
            rows = table.rows if table else []
            columns = self._columns(template.id)
            self._indicator(template, rows)
            empty_keys = self._keys(template, rows, columns)
            self._duplicates(template, rows, columns)
            self._code_lists(template, rows, columns)
            self._leis(template, rows, columns)
            self._references(template, rows, columns)
            self._mandatory(template, rows, columns, empty_keys)
            self._text(template, rows, columns)
        self._conditional_rules()
        self._supply_chains()
        self._lei_status()
        order = {t.id: i for i, t in enumerate(templates)}
        return sorted(self.problems, key=lambda p: (not p.blocking, order.get(p.template, 99)))

    def _columns(self, template_id: str) -> dict[str, Sequence[str]]:
        """A template's values column by column (read once): each rule then makes one pass
        over a column, in C where it can (sets, `in`, `all`, one regex), and walks the rows
        only to name those a problem was found in."""
        if template_id not in self.columns:
            table = self.tables.get(template_id)
            codes_ = [c.code for c in table.template.columns] if table else []
            cells = table.cells() if table else []  # a tuple per row, read in C
            found = zip(*cells, strict=True) if cells else (() for _ in codes_)
            self.columns[template_id] = dict(zip(codes_, found, strict=True))
        return self.columns[template_id]

    def _column(self, template_id: str, code: str) -> Sequence[str]:
        """One column of any template; a code its template does not declare reads as empty."""
        columns = self._columns(template_id)
        if code not in columns:
            table = self.tables.get(template_id)
            columns[code] = tuple(r.values.get(code, "") for r in (table.rows if table else []))
        return columns[code]

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

    def _keys(self, template: Template, rows: list[Row], columns: Columns) -> set[tuple[int, str]]:
        empty = {
            (index, code)
            for code in template.key
            if not all(columns[code])  # "Not Applicable" is a value: keys are never empty
            for index, value in enumerate(columns[code])  # (EBA Q&A 2024_7285)
            if not value
        }
        position = {code: i for i, code in enumerate(template.key)}
        for index, code in sorted(empty, key=lambda found: (found[0], position[found[1]])):
            column = template.column_by_code[code]
            row = rows[index]
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

    def _duplicates(self, template: Template, rows: list[Row], columns: Columns) -> None:
        if not template.key:
            return
        keys = list(zip(*(columns[c] for c in template.key), strict=True))
        if len(set(keys)) == len(keys):
            return  # every key unique: the common case
        groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        for key, row in zip(keys, rows, strict=True):
            groups[key].append(row)
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

    def _code_lists(self, template: Template, rows: list[Row], columns: Columns) -> None:
        for column in template.columns:
            if column.codes is None:
                continue
            values = columns[column.code]
            outside = set(values).difference(column.codes)
            outside.difference_update(("", None))
            if not outside:
                continue  # every value on the list: one set difference for the whole column
            for row, value in zip(rows, values, strict=True):
                if value not in outside:
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

    def _leis(self, template: Template, rows: list[Row], columns: Columns) -> None:
        for code, kind in LEI_COLUMNS.get(template.id, ()):
            column = template.column_by_code[code]
            values = columns[code]
            kinds = columns[kind] if kind is not None else repeat(LEI_TYPE)
            problems = {
                value: lei_problem(value)
                for value, of_kind in set(zip(values, kinds, strict=False))
                if value and of_kind == LEI_TYPE
            }  # each LEI checked once, however many rows carry it
            if not any(problems.values()):
                continue
            for row, value, of_kind in zip(rows, values, kinds, strict=False):
                if not value or of_kind != LEI_TYPE:
                    continue
                if problem := problems[value]:
                    self.add(
                        BLOCKING,
                        "LEI",
                        template,
                        code,
                        row,
                        f"LEI {value} of {row.source.name}: {problem}{_fix(column, row.source)}",
                        once=(value,),
                    )

    def _references(self, template: Template, rows: list[Row], columns: Columns) -> None:
        for fk in template.foreign_keys:
            known = set(zip(*(self._column(fk.target, c) for c in fk.target_columns), strict=True))
            references = list(zip(*(columns[c] for c in fk.columns), strict=True))
            # Empty is rule 805; "Not Applicable" refers to no row (a user that is not a branch).
            unknown = {
                values
                for values in set(references).difference(known)
                if values[0] not in ("", codes.NOT_APPLICABLE_KEY)
            }
            if not unknown:
                continue  # one set difference of the key columns: every reference resolves
            column = template.column_by_code[fk.columns[0]]
            for row, values in zip(rows, references, strict=True):
                if values not in unknown:
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

    def _mandatory(
        self, template: Template, rows: list[Row], columns: Columns, empty_keys: set
    ) -> None:
        for column in template.columns:
            if column.required is False:
                continue
            code = column.code
            values = columns[code]
            if MISSING.isdisjoint(values):
                continue  # every value filled: the common case, one pass over the column
            condition = None if column.required is True else column.required
            for index, value in enumerate(values):
                if value not in MISSING:
                    continue
                row = rows[index]
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

    def _text(self, template: Template, rows: list[Row], columns: Columns) -> None:
        """The package carries text exactly as typed (no spreadsheet escaping), so what would
        break a reader of the file is refused here: control characters anywhere, and blanks
        around an identifier (they make two spellings of one key)."""
        for column in template.columns:
            if column.kind not in TEXT_KINDS:
                continue
            values = columns[column.code]
            if not CONTROL.search(SEPARATOR.join(values)) and not any(
                map(ne, values, map(str.strip, values))
            ):
                continue  # the common case: one scan and one strip of the whole column
            for row, value in zip(rows, values, strict=True):
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
        types = self._column("B_02.01", "c0020")
        if "eba_CO:x3" not in types:
            return  # no subsequent arrangement: one scan of the column
        for row, kind, overarching in zip(
            rows, types, self._column("B_02.01", "c0030"), strict=True
        ):
            if kind == "eba_CO:x3" and not overarching:
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
        arrangement, service, provider, rank_, recipient_ = (
            self._column("B_05.02", code) for code in ("c0010", "c0020", "c0030", "c0050", "c0060")
        )
        ranks = set(zip(arrangement, service, provider, rank_, strict=True))
        for index, (rank, recipient) in enumerate(zip(rank_, recipient_, strict=True)):
            if rank in ("1", "") or not recipient or not rank.isdigit() or int(rank) < 2:
                continue
            up = (arrangement[index], service[index], recipient, str(int(rank) - 1))
            if up not in ranks:
                row = rows[index]
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
