"""The vendor register: list, profile, create and edit vendors and what hangs off them, import.

Functions take the session and the acting user as keyword arguments, flush but never commit,
scope every read to the caller's organisation and write an audit event for every change.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.tenancy import scope_buyer
from app.errors import Conflict, NotFound
from app.forms import FieldErrors, field_errors_from
from app.models import (
    AISystem,
    Assessment,
    BusinessFunction,
    Contract,
    Finding,
    FindingSeverity,
    FindingStatus,
    Questionnaire,
    Subcontractor,
    User,
    Vendor,
    VendorContact,
)
from app.vendors.schemas import (
    VENDOR_FIELDS,
    AISystemInput,
    ContactInput,
    ContractInput,
    FunctionInput,
    SubcontractorInput,
    VendorCreate,
    VendorListQuery,
    normal_identifier,
)

# ---------------------------------------------------------------------------------------------
# Audit helpers


def _snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Compact before/after of the fields that changed."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {
        "before": {name: before.get(name) for name in changed},
        "after": {name: after[name] for name in changed},
    }


def _set_fields(row: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


# ---------------------------------------------------------------------------------------------
# Reading


def _vendor_query(user: User):
    return scope_buyer(select(Vendor), Vendor, user)


def get_vendor(session: Session, *, user: User, vendor_id: int, lock: bool = False) -> Vendor:
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


_TIER_ORDER = case({"critical": 1, "high": 2, "medium": 3, "low": 4}, value=Vendor.tier, else_=5)
_STATUS_ORDER = case({"active": 1, "prospective": 2, "offboarded": 3}, value=Vendor.status, else_=4)


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
    session: Session, *, user: User, query: VendorListQuery, today: date | None = None
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
class VendorProfile:
    vendor: Vendor
    contacts: list[VendorContact]
    ai_systems: list[AISystem]
    contracts: list[ContractView]
    assessments: list[tuple[Assessment, str]]
    findings: list[Finding]  # the most severe open ones, at most PROFILE_FINDINGS
    open_finding_count: int


PROFILE_FINDINGS = 10  # the vendor page shows the worst; the findings register shows them all


def vendor_profile(session: Session, *, user: User, vendor_id: int) -> VendorProfile:
    """Everything the vendor page shows, in a fixed number of statements."""
    vendor = get_vendor(session, user=user, vendor_id=vendor_id)
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
            .limit(PROFILE_FINDINGS)
        )
    )
    open_finding_count = session.exec(select(func.count()).where(*open_findings)).one()
    return VendorProfile(
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
    return _snapshot(vendor, VENDOR_FIELDS)


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
    session: Session,
    *,
    actor: User,
    data: VendorCreate,
    ip: str | None = None,
    source: str = "form",
    identifier_checked: bool = False,
) -> Vendor:
    """Add a vendor; `identifier_checked` when the caller (an import) already ruled out clashes."""
    organisation_id = _organisation_of(actor)
    if not identifier_checked:
        _check_identifier_free(session, organisation_id=organisation_id, data=data, vendor_id=None)
    vendor = Vendor.model_validate(data.model_dump(), update={"organisation_id": organisation_id})
    session.add(vendor)
    session.flush()
    after = {k: v for k, v in vendor_form_values(vendor).items() if v not in (None, [], False)}
    record(
        session,
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
    session: Session,
    *,
    actor: User,
    vendor_id: int,
    changes: Mapping[str, Any],
    version: int,
    ip: str | None = None,
    source: str = "form",
) -> Vendor:
    """Apply `changes` if nobody saved since `version` was read; else Conflict, nothing written."""
    vendor = get_vendor(session, user=actor, vendor_id=vendor_id, lock=True)
    if vendor.version != version:
        raise Conflict(STALE_EDIT.format(current=vendor.version, yours=version))
    before = vendor_form_values(vendor)
    merged = {**before, **{k: v for k, v in changes.items() if k in VENDOR_FIELDS}}
    data = _validate_vendor(merged)
    _check_identifier_free(
        session, organisation_id=vendor.organisation_id, data=data, vendor_id=vendor.id
    )
    after = data.model_dump()
    diff = _changes(before, after)
    if not diff["after"]:
        return vendor
    _set_fields(vendor, diff["after"])
    vendor.version += 1
    session.add(vendor)
    session.flush()
    record(
        session,
        action="vendor.updated",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={**diff, "version": vendor.version, "source": source},
        ip=ip,
    )
    return vendor


def _validate_vendor(data: Mapping[str, Any]) -> VendorCreate:
    try:
        return VendorCreate.model_validate(dict(data))
    except ValidationError as exc:
        raise FieldErrors(field_errors_from(exc)) from exc


def _organisation_of(actor: User) -> int:
    if actor.organisation_id is None:
        raise NotFound("Only buyer staff keep a vendor register.")
    return actor.organisation_id


# ---------------------------------------------------------------------------------------------
# Contracts and supply chain


CONTRACT_FIELDS: tuple[str, ...] = tuple(ContractInput.model_fields)


def get_contract(session: Session, *, vendor: Vendor, contract_id: int) -> Contract:
    contract = session.exec(
        select(Contract).where(
            Contract.id == contract_id,
            Contract.vendor_id == vendor.id,
            Contract.organisation_id == vendor.organisation_id,
        )
    ).first()
    if contract is None:
        raise NotFound(f"No contract {contract_id} for this vendor.")
    return contract


def list_contracts(session: Session, *, vendor: Vendor) -> list[Contract]:
    return list(
        session.exec(
            select(Contract)
            .where(
                Contract.vendor_id == vendor.id, Contract.organisation_id == vendor.organisation_id
            )
            .order_by(Contract.reference)
        )
    )


def list_subcontractors(session: Session, *, contract: Contract) -> list[Subcontractor]:
    return list(
        session.exec(
            select(Subcontractor)
            .where(Subcontractor.contract_id == contract.id)
            .order_by(Subcontractor.rank, Subcontractor.name)
        )
    )


def list_functions(session: Session, *, user: User) -> list[BusinessFunction]:
    return list(
        session.exec(
            scope_buyer(select(BusinessFunction), BusinessFunction, user).order_by(
                func.length(BusinessFunction.code), BusinessFunction.code
            )
        )
    )


def _check_contract(
    session: Session, *, vendor: Vendor, data: ContractInput, contract_id: int | None
) -> None:
    errors: dict[str, str] = {}
    org = vendor.organisation_id
    if session.exec(
        select(Contract.id).where(
            Contract.organisation_id == org,
            Contract.reference == data.reference,
            Contract.id != (contract_id or 0),
        )
    ).first():
        errors["reference"] = "Another arrangement already has this reference number."
    if data.overarching_reference:
        overarching = session.exec(
            select(Contract).where(
                Contract.organisation_id == org, Contract.reference == data.overarching_reference
            )
        ).first()
        if overarching is None:
            errors["overarching_reference"] = "No arrangement has this reference number."
        elif overarching.arrangement_type != "overarching":
            errors["overarching_reference"] = (
                f"{overarching.reference} is not an overarching arrangement."
            )
    if (
        data.function_id is not None
        and not session.exec(
            select(BusinessFunction.id).where(
                BusinessFunction.id == data.function_id, BusinessFunction.organisation_id == org
            )
        ).first()
    ):
        errors["function_id"] = "Choose one of your business functions."
    if errors:
        raise FieldErrors(errors)


def save_contract(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    data: ContractInput,
    contract_id: int | None = None,
    ip: str | None = None,
) -> Contract:
    """Create the arrangement, or update it when `contract_id` is given."""
    _check_contract(session, vendor=vendor, data=data, contract_id=contract_id)
    values = data.model_dump()
    if contract_id is None:
        contract = Contract.model_validate(
            values, update={"organisation_id": vendor.organisation_id, "vendor_id": vendor.id}
        )
        diff = {"after": {k: v for k, v in values.items() if v not in (None, [], False)}}
        action = "contract.created"
    else:
        contract = get_contract(session, vendor=vendor, contract_id=contract_id)
        diff = _changes(_snapshot(contract, CONTRACT_FIELDS), values)
        if not diff["after"]:
            return contract
        _set_fields(contract, diff["after"])
        action = "contract.updated"
    session.add(contract)
    session.flush()
    record(
        session,
        action=action,
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="contract",
        object_id=contract.id,
        data={**diff, "vendor_id": vendor.id, "reference": contract.reference},
        ip=ip,
    )
    return contract


def delete_contract(
    session: Session, *, actor: User, vendor: Vendor, contract_id: int, ip: str | None = None
) -> None:
    contract = get_contract(session, vendor=vendor, contract_id=contract_id)
    dependants = session.exec(
        select(Contract.reference).where(
            Contract.organisation_id == vendor.organisation_id,
            Contract.overarching_reference == contract.reference,
        )
    ).all()
    if dependants:
        raise Conflict(
            f"{contract.reference} is the overarching arrangement of {', '.join(dependants)}: "
            "change those first."
        )
    for link in session.exec(select(Subcontractor).where(Subcontractor.contract_id == contract.id)):
        session.delete(link)
    for system in session.exec(select(AISystem).where(AISystem.contract_id == contract.id)):
        system.contract_id = None
        session.add(system)
    session.flush()
    session.delete(contract)
    session.flush()
    record(
        session,
        action="contract.deleted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="contract",
        object_id=contract_id,
        data={"before": {"reference": contract.reference, "vendor_id": vendor.id}},
        ip=ip,
    )


def add_subcontractor(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    contract_id: int,
    data: SubcontractorInput,
    ip: str | None = None,
) -> Subcontractor:
    contract = get_contract(session, vendor=vendor, contract_id=contract_id)
    values = data.model_dump()
    if not values.get("recipient_identifier") and values["rank"] == 2:
        values["recipient_identifier"] = vendor.identifier
    if not values.get("service_type"):
        values["service_type"] = contract.ict_service_type
    link = Subcontractor.model_validate(values, update={"contract_id": contract.id})
    session.add(link)
    session.flush()
    record(
        session,
        action="subcontractor.created",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="subcontractor",
        object_id=link.id,
        data={"after": values, "contract": contract.reference},
        ip=ip,
    )
    return link


def delete_subcontractor(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    contract_id: int,
    subcontractor_id: int,
    ip: str | None = None,
) -> None:
    contract = get_contract(session, vendor=vendor, contract_id=contract_id)
    link = session.exec(
        select(Subcontractor).where(
            Subcontractor.id == subcontractor_id, Subcontractor.contract_id == contract.id
        )
    ).first()
    if link is None:
        raise NotFound("No such subcontractor on this arrangement.")
    before = {"name": link.name, "identifier": link.identifier, "rank": link.rank}
    session.delete(link)
    session.flush()
    record(
        session,
        action="subcontractor.deleted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="subcontractor",
        object_id=subcontractor_id,
        data={"before": before, "contract": contract.reference},
        ip=ip,
    )


# ---------------------------------------------------------------------------------------------
# Contacts and AI systems


CONTACT_FIELDS: tuple[str, ...] = tuple(ContactInput.model_fields)
AI_SYSTEM_FIELDS: tuple[str, ...] = tuple(AISystemInput.model_fields)


def _child(session: Session, model: Any, vendor: Vendor, child_id: int) -> Any:
    row = session.exec(
        select(model).where(model.id == child_id, model.vendor_id == vendor.id)
    ).first()
    if row is None:
        raise NotFound(f"No such {model.__name__.lower()} for this vendor.")
    return row


def get_contact(session: Session, *, vendor: Vendor, contact_id: int) -> VendorContact:
    return _child(session, VendorContact, vendor, contact_id)


def get_ai_system(session: Session, *, vendor: Vendor, system_id: int) -> AISystem:
    return _child(session, AISystem, vendor, system_id)


def _save_child(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    model: Any,
    kind: str,
    fields: Sequence[str],
    values: dict[str, Any],
    child_id: int | None,
    ip: str | None,
) -> Any:
    if child_id is None:
        row = model.model_validate(values, update={"vendor_id": vendor.id})
        diff: dict[str, Any] = {
            "after": {k: v for k, v in values.items() if v not in (None, "", False)}
        }
        action = f"{kind}.created"
    else:
        row = _child(session, model, vendor, child_id)
        diff = _changes(_snapshot(row, fields), values)
        if not diff["after"]:
            return row
        _set_fields(row, diff["after"])
        action = f"{kind}.updated"
    session.add(row)
    session.flush()
    record(
        session,
        action=action,
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type=kind,
        object_id=row.id,
        data={**diff, "vendor_id": vendor.id},
        ip=ip,
    )
    return row


def save_contact(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    data: ContactInput,
    contact_id: int | None = None,
    ip: str | None = None,
) -> VendorContact:
    if session.exec(
        select(VendorContact.id).where(
            VendorContact.vendor_id == vendor.id,
            VendorContact.email == data.email,
            VendorContact.id != (contact_id or 0),
        )
    ).first():
        raise FieldErrors({"email": "This vendor already has a contact with this email."})
    if data.is_primary:
        for other in session.exec(
            select(VendorContact).where(
                VendorContact.vendor_id == vendor.id,
                col(VendorContact.is_primary).is_(True),
                VendorContact.id != (contact_id or 0),
            )
        ):
            other.is_primary = False
            session.add(other)
    return _save_child(
        session,
        actor=actor,
        vendor=vendor,
        model=VendorContact,
        kind="vendor_contact",
        fields=CONTACT_FIELDS,
        values=data.model_dump(),
        child_id=contact_id,
        ip=ip,
    )


def save_ai_system(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    data: AISystemInput,
    system_id: int | None = None,
    ip: str | None = None,
) -> AISystem:
    if (
        data.contract_id is not None
        and not session.exec(
            select(Contract.id).where(
                Contract.id == data.contract_id, Contract.vendor_id == vendor.id
            )
        ).first()
    ):
        raise FieldErrors({"contract_id": "Choose one of this vendor's arrangements."})
    return _save_child(
        session,
        actor=actor,
        vendor=vendor,
        model=AISystem,
        kind="ai_system",
        fields=AI_SYSTEM_FIELDS,
        values=data.model_dump(),
        child_id=system_id,
        ip=ip,
    )


def delete_child(
    session: Session,
    *,
    actor: User,
    vendor: Vendor,
    kind: str,
    child_id: int,
    ip: str | None = None,
) -> None:
    """Remove a contact or an AI system of the vendor."""
    model = {"vendor_contact": VendorContact, "ai_system": AISystem}[kind]
    row = _child(session, model, vendor, child_id)
    if kind == "vendor_contact" and row.user_id is not None:
        raise Conflict(
            "This contact signs in to the vendor portal: remove their access before deleting them."
        )
    before = {"name": row.name}
    session.delete(row)
    session.flush()
    record(
        session,
        action=f"{kind}.deleted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type=kind,
        object_id=child_id,
        data={"before": before, "vendor_id": vendor.id},
        ip=ip,
    )


# ---------------------------------------------------------------------------------------------
# Business functions


FUNCTION_FIELDS: tuple[str, ...] = tuple(FunctionInput.model_fields)


def get_function(session: Session, *, user: User, function_id: int) -> BusinessFunction:
    row = session.exec(
        scope_buyer(select(BusinessFunction), BusinessFunction, user).where(
            BusinessFunction.id == function_id
        )
    ).first()
    if row is None:
        raise NotFound(f"No business function {function_id} here.")
    return row


def save_function(
    session: Session,
    *,
    actor: User,
    data: FunctionInput,
    function_id: int | None = None,
    ip: str | None = None,
) -> BusinessFunction:
    organisation_id = _organisation_of(actor)
    if session.exec(
        select(BusinessFunction.id).where(
            BusinessFunction.organisation_id == organisation_id,
            BusinessFunction.code == data.code,
            BusinessFunction.id != (function_id or 0),
        )
    ).first():
        raise FieldErrors({"code": f"{data.code} is already used by another function."})
    values = data.model_dump()
    if function_id is None:
        row = BusinessFunction.model_validate(values, update={"organisation_id": organisation_id})
        diff: dict[str, Any] = {"after": {k: v for k, v in values.items() if v is not None}}
        action = "business_function.created"
    else:
        row = get_function(session, user=actor, function_id=function_id)
        diff = _changes(_snapshot(row, FUNCTION_FIELDS), values)
        if not diff["after"]:
            return row
        _set_fields(row, diff["after"])
        action = "business_function.updated"
    session.add(row)
    session.flush()
    record(
        session,
        action=action,
        actor=actor,
        organisation_id=organisation_id,
        object_type="business_function",
        object_id=row.id,
        data=diff,
        ip=ip,
    )
    return row


# ---------------------------------------------------------------------------------------------
# Bulk import (rows from a spreadsheet or the API; nothing is written unless every row is valid)

MAX_CELL_CHARS = 2000
REQUIRED_IMPORT_COLUMNS = ("legal_name", "identifier", "hq_country")


@dataclass
class ImportRow:
    """One row of an import as previewed: what would happen, or why it cannot."""

    row: int
    action: str  # new | update | unchanged | error
    legal_name: str | None
    identifier: str | None
    errors: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    vendor_id: int | None = None
    data: VendorCreate | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(r.row, column, message) for r in self.rows for column, message in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _existing_by_key(
    session: Session, organisation_id: int, identifiers: set[str]
) -> dict[tuple[str, str], Vendor]:
    found: dict[tuple[str, str], Vendor] = {}
    ordered = sorted(identifiers)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for vendor in session.exec(
            select(Vendor).where(
                Vendor.organisation_id == organisation_id, col(Vendor.identifier).in_(chunk)
            )
        ):
            found[(str(vendor.identifier_type), vendor.identifier)] = vendor
    return found


def _row_key(values: Mapping[str, Any]) -> tuple[str, str] | None:
    identifier = values.get("identifier")
    if not isinstance(identifier, str) or not identifier.strip():
        return None
    kind = str(values.get("identifier_type") or "LEI").strip().upper()
    return kind, normal_identifier(kind, identifier)


def preview_import(
    session: Session, *, user: User, rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> ImportPreview:
    """What importing `rows` (row number, {column: value}) would do; nothing is written.

    A row matches an existing vendor by identifier type and identifier; blank cells leave the
    existing value unchanged, so a sheet with a few columns updates just those.
    """
    organisation_id = _organisation_of(user)
    keys = {key for _, values in rows if (key := _row_key(values))}
    existing = _existing_by_key(session, organisation_id, {identifier for _, identifier in keys})
    first_row_of: dict[tuple[str, str], int] = {}
    previews: list[ImportRow] = []
    for number, raw in rows:
        values = {k: v for k, v in raw.items() if v is not None and v != ""}
        key = _row_key(values)
        preview = ImportRow(
            row=number,
            action="error",
            legal_name=str(values.get("legal_name") or "") or None,
            identifier=key[1] if key else None,
        )
        previews.append(preview)
        for column, value in values.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                preview.errors.append(
                    (column, f"The cell has {len(value):,} characters; at most {MAX_CELL_CHARS:,}.")
                )
        if preview.errors:
            continue
        if key is not None:
            if key in first_row_of:
                preview.errors.append(
                    ("identifier", f"The same identifier is already in row {first_row_of[key]}.")
                )
                continue
            first_row_of[key] = number
        vendor = existing.get(key) if key else None
        base = vendor_form_values(vendor) if vendor else {}
        try:
            data = VendorCreate.model_validate({**base, **values})
        except ValidationError as exc:
            preview.errors.extend(field_errors_from(exc).items())
            continue
        preview.data = data
        preview.legal_name = data.legal_name
        preview.identifier = data.identifier
        if vendor is None:
            preview.action = "new"
        else:
            preview.vendor_id = vendor.id
            preview.changed = list(_changes(base, data.model_dump())["after"])
            preview.action = "update" if preview.changed else "unchanged"
    return ImportPreview(previews)


def apply_import(
    session: Session,
    *,
    actor: User,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    ip: str | None = None,
    source: str = "import",
) -> ImportPreview:
    """Validate again and write every row, or raise FieldErrors and write nothing."""
    preview = preview_import(session, user=actor, rows=rows)
    if not preview.rows:
        raise FieldErrors({"": "The import has no rows."}, "Nothing to import.")
    if preview.errors:
        problems = preview.errors
        raise FieldErrors(
            {f"row {row}, {column}": message for row, column, message in problems},
            f"{len(problems)} problem(s) in the import: nothing was imported.",
        )
    for row in preview.rows:
        assert row.data is not None
        if row.action == "new":
            vendor = create_vendor(
                session, actor=actor, data=row.data, ip=ip, source=source, identifier_checked=True
            )
            row.vendor_id = vendor.id
        elif row.action == "update":
            current = session.get(Vendor, row.vendor_id)
            assert current is not None
            update_vendor(
                session,
                actor=actor,
                vendor_id=current.id or 0,
                changes=row.data.model_dump(),
                version=current.version,
                ip=ip,
                source=source,
            )
    return preview
