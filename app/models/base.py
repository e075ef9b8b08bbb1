"""Shared column helpers: UTC timestamps and string-valued enums."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Dialect, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def utcnow() -> datetime:
    """Aware UTC: SQLModel's UTCDateTime stores it on every database and returns it aware."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as aware UTC: SQLite hands back naive values, PostgreSQL aware ones."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, nullable=False)


class EnumText(TypeDecorator[StrEnum]):
    """Plain text in the database, the StrEnum's member when a row is loaded: Pydantic then
    serialises the field as the enum it is declared as (a bare string makes it warn)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | str | None:
        if value is None:
            return None
        try:
            return self.enum(value)
        except ValueError:  # a value the enum no longer has stays text: the row still loads
            return value


def enum_field(
    default: StrEnum | None = None,
    *,
    length: int = 32,
    index: bool = False,
    loads_as: type[StrEnum] | None = None,
) -> Any:
    """A StrEnum stored as plain text, so adding a value never needs a database type change.

    With `loads_as`, a loaded row holds the enum's member rather than its text (EnumText).
    Left off elsewhere for now: a member whose name differs from its value hashes unlike its
    text, so dictionaries keyed by the text would miss it.
    """
    sa_type = String(length) if loads_as is None else EnumText(loads_as, length)
    return Field(default=default, sa_type=sa_type, index=index, nullable=default is None)


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
