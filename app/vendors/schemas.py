"""Form and API models of the vendor register, with the register's validation rules.

One validation path for the web forms, the JSON API and the bulk import: every rule lives on
these models and reports against the field it concerns, so a form shows the message next to the
input and the API lists `field: message`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.forms import (
    Code,
    FormModel,
    Text,
    blank_to_none,
    split_list,
)
from app.models import (
    AIActClass,
    AIRole,
    AlternativesIdentified,
    ArrangementType,
    DataSensitivity,
    FunctionCriticality,
    ICTServiceType,
    IdentifierType,
    PersonType,
    Substitutability,
    VendorStatus,
)
from app.vendors import codes
from app.vendors.identifiers import country_problem, lei_problem


def _country(value: str) -> str:
    value = value.strip().upper()
    if country_problem(value):
        raise PydanticCustomError(
            "country",
            "{value} is not an ISO 3166 two-letter country code (e.g. DE, FR, IE).",
            {"value": repr(value)},
        )
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if value not in codes.CURRENCIES:
        raise PydanticCustomError(
            "currency",
            "{value} is not a supported ISO 4217 currency code ({known}).",
            {"value": repr(value), "known": ", ".join(codes.CURRENCIES)},
        )
    return value


Country = Annotated[str, AfterValidator(_country), Field(examples=["DE"])]
Currency = Annotated[str, AfterValidator(_currency), Field(examples=["EUR"])]
CountryList = Annotated[list[Country], BeforeValidator(split_list)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Days = Annotated[int, Field(ge=0, le=36500)]
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _identifier_problem(kind: str | None, value: str) -> str | None:
    if kind == IdentifierType.LEI:
        return lei_problem(value)
    return None


def normal_identifier(kind: str | None, value: str) -> str:
    if kind in (IdentifierType.LEI, IdentifierType.EUID, IdentifierType.VAT):
        return re.sub(r"\s+", "", value).upper()
    return value.strip()


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


# ---------------------------------------------------------------------------------------------
# Vendor


class VendorCreate(FormModel):
    """A provider's register data (RoI B_05.01) and the profile behind its inherent risk."""

    legal_name: Text(300) = Field(description="Legal name (B_05.01 c0050).")
    latin_name: str | None = Field(
        default=None,
        max_length=300,
        validate_default=True,
        description="Name in the Latin alphabet, when the legal name is not (c0060).",
    )
    identifier_type: IdentifierType = Field(default=IdentifierType.LEI, description="c0020")
    identifier: Text(50) = Field(description="Identification code, LEI preferred (c0010).")
    additional_identifier: str | None = Field(default=None, max_length=50)
    additional_identifier_type: IdentifierType | None = Field(default=None, validate_default=True)
    person_type: Code(codes.PERSON_TYPES, "person types") = PersonType.legal
    hq_country: Country = Field(description="Country of the headquarters (c0080).")
    parent_name: str | None = Field(default=None, max_length=300)
    parent_identifier: str | None = Field(default=None, max_length=50)
    parent_identifier_type: IdentifierType | None = Field(default=None, validate_default=True)
    status: VendorStatus = VendorStatus.prospective
    website: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    annual_expense: Money | None = Field(default=None, description="Total annual expense (c0100).")
    currency: Currency = "EUR"
    supports_critical_function: bool = False
    data_sensitivity: DataSensitivity = DataSensitivity.low
    substitutability: Substitutability = Substitutability.medium
    substitutability_reason: Code(codes.SUBSTITUTABILITY_REASONS, "reasons") | None = Field(
        default=None,
        validate_default=True,
        description="Why it is not or hardly substitutable (B_07.01 c0060): x963 no real "
        "alternatives, x964 hard to migrate or reintegrate, x965 both. Required when "
        "substitutability is not_substitutable or highly_complex; dropped otherwise.",
    )
    ai_role: AIRole = AIRole.none
    cloud_providers: Annotated[list[Text(100)], BeforeValidator(split_list)] = Field(
        default_factory=list, max_length=20
    )
    last_audit_date: date | None = None
    exit_plan: bool = False
    reintegration: Code(codes.REINTEGRATION, "reintegration levels") | None = None

    @field_validator("latin_name")
    @classmethod
    def _latin_name_needed(cls, value: str | None, info: ValidationInfo) -> str | None:
        legal_name = info.data.get("legal_name")
        if value is None and legal_name and not _is_latin(legal_name):
            raise PydanticCustomError(
                "latin_name", "The legal name is not in the Latin alphabet: give it in Latin too."
            )
        if value is not None and not _is_latin(value):
            raise PydanticCustomError("latin_name", "Use Latin letters only.")
        return value

    @field_validator("substitutability_reason")
    @classmethod
    def _substitutability_reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The register needs a reason only for a provider that is hard to replace; for any
        other a leftover reason is dropped, so a form, an API patch or an import that makes a
        provider substitutable again never has to clear it."""
        substitutability = info.data.get("substitutability")
        if substitutability not in codes.NEEDS_SUBSTITUTABILITY_REASON:
            return None
        if value is None:
            why = (
                "the provider is not substitutable"
                if substitutability == Substitutability.not_substitutable
                else "substituting the provider is highly complex"
            )
            raise PydanticCustomError(
                "substitutability_reason",
                "Choose why {why}: the Register of Information asks for it.",
                {"why": why},
            )
        return value

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """The website becomes a link: only http(s), so `javascript:` can never be clicked."""
        if value is None or value.lower().startswith(("http://", "https://")):
            return value
        if ":" not in value:  # "vendor.example" as typed: a web address without its scheme
            return "https://" + value.lstrip("/")
        raise PydanticCustomError("website", "Enter the website as an http:// or https:// address.")

    @field_validator("identifier")
    @classmethod
    def _identifier(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("identifier_type")
        value = normal_identifier(kind, value)
        if problem := _identifier_problem(kind, value):
            raise PydanticCustomError("identifier", problem)
        return value

    @field_validator("additional_identifier", "parent_identifier")
    @classmethod
    def _trim(cls, value: str | None) -> str | None:
        return value.strip() if value else value

    @field_validator("additional_identifier_type", "parent_identifier_type")
    @classmethod
    def _pair(cls, kind: str | None, info: ValidationInfo) -> str | None:
        code_field = info.field_name.removesuffix("_type") if info.field_name else ""
        value = info.data.get(code_field)
        if value and kind is None:
            raise PydanticCustomError("type_required", "Choose the type of this identifier.")
        if kind is not None and not value:
            raise PydanticCustomError(
                "type_without_code", "Give the identifier or leave its type empty."
            )
        if value and (problem := _identifier_problem(kind, normal_identifier(kind, value))):
            raise PydanticCustomError("identifier", problem)
        return kind

    @model_validator(mode="after")
    def _normalise_codes(self) -> VendorCreate:
        for name in ("additional_identifier", "parent_identifier"):
            value = getattr(self, name)
            if value:
                object.__setattr__(
                    self, name, normal_identifier(getattr(self, f"{name}_type"), value)
                )
        return self


VENDOR_FIELDS: tuple[str, ...] = tuple(VendorCreate.model_fields)


class VendorPatch(BaseModel):
    """A partial update: only the fields sent change; `version` is the one the client read."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The vendor's version when it was read (optimistic lock).")
    legal_name: str | None = None
    latin_name: str | None = None
    identifier_type: str | None = None
    identifier: str | None = None
    additional_identifier: str | None = None
    additional_identifier_type: str | None = None
    person_type: str | None = None
    hq_country: str | None = None
    parent_name: str | None = None
    parent_identifier: str | None = None
    parent_identifier_type: str | None = None
    status: str | None = None
    website: str | None = None
    description: str | None = None
    annual_expense: Decimal | None = None
    currency: str | None = None
    supports_critical_function: bool | None = None
    data_sensitivity: str | None = None
    substitutability: str | None = None
    substitutability_reason: str | None = None
    ai_role: str | None = None
    cloud_providers: list[str] | None = None
    last_audit_date: date | None = None
    exit_plan: bool | None = None
    reintegration: str | None = None


class VendorListQuery(BaseModel):
    """Search, filters, sort and page of the vendor list (page and API share it)."""

    q: str | None = Field(default=None, max_length=200, description="Name or identifier contains.")
    status: VendorStatus | None = None
    tier: Code(codes.RISK_TIERS, "risk tiers") | None = None
    critical: bool | None = Field(default=None, description="Supports a critical function.")
    overdue: bool = Field(default=False, description="Next review date is in the past.")
    sort: str = Field(default="name", pattern=r"^-?(name|tier|status|next_review)$")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=25, ge=1, le=200)

    model_config = ConfigDict(use_enum_values=True)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if blank_to_none(v) is not None}
        return data


# ---------------------------------------------------------------------------------------------
# Contracts and their supply chain


class ContractInput(FormModel):
    """An ICT service arrangement: RoI B_02.01 (general), B_02.02 (specific), B_07.01 (assessment)."""

    reference: Text(100) = Field(description="Contractual arrangement reference number.")
    arrangement_type: Code(codes.ARRANGEMENT_TYPES, "arrangement types") = (
        ArrangementType.standalone
    )
    overarching_reference: str | None = Field(default=None, max_length=100, validate_default=True)
    ict_service_type: Code(codes.ICT_SERVICE_TYPES, "ICT service types (S01–S19)") = (
        ICTServiceType.S19
    )
    function_id: int | None = Field(default=None, description="Business function supported.")
    description: str | None = Field(default=None, max_length=2000)
    supports_critical_function: bool = False
    start_date: date | None = None
    end_date: date | None = Field(default=None, validate_default=True)
    termination_reason: Code(codes.TERMINATION_REASONS, "termination reasons") | None = None
    notice_days_entity: Days | None = None
    notice_days_provider: Days | None = None
    governing_law_country: Country | None = None
    service_country: Country | None = None
    stores_data: bool = False
    storage_countries: CountryList = Field(default_factory=list, validate_default=True)
    processing_countries: CountryList = Field(default_factory=list)
    data_sensitivity: Code(codes.CONTRACT_DATA_SENSITIVITY, "sensitivity levels") | None = None
    reliance: Code(codes.RELIANCE_LEVELS, "reliance levels") | None = None
    annual_cost: Money | None = None
    currency: Currency = "EUR"
    exit_plan: bool = False
    audit_rights: bool = False
    alternatives: str | None = Field(default=None, max_length=500)
    alternatives_identified: Code(codes.ALTERNATIVES_IDENTIFIED, "answers") = (
        AlternativesIdentified.not_assessed
    )
    # The buyer's assessment of this service (B_07.01); the vendor may inform it, never set it.
    substitutability: Code(codes.SUBSTITUTABILITY, "substitutability levels") | None = None
    substitutability_reason: Code(codes.SUBSTITUTABILITY_REASONS, "reasons") | None = Field(
        default=None, validate_default=True
    )
    reintegration: Code(codes.REINTEGRATION, "reintegration levels") | None = None
    discontinuation_impact: Code(codes.DISCONTINUATION_IMPACT, "impact levels") | None = None

    @field_validator("substitutability_reason")
    @classmethod
    def _service_substitutability_reason(
        cls, value: str | None, info: ValidationInfo
    ) -> str | None:
        """Asked only when the service is not or hardly substitutable (B_07.01 c0060)."""
        if info.data.get("substitutability") not in codes.NEEDS_SUBSTITUTABILITY_REASON:
            return None
        return value

    @field_validator("overarching_reference")
    @classmethod
    def _overarching(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("arrangement_type")
        if kind == ArrangementType.subsequent and not value:
            raise PydanticCustomError(
                "overarching_required",
                "A subsequent or associated arrangement needs the reference of its overarching "
                "arrangement.",
            )
        if value and kind != ArrangementType.subsequent:
            raise PydanticCustomError(
                "overarching_unexpected",
                "Only a subsequent or associated arrangement has an overarching arrangement.",
            )
        if value and value == info.data.get("reference"):
            raise PydanticCustomError(
                "overarching_self", "An arrangement cannot be its own overarching arrangement."
            )
        return value

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value <= start:
            raise PydanticCustomError(
                "end_before_start", "The end date must be after the start date."
            )
        return value

    @field_validator("termination_reason")
    @classmethod
    def _termination_has_its_end(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A reason of termination says the arrangement ended: it needs its end date."""
        if value and info.data.get("end_date") is None and "end_date" in info.data:
            raise PydanticCustomError(
                "termination_without_end",
                "An arrangement with a reason of termination needs its end date.",
            )
        return value

    @field_validator("storage_countries")
    @classmethod
    def _storage(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("stores_data") and not value:
            raise PydanticCustomError(
                "storage_required",
                "The provider stores data: give the countries where it is stored.",
            )
        if value and info.data.get("stores_data") is False:
            raise PydanticCustomError(
                "storage_unexpected", "Tick 'stores data' or leave the storage countries empty."
            )
        return value


class SubcontractorInput(FormModel):
    """One link of the ICT service supply chain below the vendor (RoI B_05.02, rank 2 and up)."""

    rank: Annotated[int, Field(ge=2, le=20)] = 2
    name: Text(300)
    identifier_type: IdentifierType = IdentifierType.LEI
    identifier: Text(50)
    country: Country | None = None
    service_type: Code(codes.ICT_SERVICE_TYPES, "ICT service types (S01–S19)") | None = None
    what: str | None = Field(default=None, max_length=500)
    recipient_identifier: str | None = Field(default=None, max_length=50, validate_default=True)
    parent_name: str | None = Field(default=None, max_length=300)
    parent_identifier: str | None = Field(default=None, max_length=50)
    parent_identifier_type: IdentifierType | None = None

    @field_validator("identifier")
    @classmethod
    def _identifier(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("identifier_type")
        value = normal_identifier(kind, value)
        if problem := _identifier_problem(kind, value):
            raise PydanticCustomError("identifier", problem)
        return value

    @field_validator("recipient_identifier")
    @classmethod
    def _recipient(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Rank 2 serves the vendor unless told otherwise; deeper ranks must name whom they
        serve (B_05.02 c0060 is part of the key and is never empty)."""
        value = (value or "").strip().upper() or None
        rank = info.data.get("rank") or 2
        if value is None and rank > 2:
            raise PydanticCustomError(
                "recipient_required",
                "Give the identification code of the provider one rank up that this "
                "subcontractor serves.",
            )
        return value


# ---------------------------------------------------------------------------------------------
# Contacts, AI systems, business functions


class ContactInput(FormModel):
    name: Text(200)
    email: Annotated[str, Field(min_length=3, max_length=320)]
    title: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    is_primary: bool = False

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_PATTERN.match(value):
            raise PydanticCustomError("email", "Enter an email address like name@example.com.")
        return value.lower()


class AISystemInput(FormModel):
    """One entry of the vendor's AI inventory."""

    name: Text(200)
    purpose: str = Field(default="", max_length=2000)
    vendor_role: AIRole = AIRole.provider
    ai_act_class: AIActClass = AIActClass.unknown
    affects_natural_persons: bool = False
    model_provider: str | None = Field(default=None, max_length=200)
    foundation_model: str | None = Field(default=None, max_length=200)
    human_oversight: str | None = Field(default=None, max_length=1000)
    contract_id: int | None = None
    # The buyer's own AI Act view: duties follow the bank's use, not the vendor's word.
    buyer_risk_class: Code(codes.AI_ACT_CLASSES, "AI Act risk classes") | None = None
    annex_iii_use: Code(codes.ANNEX_III_USES, "Annex III uses") | None = Field(
        default=None, description="The Annex III point of the buyer's use, e.g. 5b."
    )
    buyer_role: Code(codes.BUYER_AI_ROLES, "roles") | None = None
    # The buyer's fundamental rights impact assessment (Art. 27), owed by the bank as deployer.
    fria_outcome: str | None = Field(default=None, max_length=2000)
    fria_link: str | None = Field(default=None, max_length=500)
    fria_date: date | None = Field(default=None, validate_default=True)

    @field_validator("annex_iii_use")
    @classmethod
    def _use_needs_a_class(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("buyer_risk_class") is None:
            raise PydanticCustomError(
                "annex_iii_use", "Record your own risk class as well: this use needs one."
            )
        return value

    @field_validator("fria_link")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise PydanticCustomError(
                "fria_link", "Enter the web address of the assessment, starting with https://."
            )
        return value

    @field_validator("fria_date")
    @classmethod
    def _fria_dated(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None and (info.data.get("fria_outcome") or info.data.get("fria_link")):
            raise PydanticCustomError(
                "fria_date", "Give the date the impact assessment was completed."
            )
        return value


class ProviderInput(FormModel):
    """A model or cloud provider's identity as the buyer records it."""

    name: Text(300)
    lei: str | None = Field(default=None, max_length=20)
    parent_name: str | None = Field(default=None, max_length=300)
    parent_lei: str | None = Field(default=None, max_length=20)
    country: Country | None = None

    @field_validator("lei", "parent_lei")
    @classmethod
    def _lei(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if problem := lei_problem(value):
            raise PydanticCustomError(info.field_name or "lei", problem)
        return value


class FunctionInput(FormModel):
    """A business function of the buyer (RoI B_06.01)."""

    code: Annotated[str, Field(pattern=r"^F[1-9][0-9]{0,5}$")] = Field(
        description="Function identifier: F1, F2, …"
    )
    name: Text(300)
    licensed_activity: str | None = Field(
        default=None,
        max_length=20,
        json_schema_extra={"enum": list(codes.LICENSED_ACTIVITIES)},
        description="EBA licensed activity (B_06.01 c0020, LIST0601020), e.g. x163.",
    )
    critical: Code(codes.FUNCTION_CRITICALITY, "criticality values") = FunctionCriticality.yes
    criticality_reasons: str | None = Field(default=None, max_length=300)
    last_assessed: date | None = None
    rto_hours: Annotated[int, Field(ge=0)] | None = None
    rpo_hours: Annotated[int, Field(ge=0)] | None = None
    discontinuation_impact: Code(codes.DISCONTINUATION_IMPACT, "impact levels") | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("licensed_activity")
    @classmethod
    def _licensed_activity(cls, value: str | None) -> str | None:
        """A code of the EBA list, stored without its `eba_TA:` prefix (also accepted typed)."""
        if value is None:
            return None
        code = value.removeprefix("eba_TA:").lower()
        if code not in codes.LICENSED_ACTIVITIES:
            raise PydanticCustomError(
                "licensed_activity",
                "{value} is not a licensed activity of the EBA list (Register of Information "
                "LIST0601020): choose one from the list.",
                {"value": repr(value)},
            )
        return code


class Rejection(FormModel):
    """Why the buyer turned down a vendor's proposed register data."""

    note: str | None = None  # sent to the vendor


# ---------------------------------------------------------------------------------------------
# API read models


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VendorRead(Read):
    id: int
    version: int
    legal_name: str
    latin_name: str | None
    identifier_type: str
    identifier: str
    additional_identifier: str | None
    additional_identifier_type: str | None
    person_type: str
    hq_country: str
    parent_name: str | None
    parent_identifier: str | None
    parent_identifier_type: str | None
    status: str
    website: str | None
    description: str | None
    annual_expense: Decimal | None
    currency: str
    supports_critical_function: bool
    data_sensitivity: str
    substitutability: str
    substitutability_reason: str | None
    ai_role: str
    cloud_providers: list[str]
    last_audit_date: date | None
    exit_plan: bool
    reintegration: str | None
    tier: str | None
    next_review_date: date | None
    created_at: datetime
    updated_at: datetime


class SubcontractorRead(Read):
    id: int
    rank: int
    name: str
    identifier_type: str
    identifier: str
    country: str | None
    service_type: str | None
    what: str | None
    recipient_identifier: str | None


class ContractRead(Read):
    id: int
    reference: str
    arrangement_type: str
    overarching_reference: str | None
    ict_service_type: str
    function_id: int | None
    description: str | None
    supports_critical_function: bool
    start_date: date | None
    end_date: date | None
    termination_reason: str | None
    notice_days_entity: int | None
    notice_days_provider: int | None
    governing_law_country: str | None
    service_country: str | None
    stores_data: bool
    storage_countries: list[str]
    processing_countries: list[str]
    data_sensitivity: str | None
    reliance: str | None
    annual_cost: Decimal | None
    currency: str
    exit_plan: bool
    audit_rights: bool
    alternatives: str | None
    subcontractors: list[SubcontractorRead] = []


class AISystemRead(Read):
    id: int
    name: str
    purpose: str
    vendor_role: str
    ai_act_class: str
    affects_natural_persons: bool
    model_provider: str | None
    foundation_model: str | None
    human_oversight: str | None
    contract_id: int | None
    buyer_risk_class: str | None
    annex_iii_use: str | None
    buyer_role: str | None
    fria_date: date | None
    fria_outcome: str | None
    fria_link: str | None


class ContactRead(Read):
    id: int
    name: str
    email: str
    title: str | None
    phone: str | None
    is_primary: bool


class VendorDetailRead(VendorRead):
    contacts: list[ContactRead]
    ai_systems: list[AISystemRead]
    contracts: list[ContractRead]


class VendorPage(BaseModel):
    items: list[VendorRead]
    total: int
    page: int
    per_page: int
    pages: int


class ImportRowResult(BaseModel):
    row: int
    action: str = Field(description="new, update or unchanged")
    legal_name: str | None
    identifier: str | None
    vendor_id: int | None = None
    changed: list[str] = []


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    rows: list[ImportRowResult]
