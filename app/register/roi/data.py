"""The register of one organisation as plain facts: what the builder reads.

Loaded from the database by `service.load_register`; tests build them directly, including data
the database would not hold (a reference typed twice, a function that is gone), because the
validator must catch what an import or a later change could produce.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

Facts = TypeVar("Facts")


def facts_from(cls: type[Facts], row: Any, **values: Any) -> Facts:
    """Copy the attributes a facts class names from a table row (plus `values`)."""
    names = [f.name for f in fields(cls) if f.name not in values and hasattr(row, f.name)]  # type: ignore[arg-type]
    return cls(**{name: getattr(row, name) for name in names}, **values)


@dataclass(frozen=True)
class EntityFacts:
    """The buyer organisation: the entity maintaining the register and its one in-scope entity."""

    id: int
    name: str
    lei: str | None
    country: str | None
    entity_type: str | None  # LIST0101040 key, e.g. "x12"
    competent_authority: str | None
    currency: str | None = "EUR"
    total_assets: Decimal | None = None
    integrated_on: date | None = None  # when the organisation joined the register
    # Its place in a group (B_01.02 c0050, LIST0102050 key): x21 for an entity not part of a
    # group, x53 for the ultimate parent of one (its entity row, set on the entities page).
    hierarchy: str = "x21"
    parent_lei: str | None = None  # the direct parent undertaking (B_01.02 c0060); None: itself
    deleted_on: date | None = None  # left the register's scope (B_01.02 c0090)
    maintains_register: bool = False  # the organisation itself (B_01.01 at consolidated level)


@dataclass(frozen=True)
class BranchFacts:
    """A branch of an entity in scope (B_01.03): not a legal entity of its own."""

    id: int
    code: str  # identification code of the branch (B_01.03 c0010)
    name: str
    country: str | None
    head_lei: str  # the LEI of its head office, an entity in scope


@dataclass(frozen=True)
class FunctionFacts:
    id: int
    code: str
    name: str
    licensed_activity: str | None = None  # LIST0601020 key, e.g. "x163"
    critical: str = "yes"  # yes | no | not_assessed
    criticality_reasons: str | None = None
    last_assessed: date | None = None
    rto_hours: int | None = None
    rpo_hours: int | None = None
    discontinuation_impact: str | None = None  # low | medium | high | not_assessed


@dataclass(frozen=True)
class VendorFacts:
    id: int
    legal_name: str
    identifier: str
    identifier_type: str = "LEI"
    latin_name: str | None = None
    additional_identifier: str | None = None
    additional_identifier_type: str | None = None
    person_type: str = "legal"
    hq_country: str | None = None
    parent_name: str | None = None
    parent_identifier: str | None = None
    parent_identifier_type: str | None = None
    status: str = "active"
    annual_expense: Decimal | None = None
    currency: str = "EUR"
    last_audit_date: date | None = None


@dataclass(frozen=True)
class SubcontractorFacts:
    id: int
    name: str
    identifier: str
    identifier_type: str = "LEI"
    rank: int = 2
    country: str | None = None
    recipient_identifier: str | None = None
    parent_name: str | None = None
    parent_identifier: str | None = None
    parent_identifier_type: str | None = None


@dataclass(frozen=True)
class ProviderRef:
    """A model or cloud provider recorded for a service (the AI register's provider records),
    which may underpin it and so belong in its supply chain (B_05.02)."""

    name: str
    lei: str | None = None
    role: str = "model"  # model | cloud


@dataclass(frozen=True)
class ContractFacts:
    id: int
    vendor_id: int
    reference: str
    arrangement_type: str = "standalone"
    overarching_reference: str | None = None
    ict_service_type: str = "S19"
    function_code: str | None = None  # the supported function's identifier (F1, …)
    supports_critical_function: bool = False
    start_date: date | None = None
    end_date: date | None = None
    termination_reason: str | None = None  # LIST0202090 key, e.g. "x4"
    notice_days_entity: int | None = None
    notice_days_provider: int | None = None
    governing_law_country: str | None = None
    service_country: str | None = None
    stores_data: bool = False
    storage_countries: tuple[str, ...] = ()
    processing_countries: tuple[str, ...] = ()
    data_sensitivity: str | None = None
    reliance: str | None = None  # LIST0202180 key, e.g. "x796"
    annual_cost: Decimal | None = None
    currency: str = "EUR"
    exit_plan: bool = False
    alternatives: str | None = None
    alternatives_identified: str = "not_assessed"  # yes | no | not_assessed (LIST0601050)
    # The buyer's own assessment of this service (B_07.01), not the vendor's.
    substitutability: str | None = None
    substitutability_reason: str | None = None  # LIST0701060 key, e.g. "x963"
    reintegration: str | None = None
    discontinuation_impact: str | None = None  # low | medium | high | not_assessed
    subcontractors: tuple[SubcontractorFacts, ...] = ()
    ai_providers: tuple[ProviderRef, ...] = ()
    # Groups: the LEIs of the entities in scope that use the services (empty: the entity
    # maintaining the register), the codes of the branches that use them, the entity that signed
    # (None: the entity maintaining the register), the group entity that provides them when the
    # provider is intra-group, and the arrangement an intra-group one relies on (B_02.03).
    users: tuple[str, ...] = ()
    branch_users: tuple[str, ...] = ()
    signer_lei: str | None = None
    intra_group_lei: str | None = None
    linked_reference: str | None = None


@dataclass(frozen=True)
class RegisterData:
    entity: EntityFacts  # the entity maintaining the register (B_01.01); at IND, the one filed for
    ref_date: date  # the reference date of the report (refPeriod)
    report_date: date  # the day the report is produced
    functions: tuple[FunctionFacts, ...] = ()
    vendors: tuple[VendorFacts, ...] = ()
    contracts: tuple[ContractFacts, ...] = ()
    release: str = "4.0"  # the DORA taxonomy release the package is written for
    file_naming: str = "eba"  # a convention of taxonomy.FILE_NAMING, or an authority's pattern
    # Groups: every entity of the group in the register (empty: `entity` alone), their branches,
    # and the level filed: IND (`entity` alone, with its branches and the arrangements it or its
    # branches use) or CON (every entity, `entity` being the parent that files for the group).
    entities: tuple[EntityFacts, ...] = ()
    branches: tuple[BranchFacts, ...] = ()
    level: str = "IND"


def default_ref_date(today: date) -> date:
    """refPeriod per EBA Q&A 2025_7387: 31 March 2025 for the first cycle, then 31 December of
    the year before the submission."""
    if today.year <= 2025:
        return date(2025, 3, 31)
    return date(today.year - 1, 12, 31)
