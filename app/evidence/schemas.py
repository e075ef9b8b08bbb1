"""Form and API models for evidence."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The kinds a questionnaire can ask for are the kinds a file can be labelled with: one list (a
# question asking for a contract once offered no way to label an upload as one).
from app.questionnaires.schema import EvidenceKind


def _blank_is_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


class EvidenceDetails(BaseModel):
    """What a vendor says about a file when uploading it (all optional)."""

    model_config = ConfigDict(extra="ignore")

    kind: EvidenceKind | None = None
    title: str | None = Field(default=None, max_length=300)
    valid_until: date | None = None

    _blank = field_validator("kind", "title", "valid_until", mode="before")(_blank_is_none)


class ValidUntilForm(BaseModel):
    valid_until: date | None = None

    _blank = field_validator("valid_until", mode="before")(_blank_is_none)


class EvidenceCreate(BaseModel):
    """A new library item, built from a received upload."""

    vendor_id: int
    sha256: str = Field(min_length=64, max_length=64)
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0)
    media_type: str = Field(max_length=120)
    storage_key: str = Field(max_length=200)
    kind: EvidenceKind | None = None
    title: str | None = Field(default=None, max_length=300)
    valid_until: date | None = None
    uploaded_by_id: int | None = None


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    filename: str
    title: str | None
    kind: str | None
    size: int
    media_type: str
    sha256: str
    valid_until: date | None
    uploaded_at: datetime
