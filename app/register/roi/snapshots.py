"""Snapshots of the Register of Information: producing the register for a reference date freezes
what was produced, so it can be listed, downloaded again byte for byte, and compared with the
year before. The live register keeps changing; a filed register must not.

A snapshot stores the package's bytes (a zip carries the time it was written, so writing it
again would differ) and the facts it was built from (what the comparison reads). It is refused,
with nothing stored, for a reference date still to come, for a date with no arrangement in
force (nothing to report), and for a register with blocking problems.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import InvalidInput, NotFound
from app.models import RoiSnapshot, User, utcnow
from app.register.roi.builder import has_entity_data
from app.register.roi.data import RegisterData
from app.register.roi.service import RegisterInvalid, load_register, report_of
from app.register.roi.writers import package_name, write_package


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return str(value) if hasattr(value, "value") else value  # StrEnum → its text


def facts_json(data: RegisterData, left_out: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """The facts as JSON the database can hold (dates ISO, amounts as text); the arrangements
    the register left out (not in force in its year) are named, not kept."""
    facts = _plain(dataclasses.asdict(data))
    facts["contracts"] = [c for c in facts["contracts"] if c["reference"] not in left_out]
    facts["left_out"] = sorted(left_out)
    return facts


def freeze_snapshot(
    *,
    session: Session,
    organisation_id: int,
    ref_date: date,
    actor: User | None,
    now: datetime | None = None,
    release: str | None = None,
    ip: str | None = None,
    level: str | None = None,
) -> RoiSnapshot:
    """Produce the register as at `ref_date` and keep it. Raises InvalidInput or
    RegisterInvalid, storing nothing, when it cannot be a register of that date."""
    now = now or utcnow()
    today = now.date()
    if ref_date > today:
        raise InvalidInput(
            f"The reference date {ref_date.isoformat()} is still to come: a register is "
            "produced as at a date that has passed."
        )
    data = load_register(
        session=session,
        organisation_id=organisation_id,
        ref_date=ref_date,
        report_date=today,
        release=release,
        level=level,
    )
    if not has_entity_data(data):
        raise InvalidInput(
            f"{data.entity.name} has no entity data as at {ref_date.isoformat()}: "
            + (
                "the entity has no LEI"
                if not data.entity.lei
                else f"it joined the register's scope on {data.entity.integrated_on}"
            )
            + ". Choose another reference date, or complete the register's entities first."
        )
    report = report_of(session=session, data=data)
    if not report.built.tables["B_02.01"]:
        raise InvalidInput(
            f"{data.entity.name} has no register data as at {ref_date.isoformat()}: no "
            "arrangement was in force in the year up to that date. Choose another reference "
            "date, or record the arrangements first."
        )
    if report.blocking:
        raise RegisterInvalid(report)
    name = package_name(report.built, now)
    out = io.BytesIO()
    write_package(out, report.built, name=name)
    package = out.getvalue()
    snapshot = RoiSnapshot(
        organisation_id=organisation_id,
        ref_date=ref_date,
        release=report.built.taxonomy.release,
        file_name=name,
        package=package,
        sha256=hashlib.sha256(package).hexdigest(),
        facts=facts_json(data, left_out={e.reference for e in report.built.excluded}),
        arrangements=len(report.built.tables["B_02.01"]),
        warnings=len(report.warnings),
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(snapshot)
    session.flush()
    record(
        session=session,
        action="register.roi_snapshot_frozen",
        actor=actor,
        organisation_id=organisation_id,
        object_type="roi_snapshot",
        object_id=snapshot.id,
        data={
            "ref_date": ref_date.isoformat(),
            "level": report.built.level,
            "file": name,
            "sha256": snapshot.sha256,
            "arrangements": snapshot.arrangements,
            "warnings": snapshot.warnings,
        },
        ip=ip,
    )
    return snapshot


def list_snapshots(*, session: Session, organisation_id: int) -> list[RoiSnapshot]:
    return list(
        session.exec(
            select(RoiSnapshot)
            .where(RoiSnapshot.organisation_id == organisation_id)
            .order_by(col(RoiSnapshot.ref_date).desc(), col(RoiSnapshot.id).desc())
        )
    )


def get_snapshot(*, session: Session, organisation_id: int, snapshot_id: int) -> RoiSnapshot:
    snapshot = session.exec(
        select(RoiSnapshot).where(
            RoiSnapshot.id == snapshot_id, RoiSnapshot.organisation_id == organisation_id
        )
    ).first()
    if snapshot is None:
        raise NotFound(f"No register snapshot {snapshot_id}.")
    return snapshot


# --- year to year -----------------------------------------------------------------------------

COMPARED = {
    "entities": ("lei", "entity"),
    "branches": ("code", "branch"),
    "contracts": ("reference", "arrangement"),
    "vendors": ("identifier", "provider"),
    "functions": ("code", "function"),
}
IGNORED = {"id", "vendor_id", "subcontractors"}


@dataclass
class Change:
    kind: str  # arrangement | provider | function
    key: str
    what: str  # added | removed | changed
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)


def compare(before: RoiSnapshot, after: RoiSnapshot) -> list[Change]:
    """What changed between two snapshots' facts: arrangements, providers and functions added,
    removed, or changed field by field (supply chains compared as a whole)."""
    changes: list[Change] = []
    for group, (key, kind) in COMPARED.items():
        old = {item[key]: item for item in before.facts.get(group, [])}
        new = {item[key]: item for item in after.facts.get(group, [])}
        for name in sorted(old.keys() - new.keys()):
            changes.append(Change(kind, name, "removed"))
        for name in sorted(new.keys() - old.keys()):
            changes.append(Change(kind, name, "added"))
        for name in sorted(old.keys() & new.keys()):
            a, b = old[name], new[name]
            fields = [
                (f, a.get(f), b.get(f))
                for f in sorted(a.keys() | b.keys())
                if f not in IGNORED and a.get(f) != b.get(f)
            ]
            if group == "contracts" and _chain(a) != _chain(b):
                fields.append(("supply chain", _chain(a), _chain(b)))
            if fields:
                changes.append(Change(kind, name, "changed", fields))
    return changes


def _chain(contract: dict[str, Any]) -> list[str]:
    return sorted(
        f"rank {s['rank']} {s['name']} ({s['identifier']})"
        for s in contract.get("subcontractors", [])
    )
