"""Email outbox: written in the business transaction, sent (and retried) afterwards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; visible on the assessment


class OutboxEmail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", index=True)
    kind: str = Field(max_length=40)  # invitation, reminder, submitted, clarification, …
    to_address: str = Field(sa_type=String(320))
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    status: OutboxStatus = enum_field(OutboxStatus.pending, length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = None
    created_at: datetime = created_at_field()
