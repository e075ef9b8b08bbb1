"""Decisions the buyer records on a review: its outcome, and whether to go on with a vendor
that uses a prohibited AI practice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field


class DecisionKind(StrEnum):
    review = "review"
    prohibited_practice = "prohibited_practice"


class DecisionOutcome(StrEnum):
    # kind "review"
    approve = "approve"
    approve_with_conditions = "approve_with_conditions"
    reject_do_not_onboard = "reject_do_not_onboard"
    reject_exit = "reject_exit"
    # kind "prohibited_practice"
    proceed = "proceed"
    exit = "exit"


class ReviewDecision(SQLModel, table=True):
    """A recorded decision; never edited: a later decision of the same kind supersedes it."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    kind: DecisionKind = enum_field(DecisionKind.review, length=20)
    outcome: DecisionOutcome = enum_field(DecisionOutcome.approve, length=24)
    rationale: str = Field(max_length=4000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime = created_at_field()
