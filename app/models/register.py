"""Reference data and records of the Register of Information that no single vendor owns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import LargeBinary, Numeric, UniqueConstraint
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


class GroupEntity(SQLModel, table=True):
    """A legal entity of the buyer's group in the register's scope (RoI B_01.02). The entity
    maintaining the register (`maintains_register`) takes its name, LEI, country, type and size
    from the organisation settings; the others carry their own."""

    __table_args__ = (UniqueConstraint("organisation_id", "lei"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    lei: str | None = Field(default=None, max_length=20)
    name: str = Field(max_length=200)
    country: str | None = Field(default=None, max_length=2)
    entity_type: str | None = Field(default=None, max_length=20)  # LIST0101040 key, e.g. x12
    hierarchy: str = Field(default="x21", max_length=8)  # LIST0102050 key: x53, x551, x56, x21 …
    parent_id: int | None = Field(default=None, foreign_key="groupentity.id")
    currency: str = Field(default="EUR", max_length=3)
    total_assets: Decimal | None = Field(default=None, sa_type=Numeric(18, 2))
    integrated_on: date | None = None  # entered the register's scope (B_01.02 c0080)
    deleted_on: date | None = None  # left it (B_01.02 c0090)
    maintains_register: bool = False
    created_at: datetime = created_at_field()


class Branch(SQLModel, table=True):
    """A branch of a group entity (RoI B_01.03): it uses ICT services, it is no legal entity."""

    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    entity_id: int = Field(foreign_key="groupentity.id", index=True)
    code: str = Field(max_length=50)  # identification code of the branch (B_01.03 c0010)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    created_at: datetime = created_at_field()
