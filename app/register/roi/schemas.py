"""What the Register of Information reads and answers: the reference date its page,
downloads and check take, and the JSON shape of the check (`GET /api/v1/register/roi`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from app.forms import FormModel, validate
from app.register.roi.service import RoiReport

# --- the reference date (a query parameter) ------------------------------------------------------


def _iso_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise PydanticCustomError(
            "ref_date", "The reference date must be a date (YYYY-MM-DD)."
        ) from None


class RoiQuery(FormModel):
    """The register's reference date; blank means 31 December of last year."""

    ref_date: Annotated[date | None, BeforeValidator(_iso_date)] = None


def reference_date(ref_date: Annotated[str | None, Query()] = None) -> date | None:
    """The `ref_date` query parameter (YYYY-MM-DD) of the page, the downloads and the API."""
    return validate(RoiQuery, {"ref_date": ref_date}).ref_date


# --- the API's JSON ------------------------------------------------------------------------------


class RoiProblemRead(BaseModel):
    severity: str = Field(description="blocking (a supervisor rejects the file) or warning")
    rule: str = Field(description="805, 806, 807, 808, v8803, v8805, mandatory, code list, LEI, …")
    template: str = Field(examples=["B_02.02"])
    column: str = Field(examples=["c0050"])
    key: str
    subject: str = Field(description="What to fix, e.g. an arrangement and its vendor.")
    message: str
    link: str | None = Field(description="The page to fix it on.")


class RoiTemplateRead(BaseModel):
    id: str
    title: str
    rows: int
    reported: bool = Field(description="Its line in FilingIndicators.csv.")


class RoiExclusionRead(BaseModel):
    reference: str
    vendor: str
    reason: str


class RoiCheckRead(BaseModel):
    ref_date: date
    valid: bool = Field(description="No blocking problem: the package can be downloaded.")
    blocking: int
    warnings: int
    templates: list[RoiTemplateRead]
    excluded: list[RoiExclusionRead]
    problems: list[RoiProblemRead]

    @classmethod
    def from_report(cls, report: RoiReport) -> RoiCheckRead:
        built = report.built
        return cls(
            ref_date=built.data.ref_date,
            valid=report.valid,
            blocking=len(report.blocking),
            warnings=len(report.warnings),
            templates=[
                RoiTemplateRead(
                    id=t.template.id, title=t.template.title, rows=len(t), reported=t.reported
                )
                for t in built.tables.values()
            ],
            excluded=[
                RoiExclusionRead(reference=e.reference, vendor=e.vendor, reason=e.reason)
                for e in built.excluded
            ],
            problems=[
                RoiProblemRead(
                    severity=p.severity,
                    rule=p.rule,
                    template=p.template,
                    column=p.column,
                    key=p.key,
                    subject=p.subject,
                    message=p.message,
                    link=p.link,
                )
                for p in report.problems
            ],
        )
