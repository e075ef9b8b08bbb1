"""API models for assessments: what /api/v1/assessments reads and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models import AssessmentStatus, ReviewState


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    vendor_name: str
    questionnaire_id: int
    questionnaire_key: str
    questionnaire_version: int
    campaign_id: int | None
    previous_assessment_id: int | None
    status: AssessmentStatus
    due_date: date | None
    overdue: bool
    sent_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    created_at: datetime


class AssessmentPageRead(BaseModel):
    items: list[AssessmentRead]
    total: int
    page: int
    per_page: int


class TransitionRead(BaseModel):
    from_status: str
    to_status: str
    actor_id: int | None
    reason: str | None
    at: datetime


class AssessmentDetail(AssessmentRead):
    message: str | None
    timeline: list[TransitionRead]
    progress_percent: int


class AnswerRead(BaseModel):
    question_key: str
    value: Any
    comment: str | None
    version: int
    review_state: ReviewState
    review_reason: str | None
    answered_at: datetime
    reviewed_at: datetime | None
    evidence_ids: list[int]


class CommentRead(BaseModel):
    id: int
    question_key: str
    visibility: str
    author: str | None
    body: str
    created_at: datetime


class NewContactIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)


class RecipientsIn(BaseModel):
    vendor_id: int
    contact_ids: list[int] = []
    new_contacts: list[NewContactIn] = []


class AssessmentCreate(BaseModel):
    """Send one questionnaire version to one or many vendors (a campaign)."""

    model_config = ConfigDict(extra="forbid")

    vendor_ids: list[int] = Field(min_length=1, max_length=500)
    questionnaire_id: int
    due_date: date
    message: str | None = Field(default=None, max_length=5000)
    name: str | None = Field(default=None, max_length=200)
    recipients: list[RecipientsIn] = Field(
        default=[], description="Per vendor; a vendor left out receives it at every contact."
    )


class CampaignRead(BaseModel):
    campaign_id: int
    assessments: list[AssessmentRead]
    invited: list[str]
    emailed: list[str]


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        description="begin_review, request_clarification, complete, reopen, cancel or send"
    )
    reason: str | None = Field(default=None, max_length=2000)
