"""ICT third-party service providers, what they run, and the arrangements with them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field, json_field, utcnow


class VendorStatus(StrEnum):
    prospective = "prospective"
    active = "active"
    offboarded = "offboarded"


class IdentifierType(StrEnum):
    LEI = "LEI"
    EUID = "EUID"
    CRN = "CRN"
    VAT = "VAT"
    PNR = "PNR"
    NIN = "NIN"


class DataSensitivity(StrEnum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"


class Substitutability(StrEnum):
    easy = "easy"
    medium = "medium"
    highly_complex = "highly_complex"
    not_substitutable = "not_substitutable"


class PersonType(StrEnum):
    """RoI B_05.01 c0070."""

    legal = "legal"
    individual = "individual"


class SubstitutabilityReason(StrEnum):
    """Why a provider is not, or hardly, substitutable: RoI LIST0701060 (B_07.01 c0060)."""

    no_alternatives = "x963"
    hard_to_migrate = "x964"
    both = "x965"


class Reintegration(StrEnum):
    """How hard it is to bring the service back in-house (RoI B_07.01 c0090)."""

    easy = "easy"
    difficult = "difficult"
    highly_complex = "highly_complex"


class AIRole(StrEnum):
    provider = "provider"
    deployer = "deployer"
    both = "both"
    none = "none"


class RiskTier(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class Treatment(StrEnum):
    accept = "accept"
    mitigate = "mitigate"
    transfer = "transfer"
    avoid = "avoid"


class Vendor(SQLModel, table=True):
    """A provider as one buyer sees it: register data plus the profile behind inherent risk."""

    __table_args__ = (UniqueConstraint("organisation_id", "identifier_type", "identifier"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    legal_name: str = Field(max_length=300, index=True)
    latin_name: str | None = Field(default=None, max_length=300)
    identifier: str = Field(max_length=50)
    identifier_type: IdentifierType = enum_field(IdentifierType.LEI, length=8)
    additional_identifier: str | None = Field(default=None, max_length=50)
    additional_identifier_type: str | None = Field(default=None, max_length=8)
    person_type: str = Field(default="legal", max_length=12)  # legal | individual (B_05.01 c0070)
    hq_country: str = Field(max_length=2)
    parent_name: str | None = Field(default=None, max_length=300)
    parent_identifier: str | None = Field(default=None, max_length=50)
    parent_identifier_type: str | None = Field(default=None, max_length=8)
    status: VendorStatus = enum_field(VendorStatus.prospective, length=16, index=True)
    website: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    annual_expense: Decimal | None = Field(default=None, sa_type=Numeric(18, 2))
    currency: str = Field(default="EUR", max_length=3)

    # Profile driving the inherent risk tier (scoring model inputs).
    supports_critical_function: bool = False
    data_sensitivity: DataSensitivity = enum_field(DataSensitivity.low, length=8)
    substitutability: Substitutability = enum_field(Substitutability.medium, length=20)
    # Why it is not or hardly substitutable (RoI B_07.01 c0060, LIST0701060): x963 | x964 | x965.
    substitutability_reason: str | None = Field(default=None, max_length=8)
    ai_role: AIRole = enum_field(AIRole.none, length=10)
    cloud_providers: list[str] = json_field(list)
    last_audit_date: date | None = None
    exit_plan: bool = False
    reintegration: str | None = Field(
        default=None, max_length=16
    )  # easy | difficult | highly_complex

    # Register fields owned by the risk team.
    tier: RiskTier | None = enum_field(None, length=10, index=True)
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    treatment: Treatment | None = enum_field(None, length=10)
    treatment_justification: str | None = Field(default=None, max_length=2000)
    treatment_due: date | None = None
    next_review_date: date | None = Field(default=None, index=True)
    # Automatic re-sending when the review is due: None follows the organisation's default for
    # the vendor's tier (Organisation.settings["auto_resend_tiers"]).
    auto_resend: bool | None = None
    # An intra-group ICT provider: the entity of the buyer's group it is (RoI B_03.03).
    group_entity_id: int | None = None  # a GroupEntity of the organisation (service-checked)

    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class VendorContact(SQLModel, table=True):
    """A person at the vendor; with a user_id they can sign in to the vendor portal."""

    __table_args__ = (UniqueConstraint("vendor_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(sa_type=String(320), index=True)
    title: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    is_primary: bool = False
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()


class AIActClass(StrEnum):
    prohibited = "prohibited"
    high = "high"
    limited = "limited"
    minimal = "minimal"
    unknown = "unknown"


class AnnexIIIUse(StrEnum):
    """High-risk uses listed in AI Act Annex III that a bank's suppliers plausibly serve.

    The buyer picks the use its deployment falls under; the code names the Annex III point.
    """

    biometric_identification = "1a"
    biometric_categorisation = "1b"
    emotion_recognition = "1c"
    critical_infrastructure = "2"
    education = "3"
    recruitment = "4a"
    work_relationships = "4b"
    public_benefits = "5a"
    creditworthiness = "5b"
    life_health_insurance = "5c"
    emergency_calls = "5d"
    law_enforcement = "6"
    migration_border = "7"
    justice_democracy = "8"


ANNEX_III_LABELS: dict[AnnexIIIUse, str] = {
    AnnexIIIUse.biometric_identification: "1(a) Remote biometric identification",
    AnnexIIIUse.biometric_categorisation: "1(b) Biometric categorisation",
    AnnexIIIUse.emotion_recognition: "1(c) Emotion recognition",
    AnnexIIIUse.critical_infrastructure: "2 Safety component of critical infrastructure",
    AnnexIIIUse.education: "3 Education and vocational training",
    AnnexIIIUse.recruitment: "4(a) Recruitment and selection of staff",
    AnnexIIIUse.work_relationships: "4(b) Decisions on work relationships",
    AnnexIIIUse.public_benefits: "5(a) Eligibility for public assistance benefits",
    AnnexIIIUse.creditworthiness: "5(b) Creditworthiness or credit scoring of natural persons",
    AnnexIIIUse.life_health_insurance: "5(c) Risk assessment and pricing in life and health insurance",
    AnnexIIIUse.emergency_calls: "5(d) Triage of emergency calls",
    AnnexIIIUse.law_enforcement: "6 Law enforcement",
    AnnexIIIUse.migration_border: "7 Migration, asylum and border control",
    AnnexIIIUse.justice_democracy: "8 Administration of justice and democratic processes",
}


class ArrangementType(StrEnum):
    standalone = "standalone"
    overarching = "overarching"
    subsequent = "subsequent"


class ICTServiceType(StrEnum):
    """RoI LISTANNEXIII: the type of ICT service, S01 to S19."""

    S01 = "S01"
    S02 = "S02"
    S03 = "S03"
    S04 = "S04"
    S05 = "S05"
    S06 = "S06"
    S07 = "S07"
    S08 = "S08"
    S09 = "S09"
    S10 = "S10"
    S11 = "S11"
    S12 = "S12"
    S13 = "S13"
    S14 = "S14"
    S15 = "S15"
    S16 = "S16"
    S17 = "S17"
    S18 = "S18"
    S19 = "S19"


class TerminationReason(StrEnum):
    """Why an arrangement ended: RoI B_02.02 c0090."""

    expired = "x4"
    provider_breach = "x5"
    provider_impediment = "x6"
    data_security_weakness = "x7"
    authority_request = "x8"
    other = "x9"


class RelianceLevel(StrEnum):
    """RoI LIST0202180: how much a critical function relies on the service."""

    not_significant = "x794"
    low = "x795"
    material = "x796"
    full = "x797"


class FunctionCriticality(StrEnum):
    yes = "yes"
    no = "no"
    not_assessed = "not_assessed"


class DiscontinuationImpact(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    not_assessed = "not_assessed"


class AlternativesIdentified(StrEnum):
    """RoI B_07.01 c0110 (LIST0601050): "not assessed" is its own answer, never "no"."""

    yes = "yes"
    no = "no"
    not_assessed = "not_assessed"


class AISystem(SQLModel, table=True):
    """One entry of the vendor's AI inventory used to deliver services to the buyer."""

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    name: str = Field(max_length=200)
    purpose: str = Field(default="", max_length=2000)
    vendor_role: AIRole = enum_field(AIRole.provider, length=10)
    ai_act_class: AIActClass = enum_field(AIActClass.unknown, length=12, index=True)
    affects_natural_persons: bool = False
    model_provider: str | None = Field(default=None, max_length=200, index=True)
    model_provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    foundation_model: str | None = Field(default=None, max_length=200)
    human_oversight: str | None = Field(default=None, max_length=1000)
    # The buyer's own view: AI Act duties follow the buyer's use, not the vendor's word.
    buyer_risk_class: AIActClass | None = enum_field(None, length=12, index=True)
    annex_iii_use: AnnexIIIUse | None = enum_field(None, length=4)
    buyer_role: AIRole | None = enum_field(None, length=10)
    # The buyer's own fundamental rights impact assessment (AI Act Art. 27), as deployer.
    fria_date: date | None = None
    fria_outcome: str | None = Field(default=None, max_length=2000)
    fria_link: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()


class BusinessFunction(SQLModel, table=True):
    """A buyer's business function (RoI B_06.01) that ICT services support."""

    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str = Field(max_length=20)  # F1, F2, …
    name: str = Field(max_length=300)
    licensed_activity: str | None = Field(default=None, max_length=20)
    critical: str = Field(default="yes", max_length=16)  # yes | no | not_assessed
    criticality_reasons: str | None = Field(default=None, max_length=300)
    last_assessed: date | None = None
    rto_hours: int | None = None
    rpo_hours: int | None = None
    discontinuation_impact: str | None = Field(default=None, max_length=16)


class Contract(SQLModel, table=True):
    """An ICT service arrangement (RoI B_02.01/B_02.02/B_07.01) with one vendor."""

    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    function_id: int | None = Field(default=None, foreign_key="businessfunction.id", index=True)
    reference: str = Field(max_length=100)
    arrangement_type: str = Field(default="standalone", max_length=16)
    overarching_reference: str | None = Field(default=None, max_length=100)
    ict_service_type: str = Field(default="S19", max_length=3)  # LISTANNEXIII S01–S19
    description: str | None = Field(default=None, max_length=2000)
    supports_critical_function: bool = False
    start_date: date | None = None
    end_date: date | None = None
    termination_reason: str | None = Field(default=None, max_length=4)
    notice_days_entity: int | None = None
    notice_days_provider: int | None = None
    governing_law_country: str | None = Field(default=None, max_length=2)
    service_country: str | None = Field(default=None, max_length=2)
    stores_data: bool = False
    storage_countries: list[str] = json_field(list)
    processing_countries: list[str] = json_field(list)
    data_sensitivity: str | None = Field(default=None, max_length=8)  # low | medium | high
    reliance: str | None = Field(default=None, max_length=16)  # RoI LIST0202180
    annual_cost: Decimal | None = Field(default=None, sa_type=Numeric(18, 2))
    currency: str = Field(default="EUR", max_length=3)
    exit_plan: bool = False
    audit_rights: bool = False
    alternatives: str | None = Field(default=None, max_length=500)
    alternatives_identified: AlternativesIdentified = enum_field(
        AlternativesIdentified.not_assessed, length=16
    )
    # The buyer's own assessment of this service (RoI B_07.01 c0050, c0060, c0090, c0100): the
    # vendor may inform it, never set it.
    substitutability: str | None = Field(default=None, max_length=20)
    substitutability_reason: str | None = Field(default=None, max_length=8)
    reintegration: str | None = Field(default=None, max_length=16)
    discontinuation_impact: str | None = Field(default=None, max_length=16)
    # Groups (RoI B_02.02, B_03.01, B_04.01, B_02.03): the group entities and branches that use
    # the services (none: the entity maintaining the register), the entity that signed (none:
    # the same), and for an intra-group arrangement the arrangement it relies on.
    entity_ids: list[int] = json_field(list)
    branch_ids: list[int] = json_field(list)
    signing_entity_id: int | None = None  # a GroupEntity of the organisation (service-checked)
    linked_reference: str | None = Field(default=None, max_length=100)
    created_at: datetime = created_at_field()


class Subcontractor(SQLModel, table=True):
    """One link of a service's supply chain (RoI B_05.02): rank 2+ below the vendor."""

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    rank: int = 2
    name: str = Field(max_length=300)
    identifier: str = Field(max_length=50)
    identifier_type: str = Field(default="LEI", max_length=8)
    country: str | None = Field(default=None, max_length=2)
    service_type: str | None = Field(default=None, max_length=3)
    what: str | None = Field(default=None, max_length=500)
    recipient_identifier: str | None = Field(default=None, max_length=50)
    # Its ultimate parent undertaking (RoI B_05.01 c0110/c0120); empty when it is its own.
    parent_name: str | None = Field(default=None, max_length=300)
    parent_identifier: str | None = Field(default=None, max_length=50)
    parent_identifier_type: str | None = Field(default=None, max_length=8)


class ProfileChangeStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class ProviderProfileChange(SQLModel, table=True):
    """Register facts typed by the vendor; the buyer accepts them into the register explicitly."""

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    data: dict = json_field(dict)
    status: ProfileChangeStatus = enum_field(ProfileChangeStatus.pending, length=10)
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime = created_at_field()
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    review_note: str | None = Field(default=None, max_length=1000)
