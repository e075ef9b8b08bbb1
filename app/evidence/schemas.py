"""Form and API models for evidence."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.forms import FormModel

# The kinds a questionnaire can ask for are the kinds a file can be labelled with: one list (a
# question asking for a contract once offered no way to label an upload as one).
from app.questionnaires.schema import EvidenceKind

# What a user reads for each kind: every kind picker (library upload, portal upload) shows these.
EVIDENCE_KINDS: dict[EvidenceKind, str] = {
    EvidenceKind.policy: "Policy",
    EvidenceKind.procedure: "Procedure",
    EvidenceKind.record: "Record",
    EvidenceKind.report: "Report",
    EvidenceKind.certificate: "Certificate",
    EvidenceKind.contract: "Contract",
}


class EvidenceDetails(FormModel):
    """What a vendor says about a file when uploading it (all optional): the text fields of the
    streamed multipart upload."""

    kind: EvidenceKind | None = None
    title: str | None = Field(default=None, max_length=300)
    valid_until: date | None = None
    # Uploaded on a question of the portal (without JavaScript): where to go next.
    assessment_id: int | None = None
    question_key: str | None = Field(default=None, max_length=120, pattern=r"^[a-z0-9_.]+$")


class ValidUntilForm(FormModel):
    valid_until: date | None = None


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
