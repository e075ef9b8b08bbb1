"""The GLEIF golden copy, imported by the operator (`assay lei import FILE`), so the register
checks each LEI's registration status offline: nothing calls GLEIF while a package is written.

The file is GLEIF's golden-copy CSV (LEI-CDF columns); Assay keeps four of them. A file that is
not one, or a row that is not an LEI, is refused with its line number and nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from sqlmodel import Session, col, select

from app.audit.service import record
from app.models import LeiRecord, User, utcnow

COLUMNS = {
    "lei": "LEI",
    "legal_name": "Entity.LegalName",
    "status": "Registration.RegistrationStatus",
    "next_renewal": "Registration.NextRenewalDate",
}
LEI_PATTERN = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
BATCH = 2000


class LeiFileError(ValueError):
    """The file is not a GLEIF golden copy Assay can read: nothing was imported."""


@dataclass(frozen=True)
class LeiImport:
    rows: int
    added: int
    updated: int


def _renewal(value: str, line: int) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise LeiFileError(f"line {line}: {value!r} is not a renewal date") from None


def read_golden_copy(text: Iterable[str]) -> Iterator[tuple[str, str, str, date | None]]:
    """(LEI, legal name, status, next renewal) per row of a golden-copy CSV."""
    reader = csv.DictReader(text)
    missing = [name for name in COLUMNS.values() if name not in (reader.fieldnames or [])]
    if missing:
        raise LeiFileError(
            "not a GLEIF golden-copy CSV: the columns " + ", ".join(missing) + " are missing"
        )
    for line, row in enumerate(reader, start=2):
        lei = (row[COLUMNS["lei"]] or "").strip().upper()
        if not LEI_PATTERN.match(lei):
            raise LeiFileError(f"line {line}: {lei!r} is not an LEI")
        yield (
            lei,
            (row[COLUMNS["legal_name"]] or "").strip()[:500],
            (row[COLUMNS["status"]] or "").strip().upper()[:20],
            _renewal(row[COLUMNS["next_renewal"]] or "", line),
        )


def import_golden_copy(
    *, session: Session, file: IO[bytes], actor: User | None = None
) -> LeiImport:
    """Add or update every LEI of the file (flushes; the caller's unit of work commits, so a
    bad line part-way leaves the table as it was)."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    rows = added = updated = 0
    batch: list[tuple[str, str, str, date | None]] = []

    def flush() -> None:
        nonlocal added, updated
        known = {
            r.lei: r
            for r in session.exec(
                select(LeiRecord).where(col(LeiRecord.lei).in_([b[0] for b in batch]))
            )
        }
        now = utcnow()
        for lei, name, status, renewal in batch:
            record = known.get(lei)
            if record is None:
                record = LeiRecord(lei=lei)
                known[lei] = record
                added += 1
            else:
                updated += 1
            record.legal_name, record.status, record.next_renewal = name, status, renewal
            record.imported_at = now
            session.add(record)
        session.flush()
        batch.clear()

    for entry in read_golden_copy(text):
        rows += 1
        batch.append(entry)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if rows == 0:
        raise LeiFileError("the file holds no LEI")
    record(
        session=session,
        action="register.lei_imported",
        actor=actor,
        object_type="lei",
        object_id="gleif-golden-copy",
        data={"rows": rows, "added": added, "updated": updated},
    )
    return LeiImport(rows, added, updated)


def lei_statuses(*, session: Session, leis: Iterable[str]) -> dict[str, str] | None:
    """Registration status per LEI for those the golden copy holds; None when no copy was
    imported (the register then checks check digits only)."""
    if session.exec(select(LeiRecord.lei).limit(1)).first() is None:
        return None
    wanted = sorted({lei for lei in leis if lei})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for lei, status in session.exec(
            select(LeiRecord.lei, LeiRecord.status).where(col(LeiRecord.lei).in_(chunk))
        ):
            found[lei] = status
    return found
