"""Arrangements with a vendor (RoI B_02.01, B_02.02, B_07.01): read, save, delete."""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit.service import audit_diff, record
from app.errors import Conflict, NotFound
from app.forms import FieldErrors
from app.models import AISystem, BusinessFunction, Contract, Subcontractor, User, Vendor
from app.vendors.schemas import ContractInput
from app.vendors.service import set_fields, snapshot

CONTRACT_FIELDS: tuple[str, ...] = tuple(ContractInput.model_fields)


def get_contract(*, session: Session, vendor: Vendor, contract_id: int) -> Contract:
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


def list_contracts(*, session: Session, vendor: Vendor) -> list[Contract]:
    return list(
        session.exec(
            select(Contract)
            .where(
                Contract.vendor_id == vendor.id, Contract.organisation_id == vendor.organisation_id
            )
            .order_by(Contract.reference)
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
    *,
    session: Session,
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
        contract = get_contract(session=session, vendor=vendor, contract_id=contract_id)
        diff = audit_diff(snapshot(contract, CONTRACT_FIELDS), values)
        if not diff["after"]:
            return contract
        set_fields(contract, diff["after"])
        action = "contract.updated"
    session.add(contract)
    session.flush()
    record(
        session=session,
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
    *, session: Session, actor: User, vendor: Vendor, contract_id: int, ip: str | None = None
) -> None:
    contract = get_contract(session=session, vendor=vendor, contract_id=contract_id)
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
        session=session,
        action="contract.deleted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="contract",
        object_id=contract_id,
        data={"before": {"reference": contract.reference, "vendor_id": vendor.id}},
        ip=ip,
    )
