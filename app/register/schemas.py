"""What the register reads and answers: the filters of its pages, exports and API (query
parameters), its forms, the options of their selects, and the JSON shapes of the API.

Query parameters and forms are parsed here (text to numbers and dates, blanks to "any"); the
service's own values (`RegisterFilters`, `TreatmentUpdate`, ...) check the register's rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, BeforeValidator

from app.forms import FormModel, split_list, validate
from app.models import VendorStatus
from app.register.findings import FindingFilters, FindingUpdate, ManualFinding, TreatmentUpdate
from app.register.service import (
    FINDING_STATUSES,
    FRAMEWORKS,
    RATINGS,
    SEVERITIES,
    TIERS,
    TREATMENTS,
    RegisterFilters,
    RegisterRow,
)


def _options(values: Iterable[str]) -> dict[str, str]:
    return {value: value.replace("_", " ") for value in values}


# The options of the register's selects ({value: label}), from the enums behind them.
TIER_OPTIONS = _options(TIERS)
RATING_OPTIONS = _options(RATINGS)
TREATMENT_OPTIONS = _options(TREATMENTS)
VENDOR_STATUS_OPTIONS = _options(s.value for s in VendorStatus)
SEVERITY_OPTIONS = _options(SEVERITIES)
FINDING_STATUS_OPTIONS = _options(FINDING_STATUSES)
FRAMEWORK_OPTIONS = dict(FRAMEWORKS)
PROVIDER_KIND_OPTIONS = {"model": "Model providers", "cloud": "Cloud providers"}
# Filters offer a few choices more than the forms.
TREATMENT_FILTER_OPTIONS = {"none": "not decided", **TREATMENT_OPTIONS}
FINDING_STATUS_FILTER_OPTIONS = {"open_any": "not closed", **FINDING_STATUS_OPTIONS}
FRAMEWORK_FILTER_OPTIONS = {**FRAMEWORK_OPTIONS, "manual": "added by analysts"}


def _ticked(value: Any) -> Any:
    """A yes/no filter: `yes`, `1`, `true` or `on` ticks it, anything else leaves it off."""
    if isinstance(value, str):
        return value.strip() in ("yes", "1", "true", "on")
    return value


Ticked = Annotated[bool, BeforeValidator(_ticked)]


def _from_query(schema: type[FormModel], params: Mapping[str, Any]) -> Any:
    """The schema's fields from a query string; other parameters are ignored."""
    return validate(schema, {name: params[name] for name in schema.model_fields if name in params})


# --- filters (query parameters) ------------------------------------------------------------------


class RegisterQuery(FormModel):
    """The register's filters, sort and page; a blank means "any", 0 the default page size."""

    q: str | None = None
    tier: str | None = None
    residual: str | None = None
    treatment: str | None = None
    owner_id: int | None = None
    status: str | None = None
    review_due: Ticked = False
    sort: str = "name"
    page: int = 1
    per_page: int = 50

    def filters(self) -> RegisterFilters:
        values = self.model_dump()
        return RegisterFilters(**values | {"page": self.page or 1, "per_page": self.per_page or 50})


OptStr = Annotated[str | None, Query()]


def register_filters(
    q: OptStr = None,
    tier: OptStr = None,
    residual: OptStr = None,
    treatment: OptStr = None,
    owner_id: OptStr = None,
    status: OptStr = None,
    review_due: OptStr = None,
    sort: OptStr = None,
    page: OptStr = None,
    per_page: OptStr = None,
) -> RegisterFilters:
    """The register's query parameters as filters (shared by the page, the exports and the API,
    which documents each parameter)."""
    params = {
        "q": q,
        "tier": tier,
        "residual": residual,
        "treatment": treatment,
        "owner_id": owner_id,
        "status": status,
        "review_due": review_due,
        "sort": sort,
        "page": page,
        "per_page": per_page,
    }
    return validate(RegisterQuery, params).filters()


class FindingQuery(FormModel):
    """The findings register's filters, sort and page; a blank means "any"."""

    severity: str | None = None
    status: str | None = None
    vendor_id: int | None = None
    framework: str | None = None
    owner_id: int | None = None
    q: str | None = None
    sort: str = "severity"
    page: int = 1
    per_page: int = 50

    def filters(self) -> FindingFilters:
        values = self.model_dump()
        return FindingFilters(**values | {"page": self.page or 1, "per_page": self.per_page or 50})


def finding_filters(params: Mapping[str, Any]) -> FindingFilters:
    return _from_query(FindingQuery, params).filters()


class ConcentrationQuery(FormModel):
    kind: str | None = None  # "model" or "cloud"; anything else shows both
    shared: Ticked = False  # only providers shared by several vendors


def concentration_query(params: Mapping[str, Any]) -> ConcentrationQuery:
    return _from_query(ConcentrationQuery, params)


# --- forms ---------------------------------------------------------------------------------------


class TreatmentForm(FormModel):
    """A vendor's owner and risk treatment, as the register row's form posts them."""

    owner_id: int | None = None
    treatment: str | None = None
    justification: str | None = None
    due: date | None = None

    def update(self) -> TreatmentUpdate:
        return TreatmentUpdate(**self.model_dump())


class FindingForm(FormModel):
    """A finding's status, owner, due date and treatment, as its row's form posts them."""

    status: str
    owner_id: int | None = None
    due_date: date | None = None
    treatment: str | None = None

    def update(self) -> FindingUpdate:
        return FindingUpdate(**self.model_dump())


class ManualFindingForm(FormModel):
    """A finding added by an analyst; control references are typed in one box (`A.6.2.6, Art. 30`)."""

    vendor_id: int
    title: str
    severity: str
    description: str = ""
    framework: str | None = None
    control_ids: Annotated[list[str], BeforeValidator(split_list)] = []
    owner_id: int | None = None
    due_date: date | None = None

    def finding(self) -> ManualFinding:
        return ManualFinding(**self.model_dump() | {"control_ids": tuple(self.control_ids)})


# --- the API's JSON ------------------------------------------------------------------------------


class DomainMaturity(BaseModel):
    key: str
    title: str
    claimed: float | None
    level: float | None
    verified: float | None


class RegisterRowRead(BaseModel):
    vendor_id: int
    legal_name: str
    identifier: str
    status: str
    tier: str | None
    services: list[str]
    functions: list[str]
    critical_functions: list[str]
    ai_systems: list[dict[str, str]]
    maturity: float | None
    claimed_maturity: float | None
    verified_maturity: float | None
    target_maturity: int | None
    residual_risk: str | None
    domains: list[DomainMaturity]
    open_findings: dict[str, int]
    last_assessed: date | None
    next_review_date: date | None
    owner: str | None
    treatment: str | None
    treatment_justification: str | None
    treatment_due: date | None

    @classmethod
    def from_row(cls, row: RegisterRow) -> RegisterRowRead:
        v = row.vendor
        return cls(
            vendor_id=v.id or 0,
            legal_name=v.legal_name,
            identifier=v.identifier,
            status=str(v.status),
            tier=v.tier and str(v.tier),
            services=row.services,
            functions=[f"{code} {name}" for code, name, _ in row.functions],
            critical_functions=[f"{code} {name}" for code, name, c in row.functions if c],
            ai_systems=[{"name": n, "ai_act_class": c} for n, c in row.ai_systems],
            maturity=row.overall,
            claimed_maturity=row.claimed,
            verified_maturity=row.verified,
            target_maturity=row.target,
            residual_risk=row.residual,
            domains=[
                DomainMaturity(
                    key=key,
                    title=d["title"],
                    claimed=d["claimed"],
                    level=d["level"],
                    verified=d["verified"],
                )
                for key, d in row.domains.items()
            ],
            open_findings=row.findings,
            last_assessed=row.last_assessed,
            next_review_date=v.next_review_date,
            owner=row.owner_name,
            treatment=v.treatment and str(v.treatment),
            treatment_justification=v.treatment_justification,
            treatment_due=v.treatment_due,
        )


class RegisterPageRead(BaseModel):
    items: list[RegisterRowRead]
    total: int
    page: int
    per_page: int
    pages: int
