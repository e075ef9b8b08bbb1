"""The DORA Art. 30 clause checklist of a contract: the vendor's statement per clause and the
buyer's reviewer's confirmation against the signed contract."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class ContractClause(SQLModel, table=True):
    """One clause (e.g. "Art. 30(3)(c)") of one contract; statuses are yes | partly | no."""

    __table_args__ = (UniqueConstraint("contract_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    code: str = Field(max_length=16)
    vendor_status: str | None = Field(default=None, max_length=8)
    reference: str | None = Field(default=None, max_length=300)  # where in the contract
    stated_by_id: int | None = Field(default=None, foreign_key="user.id")
    stated_at: datetime | None = None
    confirmed_status: str | None = Field(default=None, max_length=8)
    review_note: str | None = Field(default=None, max_length=1000)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    created_at: datetime = created_at_field()
