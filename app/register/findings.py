"""Treating risk: the owner, treatment and due date of each vendor in the register, and the
findings register (gaps raised by scoring and findings added by analysts), each change audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import InvalidInput, NotFound
from app.models import Finding, FindingStatus, User, Vendor, utcnow
from app.register.service import (
    FINDING_STATUSES,
    FRAMEWORKS,
    MAX_PER_PAGE,
    OPEN,
    SEVERITIES,
    TREATMENTS,
    owner_choices,
    ranked,
    register_vendor,
)


def _check_owner(session: Session, organisation_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    if owner_id not in {
        uid for uid, _ in owner_choices(session=session, organisation_id=organisation_id)
    }:
        raise InvalidInput("The owner must be an active member of your organisation.")


# --- the vendor's treatment ----------------------------------------------------------------------


@dataclass(frozen=True)
class TreatmentUpdate:
    owner_id: int | None = None
    treatment: str | None = None
    justification: str | None = None
    due: date | None = None


def update_treatment(
    *,
    session: Session,
    actor: User,
    vendor_id: int,
    update: TreatmentUpdate,
    ip: str | None = None,
) -> Vendor:
    """Set the vendor's owner and risk treatment; audited with the before/after of each field."""
    organisation_id = actor.organisation_id
    assert organisation_id is not None
    vendor = register_vendor(session=session, organisation_id=organisation_id, vendor_id=vendor_id)
    _check_owner(session, organisation_id, update.owner_id)
    if update.treatment is not None and update.treatment not in TREATMENTS:
        raise InvalidInput(f"Treatment must be one of {', '.join(TREATMENTS)}.")
    justification = (update.justification or "").strip() or None
    if justification and len(justification) > 2000:
        raise InvalidInput("Keep the justification under 2,000 characters.")
    if update.treatment and not justification:
        raise InvalidInput("Say why this treatment was chosen (justification).")
    new = {
        "owner_id": update.owner_id,
        "treatment": update.treatment,
        "treatment_justification": justification,
        "treatment_due": update.due,
    }
    changes = {
        name: {"from": getattr(vendor, name), "to": value}
        for name, value in new.items()
        if getattr(vendor, name) != value
    }
    if not changes:
        return vendor
    for name, value in new.items():
        setattr(vendor, name, value)
    session.add(vendor)
    session.flush()
    record(
        session=session,
        action="register.treatment_updated",
        actor=actor,
        organisation_id=organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"vendor": vendor.legal_name, "changes": changes},
        ip=ip,
    )
    return vendor


# --- the findings register ------------------------------------------------------------------------

FINDING_SORTS = ("severity", "vendor", "due", "updated", "status")


@dataclass(frozen=True)
class FindingFilters:
    severity: str | None = None
    status: str | None = None  # a FindingStatus, or "open_any" (anything not closed)
    vendor_id: int | None = None
    framework: str | None = None  # iso42001 | dora | ai_act | manual
    owner_id: int | None = None
    q: str | None = None
    sort: str = "severity"
    page: int = 1
    per_page: int = 50

    def __post_init__(self) -> None:
        checks = (
            ("severity", self.severity, SEVERITIES),
            ("status", self.status, (*FINDING_STATUSES, "open_any")),
            ("framework", self.framework, (*FRAMEWORKS, "manual")),
            ("sort", self.sort.lstrip("-"), FINDING_SORTS),
        )
        for name, value, allowed in checks:
            if value and value not in allowed:
                raise InvalidInput(f"Unknown {name} {value!r}: use one of {', '.join(allowed)}.")

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("severity", "status", "vendor_id", "framework", "owner_id", "q"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.sort != "severity":
            out["sort"] = self.sort
        return out


@dataclass
class FindingRow:
    finding: Finding
    vendor_name: str
    owner_name: str | None


@dataclass
class FindingPage:
    rows: list[FindingRow]
    total: int
    page: int
    per_page: int
    filters: FindingFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _finding_conditions(organisation_id: int, filters: FindingFilters) -> list[Any]:
    conditions: list[Any] = [Finding.organisation_id == organisation_id]
    if filters.severity:
        conditions.append(Finding.severity == filters.severity)
    if filters.status == "open_any":
        conditions.append(col(Finding.status).in_(OPEN))
    elif filters.status:
        conditions.append(Finding.status == filters.status)
    if filters.vendor_id:
        conditions.append(Finding.vendor_id == filters.vendor_id)
    if filters.framework == "manual":
        conditions.append(Finding.source == "manual")
    elif filters.framework:
        conditions.append(Finding.framework == filters.framework)
    if filters.owner_id:
        conditions.append(Finding.owner_id == filters.owner_id)
    if filters.q:
        conditions.append(func.lower(Finding.title).like(f"%{filters.q.strip().lower()}%"))
    return conditions


def findings_query(organisation_id: int, filters: FindingFilters) -> Select:
    query = (
        select(Finding, Vendor.legal_name, User.name)
        .join(Vendor, col(Vendor.id) == col(Finding.vendor_id))
        .join(User, col(User.id) == col(Finding.owner_id), isouter=True)
        .where(*_finding_conditions(organisation_id, filters))
    )
    key = filters.sort.lstrip("-")
    order: list[Any] = {
        "severity": [ranked(Finding.severity, SEVERITIES)],
        "vendor": [func.lower(Vendor.legal_name)],
        "due": [col(Finding.due_date).is_(None), col(Finding.due_date)],
        "updated": [col(Finding.updated_at).desc()],
        "status": [ranked(Finding.status, FINDING_STATUSES)],
    }[key]
    if filters.sort.startswith("-"):
        order = [o.desc() if i == len(order) - 1 else o for i, o in enumerate(order)]
    return query.order_by(*order, col(Finding.id))


def findings_page(
    *, session: Session, organisation_id: int, filters: FindingFilters
) -> FindingPage:
    page = max(1, filters.page)
    per_page = min(max(1, filters.per_page), MAX_PER_PAGE)
    total = session.exec(
        select(func.count())
        .select_from(Finding)
        .where(*_finding_conditions(organisation_id, filters))
    ).one()
    results = session.exec(
        findings_query(organisation_id, filters).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return FindingPage(
        rows=[FindingRow(f, vendor, owner) for f, vendor, owner in results],
        total=total,
        page=page,
        per_page=per_page,
        filters=filters,
    )


def get_finding(*, session: Session, organisation_id: int, finding_id: int) -> FindingRow:
    result = session.exec(
        findings_query(organisation_id, FindingFilters()).where(Finding.id == finding_id)
    ).first()
    if result is None:
        raise NotFound("No such finding.")
    return FindingRow(*result)


@dataclass(frozen=True)
class FindingUpdate:
    status: str
    owner_id: int | None = None
    due_date: date | None = None
    treatment: str | None = None


def update_finding(
    *,
    session: Session,
    actor: User,
    finding_id: int,
    update: FindingUpdate,
    ip: str | None = None,
) -> Finding:
    """Change a finding's status, owner, due date or treatment (generated or manual alike)."""
    organisation_id = actor.organisation_id
    assert organisation_id is not None
    finding = get_finding(
        session=session, organisation_id=organisation_id, finding_id=finding_id
    ).finding
    if update.status not in FINDING_STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(FINDING_STATUSES)}.")
    _check_owner(session, organisation_id, update.owner_id)
    treatment = (update.treatment or "").strip() or None
    if treatment and len(treatment) > 2000:
        raise InvalidInput("Keep the treatment under 2,000 characters.")
    new = {
        "status": update.status,
        "owner_id": update.owner_id,
        "due_date": update.due_date,
        "treatment": treatment,
    }
    changes = {
        name: {"from": getattr(finding, name), "to": value}
        for name, value in new.items()
        if getattr(finding, name) != value
    }
    if not changes:
        return finding
    for name, value in new.items():
        setattr(finding, name, value)
    if "status" in changes:
        finding.closed_at = utcnow() if update.status == FindingStatus.closed else None
    finding.updated_at = utcnow()
    session.add(finding)
    session.flush()
    record(
        session=session,
        action="finding.updated",
        actor=actor,
        organisation_id=organisation_id,
        object_type="finding",
        object_id=finding.id,
        data={"vendor_id": finding.vendor_id, "key": finding.key, "changes": changes},
        ip=ip,
    )
    return finding


@dataclass(frozen=True)
class ManualFinding:
    vendor_id: int
    title: str
    severity: str
    description: str = ""
    framework: str | None = None  # iso42001 | dora | ai_act
    control_ids: tuple[str, ...] = ()
    owner_id: int | None = None
    due_date: date | None = None


def add_manual_finding(
    *, session: Session, actor: User, finding: ManualFinding, ip: str | None = None
) -> Finding:
    """A finding raised by an analyst (an audit, an incident): never touched by re-scoring."""
    organisation_id = actor.organisation_id
    assert organisation_id is not None
    vendor = register_vendor(
        session=session, organisation_id=organisation_id, vendor_id=finding.vendor_id
    )
    title = finding.title.strip()
    if not title or len(title) > 300:
        raise InvalidInput("Give the finding a title of at most 300 characters.")
    if finding.severity not in SEVERITIES:
        raise InvalidInput(f"Severity must be one of {', '.join(SEVERITIES)}.")
    if finding.framework and finding.framework not in FRAMEWORKS:
        raise InvalidInput(f"Framework must be one of {', '.join(FRAMEWORKS)}.")
    if finding.control_ids and not finding.framework:
        raise InvalidInput("Say which framework the control references belong to.")
    _check_owner(session, organisation_id, finding.owner_id)
    refs = {finding.framework: list(finding.control_ids)} if finding.framework else {}
    row = Finding(
        organisation_id=organisation_id,
        vendor_id=vendor.id,
        key=f"manual:{uuid.uuid4().hex}",
        source="manual",
        framework=finding.framework,
        title=title,
        description=finding.description.strip()[:5000],
        refs=refs,
        severity=finding.severity,
        owner_id=finding.owner_id,
        due_date=finding.due_date,
    )
    session.add(row)
    session.flush()
    record(
        session=session,
        action="finding.created",
        actor=actor,
        organisation_id=organisation_id,
        object_type="finding",
        object_id=row.id,
        data={"vendor_id": vendor.id, "title": title, "severity": finding.severity, "refs": refs},
        ip=ip,
    )
    return row
