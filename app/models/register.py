"""Reference data and records of the Register of Information that no single vendor owns."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


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
