"""Stored score results and the findings they raise."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field, json_field, utcnow


class ScoreResult(SQLModel, table=True):
    """One scoring run of an assessment; `model_version` lets it be recomputed exactly."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    model_version: str = Field(max_length=20)
    overall_maturity: float
    verified_maturity: float
    claimed_maturity: float | None = None
    level_name: str = Field(max_length=40)
    inherent_tier: str = Field(max_length=10)
    target_maturity: int
    residual_risk: str = Field(max_length=10)
    # The buyer has not reviewed every answer yet: levels are the vendor's word as far as the
    # evidence allows (model 2026.2 on; older results read False).
    provisional: bool = False
    domains: dict = json_field(dict)
    explanation: dict = json_field(dict)
    is_current: bool = Field(default=True, index=True)
    computed_at: datetime = created_at_field()


class FindingSeverity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class FindingStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    risk_accepted = "risk_accepted"
    closed = "closed"


class Finding(SQLModel, table=True):
    """A gap against target maturity; auto findings keep their `key` across re-scoring."""

    __table_args__ = (UniqueConstraint("vendor_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", index=True)
    key: str = Field(max_length=120)  # "iso42001:A.6.2.6" for generated, "manual:<uuid>" for manual
    framework: str | None = Field(default=None, max_length=20, index=True)  # iso42001, dora, ai_act
    source: str = Field(default="scoring", max_length=10)  # scoring | manual
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=5000)
    refs: dict = json_field(dict)
    severity: FindingSeverity = enum_field(FindingSeverity.medium, length=10, index=True)
    status: FindingStatus = enum_field(FindingStatus.open, length=14, index=True)
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    due_date: date | None = None
    treatment: str | None = Field(default=None, max_length=2000)
    current_level: float | None = None
    target_level: int | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})
    closed_at: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)  # why it was closed or reopened
    severity_reason: str | None = Field(default=None, max_length=500)  # "critical because …"
