"""Model and cloud providers behind the buyer's vendors, as records rather than free text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class Provider(SQLModel, table=True):
    """One model or cloud provider, identified by LEI where it has one, with its ultimate parent:
    concentration (DORA Art. 29) counts these and their parents, not spellings."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=300)
    lei: str | None = Field(default=None, max_length=20, index=True)
    parent_name: str | None = Field(default=None, max_length=300)
    parent_lei: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    created_at: datetime = created_at_field()


class ProviderName(SQLModel, table=True):
    """A spelling of a provider's name met in the register ("Microsoft Azure", "Azure"); the
    buyer links each to one provider record. `key` is the case- and space-folded name."""

    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    key: str = Field(max_length=300)
    name: str = Field(max_length=300)
