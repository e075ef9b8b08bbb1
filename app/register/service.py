"""The risk register: one row per vendor (tier, scores, residual risk, findings, treatment), its
filters and sorting, and the register's vocabulary. Treatment and the findings register are in
`findings.py`, one vendor's page in `detail.py`, provider concentration in `concentration.py`.

Pages are built from a fixed number of queries whatever the portfolio size: one page query with
the current score joined, one count, and one grouped query per related table restricted to the
page's vendor ids (findings are aggregated with GROUP BY, never loaded per vendor).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models import (
    AISystem,
    Assessment,
    BusinessFunction,
    Contract,
    Finding,
    FindingSeverity,
    FindingStatus,
    RiskTier,
    ScoreResult,
    Treatment,
    User,
    Vendor,
    VendorStatus,
    utcnow,
)
from app.models.base import BUYER_ROLES
from app.scoring.catalog import FRAMEWORK_LABELS
from app.scoring.config import RATINGS as RESIDUAL_RATINGS
from app.scoring.inputs import FRAMEWORKS as SCORED_FRAMEWORKS
from app.scoring.service import SCORABLE_STATES
from app.vendors.codes import ICT_SERVICE_TYPES, label

TIERS = tuple(t.value for t in RiskTier)
RATINGS = tuple(reversed(RESIDUAL_RATINGS))  # residual risk, worst first
SEVERITIES = tuple(s.value for s in FindingSeverity)
FINDING_STATUSES = tuple(s.value for s in FindingStatus)
TREATMENTS = tuple(t.value for t in Treatment)
FRAMEWORKS = {key: FRAMEWORK_LABELS[key] for key in SCORED_FRAMEWORKS}  # what findings cite
MAX_PER_PAGE = 200
OPEN = (FindingStatus.open, FindingStatus.in_progress, FindingStatus.risk_accepted)


def ranked(column: Any, order: Sequence[str]) -> Any:
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
    # The buyer has not reviewed every answer: the residual risk stands on the vendor's word.
    provisional: bool = False

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
            ScoreResult.provisional,
        )
        .join(ScoreResult, _current_score_join(), isouter=True)
        .join(User, col(User.id) == col(Vendor.owner_id), isouter=True)
        .where(*_vendor_conditions(organisation_id, filters, today))
    )
    key = filters.sort.lstrip("-")
    first: list[Any] = []  # rows without a value last, whichever the direction
    if key == "tier":
        first, main = [col(Vendor.tier).is_(None)], ranked(Vendor.tier, TIERS)
    elif key == "residual":
        first, main = [col(ScoreResult.id).is_(None)], ranked(ScoreResult.residual_risk, RATINGS)
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
            provisional=bool(provisional),
        )
        for (
            vendor,
            owner,
            overall,
            claimed,
            verified,
            residual,
            target,
            domains,
            scored_at,
            provisional,
        ) in results
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


def register_vendor(*, session: Session, organisation_id: int, vendor_id: int) -> Vendor:
    """The organisation's vendor, or NotFound (another tenant's vendor too)."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.organisation_id != organisation_id:
        raise NotFound("No such vendor.")
    return vendor


def register_row(*, session: Session, organisation_id: int, vendor_id: int) -> RegisterRow:
    """One vendor's row (after an in-place edit)."""
    register_vendor(session=session, organisation_id=organisation_id, vendor_id=vendor_id)
    results = session.exec(
        _register_query(organisation_id, RegisterFilters(), utcnow().date()).where(
            Vendor.id == vendor_id
        )
    ).all()
    rows = _rows(results)
    _fill_related(session, rows)
    return rows[0]


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
