"""Assessments sent to vendors, their answers, evidence and conversations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field, utcnow


class AssessmentStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    in_progress = "in_progress"
    submitted = "submitted"
    under_review = "under_review"
    clarification_requested = "clarification_requested"
    completed = "completed"
    cancelled = "cancelled"


class ReviewState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    clarification = "clarification"
    rejected = "rejected"


class Campaign(SQLModel, table=True):
    """One send of a questionnaire to several vendors at once."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    due_date: date
    message: str | None = Field(default=None, max_length=5000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class Assessment(SQLModel, table=True):
    """One vendor's answers to one pinned questionnaire version for one buyer."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    previous_assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    status: AssessmentStatus = enum_field(AssessmentStatus.draft, length=24, index=True)
    due_date: date | None = Field(default=None, index=True)
    message: str | None = Field(default=None, max_length=5000)
    sent_at: datetime | None = None
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    attestation: dict | None = Field(default=None, sa_type=JSON)
    reuse_across_buyers: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Who reviews the answers and hears of the submission (review_assessments permission).
    reviewer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class AssessmentTransition(SQLModel, table=True):
    """A lifecycle step, shown as the assessment's timeline."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    from_status: str = Field(max_length=24)
    to_status: str = Field(max_length=24)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str | None = Field(default=None, max_length=2000)
    at: datetime = created_at_field()


class SectionAssignment(SQLModel, table=True):
    """A vendor admin's delegation of one questionnaire section to a colleague."""

    __table_args__ = (UniqueConstraint("assessment_id", "section_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    section_key: str = Field(max_length=100)
    user_id: int = Field(foreign_key="user.id", index=True)
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    assigned_at: datetime = created_at_field()


class Answer(SQLModel, table=True):
    """A vendor's answer to one question; `version` guards against lost updates."""

    __table_args__ = (UniqueConstraint("assessment_id", "question_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    question_key: str = Field(max_length=120)
    value: object | None = Field(default=None, sa_type=JSON)
    comment: str | None = Field(default=None, max_length=5000)
    version: int = 1
    review_state: ReviewState = enum_field(ReviewState.pending, length=16)
    review_reason: str | None = Field(default=None, max_length=2000)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime = created_at_field()
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    prefilled_from_id: int | None = Field(default=None, foreign_key="answer.id")


class Evidence(SQLModel, table=True):
    """A file in a vendor's evidence library, stored once by content hash."""

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=255)
    size: int
    media_type: str = Field(max_length=120)
    storage_key: str = Field(max_length=200)
    kind: str | None = Field(
        default=None, max_length=20
    )  # policy, procedure, record, report, certificate, contract
    title: str | None = Field(default=None, max_length=300)
    valid_until: date | None = Field(default=None, index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = created_at_field()


class AnswerEvidence(SQLModel, table=True):
    """Evidence attached to an answer, with the reviewer's verdict on it for that answer."""

    answer_id: int = Field(foreign_key="answer.id", primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True, index=True)
    review_state: ReviewState = enum_field(ReviewState.pending, length=16)
    linked_by_id: int | None = Field(default=None, foreign_key="user.id")
    linked_at: datetime = created_at_field()


class CommentVisibility(StrEnum):
    internal = "internal"  # buyer team only
    vendor = "vendor"  # the conversation with the vendor


class Comment(SQLModel, table=True):
    """A message in a thread on one question of an assessment."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    question_key: str = Field(max_length=120)
    visibility: CommentVisibility = enum_field(CommentVisibility.vendor, length=10)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(sa_type=String(5000))
    created_at: datetime = created_at_field()


class ReminderLog(SQLModel, table=True):
    """A reminder sent for a threshold; the unique key makes each threshold fire once."""

    __table_args__ = (UniqueConstraint("assessment_id", "threshold"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    threshold: str = Field(max_length=20)  # "before-7", "before-1", "overdue"
    sent_at: datetime = created_at_field()


__all__ = [
    "Answer",
    "AnswerEvidence",
    "Assessment",
    "AssessmentStatus",
    "AssessmentTransition",
    "Campaign",
    "Comment",
    "CommentVisibility",
    "Evidence",
    "ReminderLog",
    "ReviewState",
    "SectionAssignment",
]
