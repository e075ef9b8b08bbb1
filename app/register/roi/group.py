"""The group behind a Register of Information: the entities in its scope (B_01.02) and their
branches (B_01.03), kept per organisation. The entity maintaining the register is the
organisation itself (its name, LEI, country, type and size come from the organisation
settings); the others are the group's subsidiaries, parents and intra-group ICT companies.

Bad input is refused whole, with a message per field: an LEI twice, a parent that is not an
entity of the group, a parent chain that comes back to the entity, a branch code twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import NotFound
from app.forms import Code, FieldErrors, FormModel, Text
from app.models import Branch, Contract, GroupEntity, Organisation, User, Vendor
from app.register.roi import codes
from app.vendors.identifiers import lei_problem
from app.vendors.schemas import Country, Currency, Money

HIERARCHY: dict[str, str] = {k.removeprefix("eba_RP:"): v for k, v in codes.HIERARCHY.items()}
ENTITY_TYPES: dict[str, str] = {k.removeprefix("eba_CT:"): v for k, v in codes.ENTITY_TYPES.items()}
OWN_FIELDS = ("hierarchy", "parent_id", "integrated_on", "deleted_on")  # editable on the own entity


class EntityForm(FormModel):
    """An entity in the register's scope (B_01.02)."""

    name: Text(200) = Field(description="Name of the entity (B_01.02 c0020).")
    lei: str = Field(max_length=40, description="LEI (B_01.02 c0010).")
    country: Country = Field(description="Country (B_01.02 c0030).")
    entity_type: Code(ENTITY_TYPES, "entity types") = Field(description="LIST0101040 key.")
    hierarchy: Code(HIERARCHY, "hierarchy codes") = Field(
        default="x56", description="Hierarchy within the group, LIST0102050 (B_01.02 c0050)."
    )
    parent_id: int | None = Field(default=None, description="Its direct parent (B_01.02 c0060).")
    currency: Currency = "EUR"
    total_assets: Money | None = None
    integrated_on: date | None = None
    deleted_on: date | None = None

    @field_validator("lei", mode="before")
    @classmethod
    def _lei(cls, value: Any) -> Any:
        value = "".join(str(value or "").split()).upper()
        if problem := lei_problem(value):
            raise PydanticCustomError("lei", problem)
        return value


class OwnEntityForm(FormModel):
    """The entity maintaining the register: only its place in the group here."""

    hierarchy: Code(HIERARCHY, "hierarchy codes") = "x21"
    parent_id: int | None = None
    integrated_on: date | None = None
    deleted_on: date | None = None


class BranchForm(FormModel):
    """A branch of an entity in scope (B_01.03)."""

    code: Text(50) = Field(description="Identification code of the branch (B_01.03 c0010).")
    name: Text(200)
    country: Country
    entity_id: int = Field(description="Its head office, an entity in scope (B_01.03 c0020).")


class ArrangementGroupForm(FormModel):
    """Who in the group uses and signs an arrangement (B_02.02, B_03.01, B_04.01) and, for an
    intra-group one, the arrangement it relies on (B_02.03)."""

    entity_ids: list[int] = Field(default_factory=list)
    branch_ids: list[int] = Field(default_factory=list)
    signing_entity_id: int | None = None
    linked_reference: str | None = Field(default=None, max_length=100)


def own_entity(*, session: Session, organisation: Organisation) -> GroupEntity:
    """The entity maintaining the register, created from the organisation's details when it has
    none yet: as the organisation is founded (the migration made one for earlier organisations)."""
    found = session.exec(
        select(GroupEntity).where(
            GroupEntity.organisation_id == organisation.id, col(GroupEntity.maintains_register)
        )
    ).first()
    if found is not None:
        return found
    settings = organisation.settings or {}
    entity = GroupEntity(
        organisation_id=organisation.id,  # type: ignore[arg-type]
        lei=organisation.lei,
        name=organisation.name,
        country=organisation.country,
        entity_type=organisation.entity_type,
        hierarchy=settings.get("roi_hierarchy") or "x21",
        currency=settings.get("currency") or "EUR",
        integrated_on=organisation.created_at.date() if organisation.created_at else None,
        maintains_register=True,
    )
    session.add(entity)
    session.flush()
    return entity


def list_entities(*, session: Session, organisation_id: int) -> list[GroupEntity]:
    """The group's entities, the one maintaining the register first."""
    return list(
        session.exec(
            select(GroupEntity)
            .where(GroupEntity.organisation_id == organisation_id)
            .order_by(col(GroupEntity.maintains_register).desc(), col(GroupEntity.name))
        )
    )


def list_branches(*, session: Session, organisation_id: int) -> list[Branch]:
    return list(
        session.exec(
            select(Branch)
            .where(Branch.organisation_id == organisation_id)
            .order_by(col(Branch.code))
        )
    )


def get_entity(*, session: Session, organisation_id: int, entity_id: int) -> GroupEntity:
    entity = session.exec(
        select(GroupEntity).where(
            GroupEntity.id == entity_id, GroupEntity.organisation_id == organisation_id
        )
    ).first()
    if entity is None:
        raise NotFound(f"No entity {entity_id} in this register.")
    return entity


def get_branch(*, session: Session, organisation_id: int, branch_id: int) -> Branch:
    branch = session.exec(
        select(Branch).where(Branch.id == branch_id, Branch.organisation_id == organisation_id)
    ).first()
    if branch is None:
        raise NotFound(f"No branch {branch_id} in this register.")
    return branch


def _check_parent(entities: dict[int, GroupEntity], entity_id: int | None, parent_id: int | None):
    """The parent is an entity of the group, and following parents never comes back."""
    if parent_id is None:
        return
    if parent_id not in entities:
        raise FieldErrors({"parent_id": "The parent is not an entity of this register."})
    seen = {entity_id} if entity_id is not None else set()
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            raise FieldErrors(
                {"parent_id": "This parent would make the entity its own parent (a cycle)."}
            )
        seen.add(current)
        current = entities[current].parent_id


def save_entity(
    *,
    session: Session,
    actor: User,
    organisation: Organisation,
    data: EntityForm | OwnEntityForm,
    entity_id: int | None = None,
    ip: str | None = None,
) -> GroupEntity:
    """Add an entity (no `entity_id`) or change one; the own entity only its place in the group."""
    own = own_entity(session=session, organisation=organisation)
    org_id = organisation.id
    assert org_id is not None
    entities = {e.id: e for e in list_entities(session=session, organisation_id=org_id)}
    entity = (
        get_entity(session=session, organisation_id=org_id, entity_id=entity_id)
        if entity_id is not None
        else GroupEntity(organisation_id=org_id, name="")
    )
    if entity.maintains_register and isinstance(data, EntityForm):
        data = OwnEntityForm(**{f: getattr(data, f) for f in OWN_FIELDS})
    if isinstance(data, EntityForm):
        leis = {(e.lei or "").upper(): e for e in entities.values() if e.id != entity.id}
        if (organisation.lei or "").upper() == data.lei and entity.id != own.id:
            leis[data.lei] = own
        if data.lei in leis:
            raise FieldErrors(
                {"lei": f"{leis[data.lei].name} already has the LEI {data.lei} in this register."}
            )
    _check_parent(entities, entity.id, data.parent_id)
    if data.deleted_on and data.integrated_on and data.deleted_on < data.integrated_on:
        raise FieldErrors({"deleted_on": "The date of deletion is before the date of integration."})
    before = {f: _plain(getattr(entity, f)) for f in data.model_fields}
    for name in data.model_fields:
        setattr(entity, name, getattr(data, name))
    session.add(entity)
    session.flush()
    record(
        session=session,
        action="register.entity_saved",
        actor=actor,
        organisation_id=org_id,
        object_type="group_entity",
        object_id=entity.id,
        data={
            "before": before if entity_id is not None else {},
            "after": {f: _plain(getattr(entity, f)) for f in data.model_fields},
        },
        ip=ip,
    )
    return entity


def save_branch(
    *,
    session: Session,
    actor: User,
    organisation: Organisation,
    data: BranchForm,
    branch_id: int | None = None,
    ip: str | None = None,
) -> Branch:
    org_id = organisation.id
    assert org_id is not None
    own_entity(session=session, organisation=organisation)
    entities = {e.id for e in list_entities(session=session, organisation_id=org_id)}
    if data.entity_id not in entities:
        raise FieldErrors({"entity_id": "The head office is not an entity of this register."})
    branch = (
        get_branch(session=session, organisation_id=org_id, branch_id=branch_id)
        if branch_id is not None
        else Branch(organisation_id=org_id, entity_id=data.entity_id, code="", name="", country="")
    )
    same_code = select(Branch).where(Branch.organisation_id == org_id, Branch.code == data.code)
    if branch.id is not None:
        same_code = same_code.where(Branch.id != branch.id)
    taken = session.exec(same_code).first()
    if taken is not None:
        raise FieldErrors({"code": f"The branch {taken.name} already has the code {data.code}."})
    for name in data.model_fields:
        setattr(branch, name, getattr(data, name))
    session.add(branch)
    session.flush()
    record(
        session=session,
        action="register.branch_saved",
        actor=actor,
        organisation_id=org_id,
        object_type="branch",
        object_id=branch.id,
        data={"after": data.model_dump()},
        ip=ip,
    )
    return branch


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def get_contract(*, session: Session, organisation_id: int, contract_id: int) -> Contract:
    contract = session.exec(
        select(Contract).where(
            Contract.id == contract_id, Contract.organisation_id == organisation_id
        )
    ).first()
    if contract is None:
        raise NotFound(f"No arrangement {contract_id}.")
    return contract


def save_arrangement_group(
    *,
    session: Session,
    actor: User,
    organisation: Organisation,
    contract_id: int,
    data: ArrangementGroupForm,
    ip: str | None = None,
) -> Contract:
    """Record who uses and signs the arrangement; every entity, branch and linked arrangement
    must be the organisation's own."""
    org_id = organisation.id
    assert org_id is not None
    contract = get_contract(session=session, organisation_id=org_id, contract_id=contract_id)
    entities = {e.id for e in list_entities(session=session, organisation_id=org_id)}
    branches = {b.id for b in list_branches(session=session, organisation_id=org_id)}
    errors: dict[str, str] = {}
    if set(data.entity_ids) - entities:
        errors["entity_ids"] = "An entity chosen is not an entity of this register."
    if set(data.branch_ids) - branches:
        errors["branch_ids"] = "A branch chosen is not a branch of this register."
    if data.signing_entity_id is not None and data.signing_entity_id not in entities:
        errors["signing_entity_id"] = "The signing entity is not an entity of this register."
    if data.linked_reference:
        linked = session.exec(
            select(Contract.id).where(
                Contract.organisation_id == org_id, Contract.reference == data.linked_reference
            )
        ).first()
        if linked is None or linked == contract.id:
            errors["linked_reference"] = (
                f"No other arrangement has the reference {data.linked_reference}."
            )
    if errors:
        raise FieldErrors(errors)
    before = {f: getattr(contract, f) for f in data.model_fields}
    for name in data.model_fields:
        setattr(contract, name, getattr(data, name))
    session.add(contract)
    session.flush()
    record(
        session=session,
        action="register.arrangement_group_saved",
        actor=actor,
        organisation_id=org_id,
        object_type="contract",
        object_id=contract.id,
        data={"before": before, "after": data.model_dump()},
        ip=ip,
    )
    return contract


def intra_group_vendor(*, session: Session, organisation_id: int, entity_id: int) -> Vendor | None:
    return session.exec(
        select(Vendor).where(
            Vendor.organisation_id == organisation_id, Vendor.group_entity_id == entity_id
        )
    ).first()


def mark_intra_group(
    *,
    session: Session,
    actor: User,
    organisation: Organisation,
    entity_id: int,
    vendor_id: int | None,
    ip: str | None = None,
) -> Vendor | None:
    """Record that a vendor is this entity of the group (an intra-group ICT provider, B_03.03),
    or (None) that no vendor is. The vendor's LEI must be the entity's."""
    org_id = organisation.id
    assert org_id is not None
    entity = get_entity(session=session, organisation_id=org_id, entity_id=entity_id)
    vendor = None
    if vendor_id is not None:
        vendor = session.exec(
            select(Vendor).where(Vendor.id == vendor_id, Vendor.organisation_id == org_id)
        ).first()
        if vendor is None:
            raise FieldErrors({"vendor_id": "The vendor is not one of this organisation's."})
        lei = (organisation.lei if entity.maintains_register else entity.lei) or ""
        if vendor.identifier_type != "LEI" or vendor.identifier.upper() != lei.upper():
            raise FieldErrors(
                {
                    "vendor_id": f"{vendor.legal_name} is identified by {vendor.identifier}, not "
                    f"by the LEI of {entity.name} ({lei or 'none'}): correct the vendor's "
                    "identifier first."
                }
            )
    previous = intra_group_vendor(session=session, organisation_id=org_id, entity_id=entity_id)
    if previous is not None and previous is not vendor:
        previous.group_entity_id = None
        session.add(previous)
    if vendor is not None:
        vendor.group_entity_id = entity_id
        session.add(vendor)
    session.flush()
    record(
        session=session,
        action="register.intra_group_provider_saved",
        actor=actor,
        organisation_id=org_id,
        object_type="group_entity",
        object_id=entity_id,
        data={"vendor_id": vendor_id, "previous": previous.id if previous else None},
        ip=ip,
    )
    return vendor
