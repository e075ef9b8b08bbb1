"""Shared column helpers: UTC timestamps and string-valued enums."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field


def utcnow() -> datetime:
    """Aware UTC: SQLModel's UTCDateTime stores it on every database and returns it aware."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as aware UTC: SQLite hands back naive values, PostgreSQL aware ones."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, nullable=False)


def enum_field(default: StrEnum | None = None, *, length: int = 32, index: bool = False) -> Any:
    """A StrEnum stored as plain text, so adding a value never needs a database type change."""
    return Field(default=default, sa_type=String(length), index=index, nullable=default is None)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON, nullable=False)


class Role(StrEnum):
    admin = "admin"
    procurement = "procurement"
    risk_analyst = "risk_analyst"
    auditor = "auditor"
    vendor_admin = "vendor_admin"
    vendor_contact = "vendor_contact"

    @property
    def is_vendor(self) -> bool:
        return self in (Role.vendor_admin, Role.vendor_contact)


BUYER_ROLES = (Role.admin, Role.procurement, Role.risk_analyst, Role.auditor)
VENDOR_ROLES = (Role.vendor_admin, Role.vendor_contact)
