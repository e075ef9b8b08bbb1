"""A template's rows, held column by column (pure).

The package is a file per template and every rule of the validator reads a column at a time
(a set difference, one scan, one regex), so a table keeps a list per column: the writer and the
rules take them as they are, and a register of 10,000 arrangements holds a few dozen lists of
strings rather than 150,000 row objects for Python's cycle collector to walk (`bench/roi.py`,
issue: the package within 2x a raw CSV dump). A `Row` is a view of one line, made only where a
conditional rule or a problem's message needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import repeat
from typing import NamedTuple

from app.register.roi.spec import Template

NO_FLAGS: frozenset[str] = frozenset()


class Source(NamedTuple):
    """Where a row comes from: what to name in a problem and the page to fix it on."""

    kind: str  # organisation | arrangement | vendor | subcontractor | parent | function | file
    name: str  # "arrangement HV-ICT-2025-002 with Veridian Scoring Ltd"
    link: str | None = None
    fix: str | None = None  # where to fix any value of the row, instead of each column's `fix`


SourceTuple = tuple[str, str, str | None, str | None]  # a Source as a table keeps it


def row_source(
    kind: str, name: str, link: str | None = None, fix: str | None = None
) -> SourceTuple:
    """A row's source as tables keep it: a plain tuple, which Python's cycle collector stops
    tracking (a named tuple it tracks for good, and a large register makes one per
    arrangement and subcontractor). `Row.source` reads it back as a `Source`."""
    return (kind, name, link, fix)


class Table:
    """The rows of one template: a list of values per column code, in the template's column
    order, every list as long as the table ('' = an empty cell), and per row its source and
    the flags the ITS's conditional columns read."""

    __slots__ = ("columns", "flags", "sources", "template")

    def __init__(self, template: Template) -> None:
        self.template = template
        self.columns: dict[str, list[str]] = {c.code: [] for c in template.columns}
        self.sources: list[SourceTuple] = []
        self.flags: list[frozenset[str]] = []

    def __len__(self) -> int:
        return len(self.sources)

    def add(self, values: Mapping[str, str], source: SourceTuple, flags=NO_FLAGS) -> None:
        """One row; a column `values` does not name is empty, one it names but the template
        does not declare is dropped (a file read back with a column too many)."""
        for code, column in self.columns.items():
            column.append(values.get(code, ""))
        self.sources.append(source)
        self.flags.append(flags)

    def extend(
        self,
        columns: Mapping[str, Sequence[str]],
        sources: Sequence[SourceTuple],
        flags: Sequence[frozenset[str]] | None = None,
    ) -> None:
        """Rows given column by column, one source (and flags) per row; a column `columns`
        does not name is empty."""
        count = len(sources)
        if any(len(values) != count for values in columns.values()):
            raise ValueError(f"{self.template.id}: every column needs {count} values")
        for code, column in self.columns.items():
            values = columns.get(code)
            column.extend(repeat("", count) if values is None else values)
        self.sources.extend(sources)
        self.flags.extend(repeat(NO_FLAGS, count) if flags is None else flags)

    def row(self, index: int) -> Row:
        return Row(self, index)

    @property
    def rows(self) -> list[Row]:
        return [Row(self, index) for index in range(len(self))]

    @property
    def reported(self) -> bool:
        return self.template.has_source and len(self) > 0

    def column(self, code: str) -> Sequence[str]:
        """One column; a code the template does not declare reads as empty."""
        found = self.columns.get(code)
        return found if found is not None else [""] * len(self)

    def cells(self) -> Iterator[tuple[str, ...]]:
        """Each row's values in the template's column order: what the CSV file holds."""
        return zip(*self.columns.values(), strict=True)


class Row:
    """One row of a table, read in place (nothing is copied until `values` is asked for)."""

    __slots__ = ("index", "table")

    def __init__(self, table: Table, index: int) -> None:
        self.table = table
        self.index = index

    def get(self, code: str) -> str:
        column = self.table.columns.get(code)
        return column[self.index] if column is not None else ""

    @property
    def values(self) -> dict[str, str]:
        """The row as column code → value (a copy)."""
        return {code: column[self.index] for code, column in self.table.columns.items()}

    @property
    def source(self) -> Source:
        return Source._make(self.table.sources[self.index])

    @property
    def flags(self) -> frozenset[str]:
        return self.table.flags[self.index]
