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
from itertools import repeat
from operator import ne

from app.register.roi import codes
from app.register.roi.spec import TEMPLATE_BY_ID, TEMPLATES, Column, Template
from app.register.roi.table import Row, Source, Table
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
        self.distinct: dict[tuple[str, str], set[str]] = {}
        self.lei_problems: dict[str, str | None] = {}

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
        key = " · ".join(row.get(c) for c in template.key) if row else ""
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
            table = self._table(template.id)
            self._indicator(template, table)
            empty_keys = self._keys(template, table)
            self._duplicates(template, table)
            self._code_lists(template, table)
            self._leis(template, table)
            self._references(template, table)
            self._mandatory(template, table, empty_keys)
            self._text(template, table)
        self._conditional_rules()
        self._supply_chains()
        self._lei_status()
        order = {t.id: i for i, t in enumerate(templates)}
        return sorted(self.problems, key=lambda p: (not p.blocking, order.get(p.template, 99)))

    def _table(self, template_id: str) -> Table:
        """A template's table (an empty one where none was given). The rules read it a column at
        a time, in C where they can (sets, `in`, one regex), and walk the rows only to name
        those a problem was found in."""
        table = self.tables.get(template_id)
        if table is None:
            table = Table(self.by_id.get(template_id, TEMPLATE_BY_ID[template_id]))
        return table

    def _distinct(self, table: Table, code: str) -> set[str]:
        """A column's different values, read once: a rule on single values (a closed list, a
        blank, a control character) looks at each of them once, however many rows repeat it
        (an arrangement's values repeat on each of its B_02.02 rows)."""
        key = (table.template.id, code)
        if key not in self.distinct:
            self.distinct[key] = set(table.column(code))
        return self.distinct[key]

    def _indicator(self, template: Template, table: Table) -> None:
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
        elif reported != bool(table):
            state = "true" if reported else "false"
            self.add(
                BLOCKING,
                "808",
                template,
                "",
                None,
                f"{template.id} has {len(table)} row(s) but its filing indicator is {state}.",
            )

    def _keys(self, template: Template, table: Table) -> set[tuple[int, str]]:
        empty = {
            (index, code)
            for code in template.key
            if "" in self._distinct(table, code)  # "Not Applicable" is a value: keys are
            for index, value in enumerate(table.columns[code])  # never empty (EBA Q&A 2024_7285)
            if not value
        }
        position = {code: i for i, code in enumerate(template.key)}
        for index, code in sorted(empty, key=lambda found: (found[0], position[found[1]])):
            column = template.column_by_code[code]
            row = table.row(index)
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

    def _duplicates(self, template: Template, table: Table) -> None:
        if not template.key:
            return
        if any(len(self._distinct(table, code)) == len(table) for code in template.key):
            return  # a key column unique by itself makes every key unique: the common case
        keys = list(zip(*(table.columns[c] for c in template.key), strict=True))
        if len(set(keys)) == len(keys):
            return
        groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        for index, key in enumerate(keys):
            groups[key].append(table.row(index))
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

    def _code_lists(self, template: Template, table: Table) -> None:
        for column in template.columns:
            if column.codes is None:
                continue
            values = table.columns[column.code]
            outside = self._distinct(table, column.code).difference(column.codes)
            outside.discard("")
            if not outside:
                continue  # every value on the list: one set difference for the whole column
            for index, value in enumerate(values):
                if value not in outside:
                    continue
                row = table.row(index)
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

    def _leis(self, template: Template, table: Table) -> None:
        for code, kind in LEI_COLUMNS.get(template.id, ()):
            column = template.column_by_code[code]
            values = table.columns[code]
            kinds = table.columns[kind] if kind is not None else repeat(LEI_TYPE)
            problems = {
                value: self._lei_problem(value)
                for value, of_kind in set(zip(values, kinds, strict=False))
                if value and of_kind == LEI_TYPE
            }  # each LEI checked once, however many rows carry it
            if not any(problems.values()):
                continue
            for index, value, of_kind in zip(range(len(table)), values, kinds, strict=False):
                if not value or of_kind != LEI_TYPE:
                    continue
                if problem := problems[value]:
                    row = table.row(index)
                    self.add(
                        BLOCKING,
                        "LEI",
                        template,
                        code,
                        row,
                        f"LEI {value} of {row.source.name}: {problem}{_fix(column, row.source)}",
                        once=(value,),
                    )

    def _lei_problem(self, lei: str) -> str | None:
        """Check digits, once per LEI (a provider's LEI is often its own ultimate parent's)."""
        if lei not in self.lei_problems:
            self.lei_problems[lei] = lei_problem(lei)
        return self.lei_problems[lei]

    def _references(self, template: Template, table: Table) -> None:
        for fk in template.foreign_keys:
            target = self._table(fk.target)
            if len(fk.columns) == 1:  # the column's values against the target column's
                found = self._distinct(table, fk.columns[0])
                unknown = {(v,) for v in found - self._distinct(target, fk.target_columns[0])}
            else:
                known = set(zip(*(target.column(c) for c in fk.target_columns), strict=True))
                unknown = set(zip(*(table.columns[c] for c in fk.columns), strict=True)) - known
            # Empty is rule 805; "Not Applicable" refers to no row (a user that is not a branch).
            unknown = {v for v in unknown if v[0] not in ("", codes.NOT_APPLICABLE_KEY)}
            if not unknown:
                continue  # one set difference of the key columns: every reference resolves
            references = list(zip(*(table.columns[c] for c in fk.columns), strict=True))
            column = template.column_by_code[fk.columns[0]]
            for index, values in enumerate(references):
                if values not in unknown:
                    continue
                row = table.row(index)
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

    def _mandatory(self, template: Template, table: Table, empty_keys: set) -> None:
        for column in template.columns:
            if column.required is False:
                continue
            code = column.code
            if MISSING.isdisjoint(self._distinct(table, code)):
                continue  # every value filled: the common case
            missing = [i for i, value in enumerate(table.columns[code]) if value in MISSING]
            if column.required is not True:  # mandatory only on some rows
                missing = column.required.rows(table, missing)
            for index in missing:
                if (index, code) in empty_keys:
                    continue  # already blocking as 805
                row = table.row(index)
                self.add(
                    WARNING,
                    "mandatory",
                    template,
                    column.code,
                    row,
                    f"“{column.label}” is missing for {row.source.name}.{_fix(column, row.source)}",
                    once=(template.id, column.code, row.source.name),
                )

    def _text(self, template: Template, table: Table) -> None:
        """The package carries text exactly as typed (no spreadsheet escaping), so what would
        break a reader of the file is refused here: control characters anywhere, and blanks
        around an identifier (they make two spellings of one key)."""
        for column in template.columns:
            if column.kind not in TEXT_KINDS:
                continue
            distinct = self._distinct(table, column.code)
            if not CONTROL.search(SEPARATOR.join(distinct)) and not any(
                map(ne, distinct, map(str.strip, distinct))
            ):
                continue  # the common case: one scan and one strip of the column's values
            values = table.columns[column.code]
            for index, value in enumerate(values):
                if not value:
                    continue
                row = table.row(index)
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
            table = self._table(template_id)
            template = table.template
            for code, kind in pairs:
                for row in table.rows:
                    value = row.get(code)
                    if not value or (kind is not None and row.get(kind) != LEI_TYPE):
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

    def _conditional_rules(self) -> None:
        entities = self._table("B_01.02")
        for row in entities.rows:
            if row.get("c0110") and not row.get("c0100"):
                self.add(
                    WARNING,
                    "v8803",
                    entities.template,
                    "c0100",
                    row,
                    f"{row.source.name} reports total assets without their currency.",
                )
        arrangements = self._table("B_02.01")
        types = arrangements.column("c0020")
        if "eba_CO:x3" not in types:
            return  # no subsequent arrangement: one scan of the column
        for row, kind, overarching in zip(
            arrangements.rows, types, arrangements.column("c0030"), strict=True
        ):
            if kind == "eba_CO:x3" and not overarching:
                self.add(
                    WARNING,
                    "v8805",
                    arrangements.template,
                    "c0030",
                    row,
                    f"{row.source.name} is a subsequent or associated arrangement without the "
                    "reference of its overarching arrangement. Set the “Overarching arrangement "
                    "reference” of the arrangement.",
                )

    def _supply_chains(self) -> None:
        chains = self._table("B_05.02")
        arrangement, service, provider, rank_, recipient_ = (
            chains.column(code) for code in ("c0010", "c0020", "c0030", "c0050", "c0060")
        )
        # (arrangement, service, recipient, the rank above) of each row at rank 2 or more that
        # names a recipient, against the chain's (arrangement, service, provider, rank)
        above = {
            rank: str(int(rank) - 1)
            for rank in self._distinct(chains, "c0050")
            if rank.isdigit() and int(rank) >= 2
        }
        ups = list(zip(arrangement, service, recipient_, map(above.get, rank_), strict=True))
        missing = set(ups).difference(zip(arrangement, service, provider, rank_, strict=True))
        if not any(up[2] and up[3] for up in missing):
            return  # every recipient is one rank up: one set difference for the whole chain
        for index, up in enumerate(ups):
            recipient, rank = up[2], rank_[index]
            if recipient and up[3] and up in missing:
                row = chains.row(index)
                self.add(
                    WARNING,
                    "supply chain",
                    chains.template,
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
