"""A provider's own register facts, proposed in its portal and accepted by the buyer.

A proposal is checked with the register's own models (`VendorCreate`, `ContractInput`,
`SubcontractorInput`, `AISystemInput`) when the vendor saves it and again when a buyer accepts
it, and acceptance writes through the vendor service, so the register's rules hold whichever way
a fact arrives. Nothing reaches the register until a buyer accepts the change from a diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import Conflict, NotFound
from app.forms import FieldErrors, split_list, validate
from app.models import (
    AISystem,
    Contract,
    IdentifierType,
    ProfileChangeStatus,
    ProviderProfileChange,
    Subcontractor,
    User,
    Vendor,
    utcnow,
)
from app.vendors import children as vendor_children
from app.vendors import contracts as vendor_contracts
from app.vendors import providers
from app.vendors import service as vendor_service
from app.vendors.schemas import AISystemInput, ContractInput, SubcontractorInput, VendorCreate

# The provider's facts a vendor may propose, labelled as the buyer's diff shows them.
VENDOR_LABELS = {
    "legal_name": "Legal name",
    "identifier": "Identifier (LEI)",
    "parent_name": "Ultimate parent",
    "parent_identifier": "Ultimate parent LEI",
    "hq_country": "Headquarters country",
    "cloud_providers": "Cloud providers",
}
# Substitutability, reintegration and the impact of losing a service are the buyer's own
# assessments per service (RoI B_07.01): a vendor informs them in its answers, never sets them.
SERVICE_LABELS = {
    "processing_countries": "Countries where data is processed",
    "storage_countries": "Countries where data is stored",
    "alternatives": "Exit support and alternative providers",
}
SUBCONTRACTOR_FIELDS = ("rank", "name", "identifier", "country", "what", "recipient_identifier")
AI_SYSTEM_FIELDS = ("name", "model_provider", "foundation_model")
MAX_ROWS = 50


# --- the register as the vendor may see and propose it --------------------------------------------


def contracts_of(*, session: Session, vendor: Vendor) -> list[Contract]:
    return list(
        session.exec(
            select(Contract).where(Contract.vendor_id == vendor.id).order_by(col(Contract.id))
        ).all()
    )


def register_snapshot(*, session: Session, vendor: Vendor) -> dict[str, Any]:
    """The register's current facts in the shape of a profile change."""
    services = []
    for contract in contracts_of(session=session, vendor=vendor):
        subs = session.exec(
            select(Subcontractor)
            .where(Subcontractor.contract_id == contract.id)
            .order_by(col(Subcontractor.rank), col(Subcontractor.id))
        ).all()
        systems = session.exec(
            select(AISystem)
            .where(AISystem.vendor_id == vendor.id, AISystem.contract_id == contract.id)
            .order_by(col(AISystem.id))
        ).all()
        services.append(
            {
                "contract_id": contract.id,
                "reference": contract.reference,
                "description": contract.description or contract.ict_service_type,
                "processing_countries": list(contract.processing_countries or []),
                "storage_countries": list(contract.storage_countries or []),
                "alternatives": contract.alternatives or "",
                "subcontractors": [
                    {
                        "rank": s.rank,
                        "name": s.name,
                        "identifier": s.identifier,
                        "country": s.country or "",
                        "what": s.what or "",
                        "recipient_identifier": s.recipient_identifier or "",
                    }
                    for s in subs
                ],
                "ai_systems": [
                    {
                        "name": a.name,
                        "model_provider": a.model_provider or "",
                        "foundation_model": a.foundation_model or "",
                    }
                    for a in systems
                ],
            }
        )
    return {
        "vendor": {
            "legal_name": vendor.legal_name,
            "identifier": vendor.identifier,
            "parent_name": vendor.parent_name or "",
            "parent_identifier": vendor.parent_identifier or "",
            "hq_country": vendor.hq_country,
            "cloud_providers": list(vendor.cloud_providers or []),
        },
        "services": services,
    }


def pending_change(*, session: Session, vendor_id: int) -> ProviderProfileChange | None:
    return session.exec(
        select(ProviderProfileChange)
        .where(
            ProviderProfileChange.vendor_id == vendor_id,
            ProviderProfileChange.status == ProfileChangeStatus.pending,
        )
        .order_by(col(ProviderProfileChange.id).desc())
    ).first()


# --- checking a proposal with the register's rules ------------------------------------------------


@dataclass
class CheckedService:
    contract: Contract
    data: ContractInput
    subcontractors: list[SubcontractorInput] = field(default_factory=list)
    ai_systems: list[AISystemInput] = field(default_factory=list)


@dataclass
class CheckedProposal:
    """A proposal as the register's models read it, and as it is stored (`data`)."""

    vendor: VendorCreate
    services: list[CheckedService]
    data: dict[str, Any]


def _codes(value: Any) -> list[str]:
    return list(dict.fromkeys(str(c).strip().upper() for c in split_list(value) if str(c).strip()))


def _checked(
    schema: type, values: dict[str, Any], where: str, labels: dict[str, str], errors: dict
) -> Any:
    """`validate`, with each problem filed under the label the vendor's form shows."""
    try:
        return validate(schema, values)
    except FieldErrors as exc:
        for name, message in exc.errors.items():
            label = labels.get(name.removesuffix("_type"), name.replace("_", " "))
            errors.setdefault(f"{where}{label}", _after_colon(message))
        return None


def _after_colon(message: str) -> str:
    """A message as it reads after its label: "Legal name: at most 300 characters."."""
    if message[:2].istitle() and message[1:2].islower():
        return message[0].lower() + message[1:]
    return message


def _stored(value: Any) -> Any:
    """A checked fact as the proposal stores it: lists as lists, the rest as text."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def check_proposal(
    *, vendor: Vendor, contracts: list[Contract], data: dict[str, Any]
) -> CheckedProposal:
    """The proposal validated as the register would validate the same edit, or FieldErrors
    listing every problem. Facts the vendor does not propose keep the register's values."""
    errors: dict[str, str] = {}
    proposed = {k: v for k, v in data.get("vendor", {}).items() if k in VENDOR_LABELS}
    if "parent_identifier" in proposed:
        proposed["parent_identifier_type"] = (
            IdentifierType.LEI if proposed["parent_identifier"] else None
        )
    checked_vendor = _checked(
        VendorCreate,
        {**vendor_service.vendor_form_values(vendor), **proposed},
        "",
        VENDOR_LABELS,
        errors,
    )
    by_id = {c.id: c for c in contracts}
    services: list[CheckedService] = []
    stored_services: list[dict[str, Any]] = []
    for service in data.get("services", []):
        contract = by_id.get(service.get("contract_id"))
        if contract is None:
            continue
        label = f"{contract.description or contract.reference}, "
        storage = _codes(service.get("storage_countries"))
        current = {name: getattr(contract, name) for name in vendor_contracts.CONTRACT_FIELDS}
        contract_data = _checked(
            ContractInput,
            {
                **current,
                "processing_countries": _codes(service.get("processing_countries")),
                "storage_countries": storage,
                # Countries where the data is stored say that the provider stores it.
                "stores_data": current["stores_data"] or bool(storage),
                "alternatives": service.get("alternatives") or None,
            },
            label,
            {k: v.lower() for k, v in SERVICE_LABELS.items()},
            errors,
        )
        subs: list[SubcontractorInput] = []
        for number, row in enumerate(service.get("subcontractors", [])[:MAX_ROWS], start=1):
            values = {f: row.get(f) for f in SUBCONTRACTOR_FIELDS}
            where = f"{label}subcontractor {number}: "
            subs.append(_checked(SubcontractorInput, values, where, {}, errors))
        systems: list[AISystemInput] = []
        for number, row in enumerate(service.get("ai_systems", [])[:MAX_ROWS], start=1):
            values = {f: row.get(f) for f in AI_SYSTEM_FIELDS} | {"contract_id": contract.id}
            where = f"{label}AI model {number}: "
            systems.append(_checked(AISystemInput, values, where, {}, errors))
        if contract_data is not None:
            services.append(CheckedService(contract, contract_data, subs, systems))
            stored_services.append(
                {
                    "contract_id": contract.id,
                    "reference": contract.reference,
                    "description": contract.description or contract.ict_service_type,
                    "processing_countries": list(contract_data.processing_countries),
                    "storage_countries": list(contract_data.storage_countries),
                    "alternatives": contract_data.alternatives or "",
                    "subcontractors": [
                        {
                            "rank": s.rank,
                            "name": s.name,
                            "identifier": s.identifier,
                            "country": s.country or "",
                            "what": s.what or "",
                            "recipient_identifier": s.recipient_identifier or "",
                        }
                        for s in subs
                        if s is not None
                    ],
                    "ai_systems": [
                        {
                            "name": a.name,
                            "model_provider": a.model_provider or "",
                            "foundation_model": a.foundation_model or "",
                        }
                        for a in systems
                        if a is not None
                    ],
                }
            )
    if errors or checked_vendor is None:
        raise FieldErrors(errors, "Some register facts need correcting.")
    stored_vendor = {name: _stored(getattr(checked_vendor, name)) for name in VENDOR_LABELS}
    return CheckedProposal(
        checked_vendor, services, {"vendor": stored_vendor, "services": stored_services}
    )


# --- the buyer's view: a diff, accept or reject ---------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    area: str
    field: str
    current: str
    proposed: str


def _show(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(
                " · ".join(str(v) for v in row.values() if v not in ("", None)) for row in value
            )
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def profile_diff(current: dict[str, Any], proposed: dict[str, Any]) -> list[DiffRow]:
    """Every field whose proposed value differs from the register (pure). A fact the proposal
    does not carry keeps the register's value, so it is no difference."""
    rows = []
    for name, label in VENDOR_LABELS.items():
        if name not in proposed.get("vendor", {}):
            continue
        before = current["vendor"].get(name, "")
        after = proposed["vendor"][name]
        if (before or "") != (after or ""):
            rows.append(DiffRow("Provider", label, _show(before), _show(after)))
    services = {s["contract_id"]: s for s in current["services"]}
    for service in proposed.get("services", []):
        existing = services.get(service["contract_id"])
        if existing is None:
            continue
        area = f"Service {existing['reference']}"
        for name, label in SERVICE_LABELS.items():
            if existing.get(name) != service.get(name):
                rows.append(
                    DiffRow(area, label, _show(existing.get(name)), _show(service.get(name)))
                )
        if existing["subcontractors"] != service.get("subcontractors", []):
            rows.append(
                DiffRow(
                    area,
                    "Subcontracting chain",
                    _show(existing["subcontractors"]),
                    _show(service.get("subcontractors", [])),
                )
            )
        if existing["ai_systems"] != service.get("ai_systems", []):
            rows.append(
                DiffRow(
                    area,
                    "AI systems and model providers",
                    _show(existing["ai_systems"]),
                    _show(service.get("ai_systems", [])),
                )
            )
    return rows


def profile_changes(*, session: Session, vendor: Vendor) -> list[ProviderProfileChange]:
    return list(
        session.exec(
            select(ProviderProfileChange)
            .where(ProviderProfileChange.vendor_id == vendor.id)
            .order_by(col(ProviderProfileChange.id).desc())
        ).all()
    )


def _decide(
    session: Session,
    change: ProviderProfileChange,
    status: ProfileChangeStatus,
    actor: User,
    note: str | None,
) -> None:
    """Compare-and-set on the status, so two reviewers cannot both decide one change."""
    result = session.execute(
        update(ProviderProfileChange)
        .where(
            ProviderProfileChange.id == change.id,
            ProviderProfileChange.status == ProfileChangeStatus.pending,
        )
        .values(status=status, reviewed_by_id=actor.id, reviewed_at=utcnow(), review_note=note)
    )
    if result.rowcount != 1:
        raise Conflict("This change was already decided; reload the page.")
    session.refresh(change)


def get_change(*, session: Session, vendor: Vendor, change_id: int) -> ProviderProfileChange:
    change = session.get(ProviderProfileChange, change_id)
    if change is None or change.vendor_id != vendor.id:
        raise NotFound("No such profile change.")
    return change


def _apply_service(
    session: Session, actor: User, vendor: Vendor, service: CheckedService, ip: str | None
) -> None:
    """One arrangement's proposed facts, written as the register's own edits would write them."""
    contract = vendor_contracts.save_contract(
        session=session,
        actor=actor,
        vendor=vendor,
        data=service.data,
        contract_id=service.contract.id,
        ip=ip,
    )
    chain = vendor_children.list_subcontractors(session=session, contract=contract)

    def link(s: Any) -> tuple:
        return (s.rank, s.name, s.identifier, s.country, s.what, s.recipient_identifier or "")

    current = [link(s) for s in chain]
    proposed = [link(s) for s in service.subcontractors]
    if sorted(current, key=str) != sorted(proposed, key=str):
        for link in chain:
            vendor_children.delete_subcontractor(
                session=session,
                actor=actor,
                vendor=vendor,
                contract_id=contract.id or 0,
                subcontractor_id=link.id or 0,
                ip=ip,
            )
        for link_data in service.subcontractors:
            vendor_children.add_subcontractor(
                session=session,
                actor=actor,
                vendor=vendor,
                contract_id=contract.id or 0,
                data=link_data,
                ip=ip,
            )
    systems = {
        a.name: a
        for a in session.exec(
            select(AISystem).where(
                AISystem.vendor_id == vendor.id, AISystem.contract_id == contract.id
            )
        ).all()
    }
    for system_data in service.ai_systems:
        existing = systems.get(system_data.name)
        if existing is not None:
            values = {
                name: getattr(existing, name) for name in vendor_children.AI_SYSTEM_FIELDS
            } | {
                "model_provider": system_data.model_provider,
                "foundation_model": system_data.foundation_model,
            }
            system_data = validate(AISystemInput, values)
        vendor_children.save_ai_system(
            session=session,
            actor=actor,
            vendor=vendor,
            data=system_data,
            system_id=existing.id if existing is not None else None,
            ip=ip,
        )


def accept_change(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    change: ProviderProfileChange,
    ip: str | None = None,
) -> list[DiffRow]:
    """Apply the vendor's facts through the vendor service, all or nothing; audited with the
    diff that was accepted. A proposal the register's rules refuse is FieldErrors."""
    try:
        checked = check_proposal(
            vendor=vendor, contracts=contracts_of(session=session, vendor=vendor), data=change.data
        )
    except FieldErrors as exc:
        raise FieldErrors(
            exc.errors,
            "This proposal cannot enter the register as it stands: reject it with a note so "
            "the vendor can correct it.",
        ) from None
    diff = profile_diff(register_snapshot(session=session, vendor=vendor), change.data)
    with session.begin_nested():
        _decide(session, change, ProfileChangeStatus.accepted, actor, None)
        vendor_service.update_vendor(
            session=session,
            actor=actor,
            vendor_id=vendor.id or 0,
            changes={
                name: getattr(checked.vendor, name)
                for name in (*VENDOR_LABELS, "parent_identifier_type")
            },
            version=vendor.version,
            ip=ip,
            source="profile_change",
        )
        for service in checked.services:
            _apply_service(session, actor, vendor, service, ip)
        # The stated cloud providers become provider records, by the LEI of the supply chain
        # just accepted where it names them (concentration counts records, not spellings).
        providers.vendor_clouds(session=session, actor=actor, vendor=vendor, ip=ip)
        record(
            session=session,
            action="vendor.profile_accepted",
            actor=actor,
            organisation_id=vendor.organisation_id,
            object_type="vendor",
            object_id=vendor.id,
            data={
                "change_id": change.id,
                "changes": [
                    {"area": d.area, "field": d.field, "from": d.current, "to": d.proposed}
                    for d in diff
                ],
            },
            ip=ip,
        )
    return diff


def reject_change(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    change: ProviderProfileChange,
    note: str | None,
    ip: str | None = None,
) -> None:
    _decide(
        session, change, ProfileChangeStatus.rejected, actor, (note or "").strip()[:1000] or None
    )
    record(
        session=session,
        action="vendor.profile_rejected",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"change_id": change.id, "note": change.review_note},
        ip=ip,
    )
