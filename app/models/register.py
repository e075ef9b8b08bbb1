"""Reference data and records of the Register of Information that no single vendor owns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, json_field


class LeiRecord(SQLModel, table=True):
    """One LEI of the GLEIF golden copy the operator imported (`assay lei import FILE`): the
    register checks LEIs against it offline, never over the network at export."""

    lei: str = Field(primary_key=True, max_length=20)
    legal_name: str = Field(default="", max_length=500)
    status: str = Field(
        default="", max_length=20
    )  # Registration.RegistrationStatus: ISSUED, LAPSED, RETIRED …
    next_renewal: date | None = None
    imported_at: datetime = created_at_field()


class RoiSnapshot(SQLModel, table=True):
    """The Register of Information as produced for one reference date: the package's bytes
    (re-exported byte for byte) and the facts it was built from (compared year to year). A
    snapshot is never changed; producing the register again makes a new one."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    ref_date: date = Field(index=True)
    release: str = Field(max_length=10)
    file_name: str = Field(max_length=200)
    package: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
    facts: dict = json_field(dict)
    arrangements: int = 0
    warnings: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
