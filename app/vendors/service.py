"""The vendor register: list vendors, the vendor page, create and edit a vendor.

What hangs off a vendor has its own module: `contracts` (arrangements), `children` (contacts,
subcontractors, AI systems), `functions` (the buyer's business functions) and `importing` (the
bulk import). Functions take the session and the acting user as keyword arguments, flush but
never commit, scope every read to the caller's organisation and write an audit event for every
change.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from app.audit.service import audit_diff, record
from app.auth.tenancy import scope_buyer
from app.errors import Conflict, NotFound
from app.forms import FieldErrors, validate
from app.models import (
    AISystem,
    Assessment,
    BusinessFunction,
    Contract,
    Finding,
    FindingSeverity,
    FindingStatus,
    Questionnaire,
    RiskTier,
    Subcontractor,
    User,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.vendors import providers
from app.vendors.schemas import VENDOR_FIELDS, VendorCreate, VendorListQuery

# ---------------------------------------------------------------------------------------------
# Audit helpers (shared by the register's modules)


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row, as an audit event's "before"."""
    return {name: getattr(row, name) for name in fields}


def set_fields(row: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def organisation_of(actor: User) -> int:
    """The buyer organisation whose register the actor keeps."""
    if actor.organisation_id is None:
        raise NotFound("Only buyer staff keep a vendor register.")
    return actor.organisation_id


# ---------------------------------------------------------------------------------------------
# Reading


def _vendor_query(user: User):
    return scope_buyer(select(Vendor), Vendor, user)


def get_vendor(*, session: Session, user: User, vendor_id: int, lock: bool = False) -> Vendor:
    """One vendor of the caller's organisation, or NotFound (also for other tenants' vendors)."""
    query = _vendor_query(user).where(Vendor.id == vendor_id)
    if lock:
        query = query.with_for_update()
    vendor = session.exec(query).first()
    if vendor is None:
        raise NotFound(f"No vendor {vendor_id} here.")
    return vendor


@dataclass
class VendorRow:
    vendor: Vendor
    contracts: int
    ai_systems: int


@dataclass
class VendorList:
    rows: list[VendorRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


_TIER_ORDER = case(
    {tier.value: rank for rank, tier in enumerate(RiskTier, start=1)}, value=Vendor.tier, else_=5
)
_STATUS_ORDER = case(
    {
        VendorStatus.active.value: 1,
        VendorStatus.prospective.value: 2,
        VendorStatus.offboarded.value: 3,
    },
    value=Vendor.status,
    else_=4,
)


def _list_conditions(user: User, query: VendorListQuery, today: date) -> list[Any]:
    conditions: list[Any] = []
    if query.q:
        text = query.q.strip()
        conditions.append(
            or_(
                col(Vendor.legal_name).icontains(text, autoescape=True),
                col(Vendor.latin_name).icontains(text, autoescape=True),
                col(Vendor.identifier).icontains(text, autoescape=True),
                col(Vendor.additional_identifier).icontains(text, autoescape=True),
            )
        )
    if query.status:
        conditions.append(Vendor.status == query.status)
    if query.tier:
        conditions.append(Vendor.tier == query.tier)
    if query.critical is not None:
        conditions.append(Vendor.supports_critical_function == query.critical)
    if query.overdue:
        conditions.append(col(Vendor.next_review_date) < today)
    return conditions


def _ordering(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    name = func.lower(Vendor.legal_name)
    if key == "tier":
        primary = [_TIER_ORDER.desc() if descending else _TIER_ORDER]
    elif key == "status":
        primary = [_STATUS_ORDER.desc() if descending else _STATUS_ORDER]
    elif key == "next_review":
        review = col(Vendor.next_review_date)
        primary = [review.is_(None), review.desc() if descending else review]
    else:
        return [name.desc() if descending else name, Vendor.id]
    return [*primary, name, Vendor.id]


def list_vendors(
    *, session: Session, user: User, query: VendorListQuery, today: date | None = None
) -> VendorList:
    """One page of the organisation's vendors: two statements whatever the page size."""
    conditions = _list_conditions(user, query, today or date.today())
    total = session.exec(
        scope_buyer(select(func.count(Vendor.id)), Vendor, user).where(*conditions)
    ).one()
    pages = max(1, math.ceil(total / query.per_page))
    page = min(query.page, pages)
    contracts = (
        select(func.count(Contract.id)).where(Contract.vendor_id == Vendor.id).scalar_subquery()
    )
    systems = (
        select(func.count(AISystem.id)).where(AISystem.vendor_id == Vendor.id).scalar_subquery()
    )
    statement = (
        scope_buyer(select(Vendor, contracts, systems), Vendor, user)
        .where(*conditions)
        .order_by(*_ordering(query.sort))
        .offset((page - 1) * query.per_page)
        .limit(query.per_page)
    )
    rows = [
        VendorRow(vendor, n_contracts, n_systems)
        for vendor, n_contracts, n_systems in session.exec(statement)
    ]
    return VendorList(rows=rows, total=total, page=page, per_page=query.per_page)


@dataclass
class ContractView:
    contract: Contract
    function: BusinessFunction | None
    subcontractors: list[Subcontractor]


@dataclass
class VendorOverview:
    vendor: Vendor
    contacts: list[VendorContact]
    ai_systems: list[AISystem]
    contracts: list[ContractView]
    assessments: list[tuple[Assessment, str]]
    findings: list[Finding]  # the most severe open ones, at most OVERVIEW_FINDINGS
    open_finding_count: int


OVERVIEW_FINDINGS = 10  # the vendor page shows the worst; the findings register shows them all


def vendor_overview(*, session: Session, user: User, vendor_id: int) -> VendorOverview:
    """Everything the vendor page shows, in a fixed number of statements."""
    vendor = get_vendor(session=session, user=user, vendor_id=vendor_id)
    contacts = list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor.id)
            .order_by(col(VendorContact.is_primary).desc(), VendorContact.name)
        )
    )
    systems = list(
        session.exec(
            select(AISystem).where(AISystem.vendor_id == vendor.id).order_by(AISystem.name)
        )
    )
    contracts = list(
        session.exec(
            select(Contract).where(Contract.vendor_id == vendor.id).order_by(Contract.reference)
        )
    )
    chain: dict[int, list[Subcontractor]] = defaultdict(list)
    if contracts:
        for link in session.exec(
            select(Subcontractor)
            .where(col(Subcontractor.contract_id).in_([c.id for c in contracts]))
            .order_by(Subcontractor.rank, Subcontractor.name)
        ):
            chain[link.contract_id].append(link)
    function_ids = {c.function_id for c in contracts if c.function_id}
    functions = (
        {
            f.id: f
            for f in session.exec(
                select(BusinessFunction).where(col(BusinessFunction.id).in_(function_ids))
            )
        }
        if function_ids
        else {}
    )
    assessments = list(
        session.exec(
            select(Assessment, Questionnaire.title)
            .join(Questionnaire, Questionnaire.id == Assessment.questionnaire_id)
            .where(
                Assessment.vendor_id == vendor.id,
                Assessment.organisation_id == vendor.organisation_id,
            )
            .order_by(col(Assessment.created_at).desc())
        )
    )
    open_findings = (
        Finding.vendor_id == vendor.id,
        Finding.organisation_id == vendor.organisation_id,
        col(Finding.status) != FindingStatus.closed,
    )
    severity_rank = case(
        {s.value: i for i, s in enumerate(FindingSeverity)}, value=col(Finding.severity)
    )
    findings = list(
        session.exec(
            select(Finding)
            .where(*open_findings)
            .order_by(severity_rank, Finding.title)
            .limit(OVERVIEW_FINDINGS)
        )
    )
    open_finding_count = session.exec(select(func.count()).where(*open_findings)).one()
    return VendorOverview(
        vendor=vendor,
        contacts=contacts,
        ai_systems=systems,
        contracts=[
            ContractView(c, functions.get(c.function_id or 0), chain.get(c.id or 0, []))
            for c in contracts
        ],
        assessments=[(a, title) for a, title in assessments],
        findings=findings,
        open_finding_count=open_finding_count,
    )


# ---------------------------------------------------------------------------------------------
# Vendors


def vendor_form_values(vendor: Vendor) -> dict[str, Any]:
    """The editable fields of a vendor as the form and the import compare them."""
    return snapshot(vendor, VENDOR_FIELDS)


def _check_identifier_free(
    session: Session, *, organisation_id: int, data: VendorCreate, vendor_id: int | None
) -> None:
    clash = session.exec(
        select(Vendor).where(
            Vendor.organisation_id == organisation_id,
            Vendor.identifier_type == data.identifier_type,
            Vendor.identifier == data.identifier,
            Vendor.id != (vendor_id or 0),
        )
    ).first()
    if clash is not None:
        raise FieldErrors(
            {"identifier": f"{clash.legal_name} already has this {data.identifier_type}."}
        )


def create_vendor(
    *,
    session: Session,
    actor: User,
    data: VendorCreate,
    ip: str | None = None,
    source: str = "form",
    identifier_checked: bool = False,
) -> Vendor:
    """Add a vendor; `identifier_checked` when the caller (an import) already ruled out clashes."""
    organisation_id = organisation_of(actor)
    if not identifier_checked:
        _check_identifier_free(session, organisation_id=organisation_id, data=data, vendor_id=None)
    vendor = Vendor.model_validate(data.model_dump(), update={"organisation_id": organisation_id})
    session.add(vendor)
    session.flush()
    providers.vendor_clouds(session=session, actor=actor, vendor=vendor, ip=ip)
    after = {k: v for k, v in vendor_form_values(vendor).items() if v not in (None, [], False)}
    record(
        session=session,
        action="vendor.created",
        actor=actor,
        organisation_id=organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"after": after, "source": source},
        ip=ip,
    )
    return vendor


STALE_EDIT = (
    "Someone else saved changes to this vendor after you opened it (version {current}, you "
    "edited version {yours}). Nothing was saved: reload the page to see their changes, then "
    "apply yours again."
)


def update_vendor(
    *,
    session: Session,
    actor: User,
    vendor_id: int,
    changes: Mapping[str, Any],
    version: int,
    ip: str | None = None,
    source: str = "form",
) -> Vendor:
    """Apply `changes` if nobody saved since `version` was read; else Conflict, nothing written."""
    vendor = get_vendor(session=session, user=actor, vendor_id=vendor_id, lock=True)
    if vendor.version != version:
        raise Conflict(STALE_EDIT.format(current=vendor.version, yours=version))
    before = vendor_form_values(vendor)
    merged = {**before, **{k: v for k, v in changes.items() if k in VENDOR_FIELDS}}
    data = validate(VendorCreate, merged)
    _check_identifier_free(
        session, organisation_id=vendor.organisation_id, data=data, vendor_id=vendor.id
    )
    after = data.model_dump()
    diff = audit_diff(before, after)
    if not diff["after"]:
        return vendor
    set_fields(vendor, diff["after"])
    vendor.version += 1
    session.add(vendor)
    session.flush()
    if "cloud_providers" in diff["after"]:
        providers.vendor_clouds(session=session, actor=actor, vendor=vendor, ip=ip)
    record(
        session=session,
        action="vendor.updated",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={**diff, "version": vendor.version, "source": source},
        ip=ip,
    )
    return vendor
