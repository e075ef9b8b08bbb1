"""The tamper-evident audit trail: one hash chain per organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, json_field


class AuditChain(SQLModel, table=True):
    """The head of one chain; locking this row serialises appends to the chain."""

    chain: str = Field(primary_key=True, max_length=40)  # "org:12" or "system"
    sequence: int = 0
    head_hash: str = Field(default="0" * 64, max_length=64)


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, chained to the previous event by SHA-256."""

    __table_args__ = (UniqueConstraint("chain", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=40, index=True)
    sequence: int
    organisation_id: int | None = Field(default=None, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(default="system", max_length=320)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=60)
    data: dict = json_field(dict)
    ip: str | None = Field(default=None, max_length=64)
    at: datetime = created_at_field()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
