"""The risk register: one row per vendor (tier, scores, residual risk, findings, treatment), the
findings register, each vendor's maturity trend and the AI supply-chain concentration.

Pages are built from a fixed number of queries whatever the portfolio size: one page query with
the current score joined, one count, and one grouped query per related table restricted to the
page's vendor ids (findings are aggregated with GROUP BY, never loaded per vendor).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, or_
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import InvalidInput, NotFound
from app.models import (
    AISystem,
    Assessment,
    AuditEvent,
    BusinessFunction,
    Contract,
    Finding,
    FindingSeverity,
    FindingStatus,
    ScoreResult,
    Treatment,
    User,
    Vendor,
    VendorStatus,
    utcnow,
)
from app.models.base import BUYER_ROLES
from app.scoring.adapter import provider_key, provider_name
from app.scoring.service import SCORABLE_STATES
from app.vendors.codes import ICT_SERVICE_TYPES, label

TIERS = ("critical", "high", "medium", "low")
RATINGS = ("critical", "high", "medium", "low")
SEVERITIES = tuple(s.value for s in FindingSeverity)
FINDING_STATUSES = tuple(s.value for s in FindingStatus)
TREATMENTS = tuple(t.value for t in Treatment)
FRAMEWORKS = {"iso42001": "ISO/IEC 42001", "dora": "DORA", "ai_act": "EU AI Act"}
MAX_PER_PAGE = 200
OPEN = (FindingStatus.open, FindingStatus.in_progress, FindingStatus.risk_accepted)


def _rank(column: Any, order: Sequence[str]) -> Any:
    """Sort a text column by a fixed order (critical first); unknown and NULL last."""
    return case({v: i for i, v in enumerate(order)}, value=column, else_=len(order))


# --- the vendor register --------------------------------------------------------------------------

SORTS = {
    "name": "legal_name",
    "tier": "tier",
    "overall": "overall",
    "verified": "verified",
    "residual": "residual",
    "findings": "findings",
    "next_review": "next_review",
}


@dataclass(frozen=True)
class RegisterFilters:
    q: str | None = None
    tier: str | None = None
    residual: str | None = None
    treatment: str | None = None  # a Treatment, or "none" for untreated
    owner_id: int | None = None
    status: str | None = None  # vendor status
    review_due: bool = False
    sort: str = "name"
    page: int = 1
    per_page: int = 50

    def __post_init__(self) -> None:
        checks = (
            ("tier", self.tier, TIERS),
            ("residual", self.residual, RATINGS),
            ("treatment", self.treatment, (*TREATMENTS, "none")),
            ("status", self.status, tuple(s.value for s in VendorStatus)),
            ("sort", self.sort.lstrip("-"), tuple(SORTS)),
        )
        for name, value, allowed in checks:
            if value and value not in allowed:
                raise InvalidInput(f"Unknown {name} {value!r}: use one of {', '.join(allowed)}.")

    def params(self) -> dict[str, Any]:
        """The non-default filters as query parameters (links keep them)."""
        out: dict[str, Any] = {}
        for name in ("q", "tier", "residual", "treatment", "owner_id", "status"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.review_due:
            out["review_due"] = "yes"
        if self.sort != "name":
            out["sort"] = self.sort
        return out

    def described(self) -> str:
        """The filters in words, for the export's About sheet."""
        parts = [f"{k}={v}" for k, v in self.params().items() if k != "sort"]
        return ", ".join(parts) or "none (whole portfolio)"


@dataclass
class RegisterRow:
    vendor: Vendor
    owner_name: str | None
    overall: float | None
    claimed: float | None
    verified: float | None
    residual: str | None
    target: int | None
    domains: dict[str, dict[str, Any]]
    scored_at: datetime | None
    services: list[str] = field(default_factory=list)
    functions: list[tuple[str, str, bool]] = field(default_factory=list)  # code, name, critical
    ai_systems: list[tuple[str, str]] = field(default_factory=list)  # name, AI Act class
    findings: dict[str, int] = field(default_factory=dict)  # open findings by severity
    last_assessed: date | None = None

    @property
    def open_findings(self) -> int:
        return sum(self.findings.values())

    def review_overdue(self, today: date) -> bool:
        due = self.vendor.next_review_date
        return due is not None and due < today


@dataclass
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    per_page: int
    filters: RegisterFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _current_score_join() -> Any:
    return and_(col(ScoreResult.vendor_id) == col(Vendor.id), col(ScoreResult.is_current).is_(True))


def _open_counts() -> Any:
    """Open findings per vendor, as a subquery to sort by."""
    return (
        select(Finding.vendor_id, func.count().label("n"))
        .where(col(Finding.status).in_(OPEN))
        .group_by(col(Finding.vendor_id))
        .subquery()
    )


def _vendor_conditions(organisation_id: int, filters: RegisterFilters, today: date) -> list[Any]:
    conditions: list[Any] = [Vendor.organisation_id == organisation_id]
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        conditions.append(func.lower(Vendor.legal_name).like(like))
    if filters.tier:
        conditions.append(Vendor.tier == filters.tier)
    if filters.residual:
        conditions.append(ScoreResult.residual_risk == filters.residual)
    if filters.treatment == "none":
        conditions.append(col(Vendor.treatment).is_(None))
    elif filters.treatment:
        conditions.append(Vendor.treatment == filters.treatment)
    if filters.owner_id:
        conditions.append(Vendor.owner_id == filters.owner_id)
    if filters.status:
        conditions.append(Vendor.status == filters.status)
    if filters.review_due:
        conditions.append(col(Vendor.next_review_date) <= today)
    return conditions


def vendor_ids_query(organisation_id: int, filters: RegisterFilters, today: date) -> Select:
    """The ids of the vendors matching `filters` (for exports of related rows)."""
    return (
        select(Vendor.id)
        .join(ScoreResult, _current_score_join(), isouter=True)
        .where(*_vendor_conditions(organisation_id, filters, today))
    )


def _register_query(organisation_id: int, filters: RegisterFilters, today: date) -> Select:
    query = (
        select(
            Vendor,
            User.name,
            ScoreResult.overall_maturity,
            ScoreResult.claimed_maturity,
            ScoreResult.verified_maturity,
            ScoreResult.residual_risk,
            ScoreResult.target_maturity,
            ScoreResult.domains,
            ScoreResult.computed_at,
        )
        .join(ScoreResult, _current_score_join(), isouter=True)
        .join(User, col(User.id) == col(Vendor.owner_id), isouter=True)
        .where(*_vendor_conditions(organisation_id, filters, today))
    )
    key = filters.sort.lstrip("-")
    first: list[Any] = []  # rows without a value last, whichever the direction
    if key == "tier":
        first, main = [col(Vendor.tier).is_(None)], _rank(Vendor.tier, TIERS)
    elif key == "residual":
        first, main = [col(ScoreResult.id).is_(None)], _rank(ScoreResult.residual_risk, RATINGS)
    elif key in ("overall", "verified"):
        column = ScoreResult.overall_maturity if key == "overall" else ScoreResult.verified_maturity
        first, main = [col(ScoreResult.id).is_(None)], col(column)
    elif key == "findings":
        counts = _open_counts()
        query = query.join(counts, counts.c.vendor_id == col(Vendor.id), isouter=True)
        main = func.coalesce(counts.c.n, 0)
    elif key == "next_review":
        first, main = [col(Vendor.next_review_date).is_(None)], col(Vendor.next_review_date)
    else:
        main = func.lower(Vendor.legal_name)
    order = [*first, main.desc() if filters.sort.startswith("-") else main]
    return query.order_by(*order, col(Vendor.id))


def register_page(
    *, session: Session, organisation_id: int, filters: RegisterFilters, today: date
) -> RegisterPage:
    """One page of the register; seven queries however many vendors the organisation has."""
    page = max(1, filters.page)
    per_page = min(max(1, filters.per_page), MAX_PER_PAGE)
    count = select(func.count()).select_from(Vendor)
    if filters.residual:  # the only condition on the score: otherwise the join adds nothing
        count = count.join(ScoreResult, _current_score_join(), isouter=True)
    count = count.where(*_vendor_conditions(organisation_id, filters, today))
    total = session.exec(count).one()
    results = session.exec(
        _register_query(organisation_id, filters, today)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    rows = _rows(results)
    _fill_related(session, rows)
    return RegisterPage(rows=rows, total=total, page=page, per_page=per_page, filters=filters)


def iter_register_rows(
    *,
    session: Session,
    organisation_id: int,
    filters: RegisterFilters,
    today: date,
    batch: int = 500,
) -> Iterator[RegisterRow]:
    """Every matching row in register order, `batch` vendors per round of queries (exports).

    One streamed query sorts the vendors once (OFFSET pages would sort them again for every
    batch: quadratic in the portfolio); the related rows are fetched per batch."""
    query = _register_query(organisation_id, filters, today).execution_options(yield_per=batch)
    for results in session.exec(query).partitions():
        rows = _rows(results)
        _fill_related(session, rows)
        yield from rows


def _rows(results: Sequence[Any]) -> list[RegisterRow]:
    return [
        RegisterRow(
            vendor=vendor,
            owner_name=owner,
            overall=overall,
            claimed=claimed,
            verified=verified,
            residual=residual,
            target=target,
            domains=domains or {},
            scored_at=scored_at,
        )
        for vendor, owner, overall, claimed, verified, residual, target, domains, scored_at in results
    ]


def _fill_related(session: Session, rows: list[RegisterRow]) -> None:
    """Services, functions, AI systems, open findings and last assessment for a page of rows:
    one grouped query each, restricted to the page's vendor ids."""
    by_id = {row.vendor.id: row for row in rows}
    if not by_id:
        return
    ids = list(by_id)
    for vendor_id, service, code, name, critical in session.exec(
        select(
            Contract.vendor_id,
            Contract.ict_service_type,
            BusinessFunction.code,
            BusinessFunction.name,
            BusinessFunction.critical,
        )
        .join(BusinessFunction, col(BusinessFunction.id) == col(Contract.function_id), isouter=True)
        .where(col(Contract.vendor_id).in_(ids))
        .order_by(col(Contract.vendor_id), col(Contract.id))
    ).all():
        row = by_id[vendor_id]
        service_label = f"{service} {label(ICT_SERVICE_TYPES, service)}"
        if service_label not in row.services:
            row.services.append(service_label)
        if code and all(f[0] != code for f in row.functions):
            row.functions.append((code, name, critical == "yes"))
    for vendor_id, name, ai_class in session.exec(
        select(AISystem.vendor_id, AISystem.name, AISystem.ai_act_class)
        .where(col(AISystem.vendor_id).in_(ids))
        .order_by(col(AISystem.vendor_id), col(AISystem.name))
    ).all():
        by_id[vendor_id].ai_systems.append((name, str(ai_class)))
    # Status is grouped on, not filtered in SQL: with a status condition SQLite's planner walks
    # the status index (most findings are open) instead of the vendor index for the page.
    open_statuses = {str(s) for s in OPEN}
    for vendor_id, severity, status, n in session.exec(
        select(Finding.vendor_id, Finding.severity, Finding.status, func.count())
        .where(col(Finding.vendor_id).in_(ids))
        .group_by(col(Finding.vendor_id), col(Finding.severity), col(Finding.status))
    ).all():
        if str(status) in open_statuses:
            counts = by_id[vendor_id].findings
            counts[str(severity)] = counts.get(str(severity), 0) + n
    scorable = {str(s) for s in SCORABLE_STATES}
    for vendor_id, status, last in session.exec(
        select(
            Assessment.vendor_id,
            Assessment.status,
            func.max(func.coalesce(Assessment.completed_at, Assessment.submitted_at)),
        )
        .where(col(Assessment.vendor_id).in_(ids))
        .group_by(col(Assessment.vendor_id), col(Assessment.status))
    ).all():
        row, when = by_id[vendor_id], _as_date(last)
        if str(status) in scorable and when and (not row.last_assessed or when > row.last_assessed):
            row.last_assessed = when


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite hands an aggregate back as text


def owner_choices(*, session: Session, organisation_id: int) -> list[tuple[int, str]]:
    """Buyer staff who can own a vendor or a finding."""
    return [
        (uid, name)
        for uid, name in session.exec(
            select(User.id, User.name)
            .where(
                User.organisation_id == organisation_id,
                col(User.active).is_(True),
                col(User.role).in_([r.value for r in BUYER_ROLES]),
            )
            .order_by(User.name)
        ).all()
    ]


def _register_vendor(session: Session, organisation_id: int, vendor_id: int) -> Vendor:
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.organisation_id != organisation_id:
        raise NotFound("No such vendor.")
    return vendor


def _check_owner(session: Session, organisation_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    if owner_id not in {
        uid for uid, _ in owner_choices(session=session, organisation_id=organisation_id)
    }:
        raise InvalidInput("The owner must be an active member of your organisation.")


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
    vendor = _register_vendor(session, organisation_id, vendor_id)
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
        session,
        action="register.treatment_updated",
        actor=actor,
        organisation_id=organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"vendor": vendor.legal_name, "changes": changes},
        ip=ip,
    )
    return vendor


def register_row(*, session: Session, organisation_id: int, vendor_id: int) -> RegisterRow:
    """One vendor's row (after an in-place edit)."""
    _register_vendor(session, organisation_id, vendor_id)
    results = session.exec(
        _register_query(organisation_id, RegisterFilters(), utcnow().date()).where(
            Vendor.id == vendor_id
        )
    ).all()
    rows = _rows(results)
    _fill_related(session, rows)
    return rows[0]


# --- one vendor: trend, findings, history ----------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    assessment_id: int
    on: date
    overall: float
    claimed: float | None
    verified: float


def maturity_trend(*, session: Session, vendor_id: int) -> list[TrendPoint]:
    """The vendor's maturity across its assessments: the latest score of each, oldest first."""
    latest = (
        select(func.max(ScoreResult.id))
        .where(ScoreResult.vendor_id == vendor_id)
        .group_by(col(ScoreResult.assessment_id))
    )
    rows = session.exec(
        select(ScoreResult, Assessment.completed_at, Assessment.submitted_at)
        .join(Assessment, col(Assessment.id) == col(ScoreResult.assessment_id))
        .where(col(ScoreResult.id).in_(latest))
        .order_by(col(Assessment.id))
    ).all()
    return [
        TrendPoint(
            assessment_id=score.assessment_id,
            on=(completed or submitted or score.computed_at).date(),
            overall=score.overall_maturity,
            claimed=score.claimed_maturity,
            verified=score.verified_maturity,
        )
        for score, completed, submitted in rows
    ]


def vendor_history(
    *, session: Session, organisation_id: int, vendor_id: int, limit: int = 50
) -> list[AuditEvent]:
    """Audit events about the vendor, its findings and its assessments, newest first."""
    finding_ids = select(cast(Finding.id, String)).where(Finding.vendor_id == vendor_id)
    assessment_ids = select(cast(Assessment.id, String)).where(Assessment.vendor_id == vendor_id)
    return list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.organisation_id == organisation_id,
                or_(
                    and_(
                        AuditEvent.object_type == "vendor", AuditEvent.object_id == str(vendor_id)
                    ),
                    and_(
                        AuditEvent.object_type == "finding",
                        col(AuditEvent.object_id).in_(finding_ids),
                    ),
                    and_(
                        AuditEvent.object_type == "assessment",
                        col(AuditEvent.object_id).in_(assessment_ids),
                    ),
                ),
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(limit)
        ).all()
    )


@dataclass
class VendorRegisterDetail:
    row: RegisterRow
    score: ScoreResult | None
    trend: list[TrendPoint]
    findings: list[Finding]
    history: list[AuditEvent]


def vendor_detail(
    *, session: Session, organisation_id: int, vendor_id: int
) -> VendorRegisterDetail:
    row = register_row(session=session, organisation_id=organisation_id, vendor_id=vendor_id)
    score = session.exec(
        select(ScoreResult).where(
            ScoreResult.vendor_id == vendor_id, col(ScoreResult.is_current).is_(True)
        )
    ).first()
    findings = list(
        session.exec(
            select(Finding)
            .where(Finding.vendor_id == vendor_id)
            .order_by(
                col(Finding.status) == FindingStatus.closed,
                _rank(Finding.severity, SEVERITIES),
                col(Finding.key),
            )
        ).all()
    )
    return VendorRegisterDetail(
        row=row,
        score=score,
        trend=maturity_trend(session=session, vendor_id=vendor_id),
        findings=findings,
        history=vendor_history(
            session=session, organisation_id=organisation_id, vendor_id=vendor_id
        ),
    )


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
        "severity": [_rank(Finding.severity, SEVERITIES)],
        "vendor": [func.lower(Vendor.legal_name)],
        "due": [col(Finding.due_date).is_(None), col(Finding.due_date)],
        "updated": [col(Finding.updated_at).desc()],
        "status": [_rank(Finding.status, FINDING_STATUSES)],
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
        session,
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
    vendor = _register_vendor(session, organisation_id, finding.vendor_id)
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
        session,
        action="finding.created",
        actor=actor,
        organisation_id=organisation_id,
        object_type="finding",
        object_id=row.id,
        data={"vendor_id": vendor.id, "title": title, "severity": finding.severity, "refs": refs},
        ip=ip,
    )
    return row


def vendor_choices(
    *, session: Session, organisation_id: int, limit: int = 2000
) -> list[tuple[int, str]]:
    """Vendors for pickers (the findings filter and the manual finding form)."""
    return [
        (vid, name)
        for vid, name in session.exec(
            select(Vendor.id, Vendor.legal_name)
            .where(Vendor.organisation_id == organisation_id)
            .order_by(func.lower(Vendor.legal_name))
            .limit(limit)
        ).all()
    ]


# --- AI supply-chain concentration (DORA Art. 29) ---------------------------------------------------


@dataclass
class ConcentrationVendor:
    vendor_id: int
    name: str
    tier: str | None
    critical_functions: list[str]
    systems: list[str]  # the AI systems built on this provider ([] for cloud)


@dataclass
class ProviderGroup:
    kind: str  # "model" | "cloud"
    name: str
    vendors: list[ConcentrationVendor]

    @property
    def shared(self) -> bool:
        return len(self.vendors) > 1

    @property
    def critical_functions(self) -> list[str]:
        return sorted({f for v in self.vendors for f in v.critical_functions})

    @property
    def critical_vendors(self) -> int:
        return sum(1 for v in self.vendors if v.critical_functions)


def concentration(*, session: Session, organisation_id: int) -> list[ProviderGroup]:
    """Which model and cloud providers sit behind which vendors and critical functions, across
    the portfolio; most shared first. Three queries for the whole portfolio."""
    vendors = {
        vid: (name, tier, clouds, critical)
        for vid, name, tier, clouds, critical in session.exec(
            select(
                Vendor.id,
                Vendor.legal_name,
                Vendor.tier,
                Vendor.cloud_providers,
                Vendor.supports_critical_function,
            ).where(
                Vendor.organisation_id == organisation_id,
                Vendor.status != VendorStatus.offboarded,
            )
        ).all()
    }
    functions: dict[int, set[str]] = defaultdict(set)
    for vendor_id, code, name, critical in session.exec(
        select(
            Contract.vendor_id,
            BusinessFunction.code,
            BusinessFunction.name,
            BusinessFunction.critical,
        )
        .join(BusinessFunction, col(BusinessFunction.id) == col(Contract.function_id))
        .where(Contract.organisation_id == organisation_id)
    ).all():
        if critical == "yes":
            functions[vendor_id].add(f"{code} {name}")
    groups: dict[tuple[str, str], ProviderGroup] = {}
    members: dict[tuple[str, str], dict[int, ConcentrationVendor]] = defaultdict(dict)

    def add(kind: str, raw: str | None, vendor_id: int, system: str | None) -> None:
        name = provider_name(raw)
        if name is None or vendor_id not in vendors:
            return
        key = (kind, provider_key(name))
        groups.setdefault(key, ProviderGroup(kind, name, []))
        entry = members[key].get(vendor_id)
        if entry is None:
            vname, tier, _, _ = vendors[vendor_id]
            entry = ConcentrationVendor(
                vendor_id, vname, tier, sorted(functions.get(vendor_id, ())), []
            )
            members[key][vendor_id] = entry
        if system:
            entry.systems.append(system)

    for vendor_id, (_, _, clouds, _) in vendors.items():
        for cloud in clouds or ():
            add("cloud", cloud, vendor_id, None)
    for vendor_id, system, provider in session.exec(
        select(AISystem.vendor_id, AISystem.name, AISystem.model_provider)
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .where(Vendor.organisation_id == organisation_id)
        .order_by(col(AISystem.name))
    ).all():
        add("model", provider, vendor_id, system)
    for key, group in groups.items():
        group.vendors = sorted(members[key].values(), key=lambda v: v.name.lower())
    return sorted(
        groups.values(),
        key=lambda g: (-len(g.vendors), -g.critical_vendors, g.kind, g.name.lower()),
    )
