"""An xBRL-CSV report package read back into the validator's tables (pure).

So the validator can check a package Assay did not build: one written by hand from the ITS (the
tests' independent check, so builder and validator cannot share a misunderstanding unnoticed),
or a stored snapshot. Each row names its file and line, which is what a problem then points at.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from app.register.roi.table import Table, row_source
from app.register.roi.taxonomy import Taxonomy, taxonomy


@dataclass
class ReadPackage:
    tables: dict[str, Table]
    indicators: dict[str, bool]
    parameters: dict[str, str]
    layout: list[str]  # what does not fit the taxonomy's templates (missing file, column …)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_files(files: Mapping[str, bytes], release: str | None = None) -> ReadPackage:
    """`files` by name inside `reports/` (`b_05.02.csv`, `FilingIndicators.csv`, …)."""
    tax: Taxonomy = taxonomy(release)
    layout: list[str] = []
    tables: dict[str, Table] = {}
    for template in tax.templates:
        data = files.get(template.file_name)
        table = Table(template)
        if data is None:
            layout.append(f"{template.file_name} is missing")
        else:
            header, *lines = _rows(data) or [[]]
            expected = [c.code for c in template.columns]
            if header != expected:
                layout.append(
                    f"{template.file_name} has the columns {','.join(header)}; "
                    f"{template.id} has {','.join(expected)}"
                )
            for number, line in enumerate(lines, start=2):
                source = row_source("file", f"{template.file_name} row {number}")
                table.add(dict(zip(header, line, strict=False)), source)
        tables[template.id] = table
    indicators = {
        line[0]: line[1].strip().lower() == "true"
        for line in _rows(files.get("FilingIndicators.csv", b"templateID,reported"))[1:]
        if len(line) >= 2
    }
    parameters = {
        line[0]: line[1] for line in _rows(files.get("parameters.csv", b""))[1:] if len(line) >= 2
    }
    return ReadPackage(tables, indicators, parameters, layout)


def read_package(data: bytes, release: str | None = None) -> ReadPackage:
    """A zipped report package (one root folder holding `reports/`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        files = {
            name.rsplit("/reports/", 1)[1]: package.read(name)
            for name in package.namelist()
            if "/reports/" in name and not name.endswith("/")
        }
    return read_files(files, release)
