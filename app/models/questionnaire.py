"""Published questionnaire versions: immutable, keyed by the hash of their content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, json_field


class Questionnaire(SQLModel, table=True):
    """A questionnaire as it was published; an assessment pins one of these forever."""

    __table_args__ = (UniqueConstraint("organisation_id", "key", "version", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    key: str = Field(max_length=100, index=True)
    version: int
    title: str = Field(max_length=300)
    content_hash: str = Field(max_length=64, index=True)
    definition: dict = json_field(dict)
    question_count: int = 0
    source: str = Field(default="library", max_length=20)  # library | upload
    published_by_id: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime = created_at_field()
