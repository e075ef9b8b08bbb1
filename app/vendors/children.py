"""What hangs off a vendor besides its arrangements: the supply chain below an arrangement
(subcontractors), the vendor's contacts and its AI systems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import audit_diff, record
from app.errors import Conflict, NotFound
from app.forms import FieldErrors
from app.models import AISystem, Contract, Provider, Subcontractor, User, Vendor, VendorContact
from app.vendors import providers
from app.vendors.contracts import get_contract
from app.vendors.schemas import AISystemInput, ContactInput, SubcontractorInput
from app.vendors.service import set_fields, snapshot

# ---------------------------------------------------------------------------------------------
# Subcontractors (the supply chain of an arrangement)


def offered_providers(
    *, session: Session, vendor: Vendor, contract: Contract, chain: Sequence[Subcontractor]
) -> list[tuple[Provider, str]]:
    """The model providers of the service's AI systems and the vendor's cloud providers, as
    provider records, that its supply chain does not name yet: offered to add (B_05.02)."""
    keys = providers.providers_by_key(session=session, organisation_id=vendor.organisation_id)
    found: list[tuple[Provider, str]] = []
    for provider in session.exec(
        select(Provider)
        .join(AISystem, col(AISystem.model_provider_id) == col(Provider.id))
        .where(AISystem.contract_id == contract.id, AISystem.vendor_id == vendor.id)
    ).all():
        found.append((provider, "AI model provider"))
    for name in vendor.cloud_providers or ():
        key = providers.name_key(name)
        if key is not None and key in keys:
            found.append((keys[key], "cloud provider"))
    leis = {s.identifier.upper() for s in chain}
    names = {providers.name_key(s.name) for s in chain}
    offered: dict[int, tuple[Provider, str]] = {}
    for provider, role in found:
        if (provider.lei or "").upper() in leis or providers.name_key(provider.name) in names:
            continue
        offered.setdefault(provider.id or 0, (provider, role))
    return list(offered.values())


def offered_values(provider: Provider) -> dict[str, Any]:
    """The add-subcontractor form filled from a provider record."""
    return {
        "rank": 2,
        "name": provider.name,
        "identifier_type": "LEI",
        "identifier": provider.lei or "",
        "country": provider.country or "",
        "parent_name": provider.parent_name or "",
        "parent_identifier_type": "LEI" if provider.parent_lei else "",
        "parent_identifier": provider.parent_lei or "",
    }


def list_subcontractors(*, session: Session, contract: Contract) -> list[Subcontractor]:
    return list(
        session.exec(
            select(Subcontractor)
            .where(Subcontractor.contract_id == contract.id)
            .order_by(Subcontractor.rank, Subcontractor.name)
        )
    )


def add_subcontractor(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    contract_id: int,
    data: SubcontractorInput,
    ip: str | None = None,
) -> Subcontractor:
    contract = get_contract(session=session, vendor=vendor, contract_id=contract_id)
    values = data.model_dump()
    if not values.get("recipient_identifier") and values["rank"] == 2:
        values["recipient_identifier"] = vendor.identifier
    if not values.get("service_type"):
        values["service_type"] = contract.ict_service_type
    link = Subcontractor.model_validate(values, update={"contract_id": contract.id})
    session.add(link)
    session.flush()
    record(
        session=session,
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
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    contract_id: int,
    subcontractor_id: int,
    ip: str | None = None,
) -> None:
    contract = get_contract(session=session, vendor=vendor, contract_id=contract_id)
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
        session=session,
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


def get_contact(*, session: Session, vendor: Vendor, contact_id: int) -> VendorContact:
    return _child(session, VendorContact, vendor, contact_id)


def get_ai_system(*, session: Session, vendor: Vendor, system_id: int) -> AISystem:
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
        diff = audit_diff(snapshot(row, fields), values)
        if not diff["after"]:
            return row
        set_fields(row, diff["after"])
        action = f"{kind}.updated"
    session.add(row)
    session.flush()
    record(
        session=session,
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
    *,
    session: Session,
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
    *,
    session: Session,
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
    system = _save_child(
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
    # The model provider is a record: the typed name resolves to it (or becomes a new one).
    provider = providers.resolve(
        session=session,
        organisation_id=vendor.organisation_id,
        name=data.model_provider,
        lei=providers.supply_chain_leis(session=session, vendor=vendor).get(
            providers.name_key(data.model_provider) or ""
        ),
        lei_from=vendor,
        actor=actor,
        ip=ip,
    )
    provider_id = provider.id if provider is not None else None
    if system.model_provider_id != provider_id:
        system.model_provider_id = provider_id
        session.add(system)
        session.flush()
    return system


def delete_child(
    *,
    session: Session,
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
        session=session,
        action=f"{kind}.deleted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type=kind,
        object_id=child_id,
        data={"before": before, "vendor_id": vendor.id},
        ip=ip,
    )
