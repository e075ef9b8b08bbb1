"""The trail's filter form, read from the query string (page, fragment and exports alike)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator


class AuditFilter(BaseModel):
    actor: str = Field(default="", max_length=320)  # part of the actor's email
    action: str = Field(default="", max_length=60)  # prefix: "assessment." matches them all
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=60)
    date_from: date | None = None  # inclusive, UTC
    date_to: date | None = None  # inclusive, UTC

    @field_validator("actor", "action", "object_type", "object_id", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def query_items(self) -> dict[str, str]:
        """The filters that are set, for links that keep them (pagination, exports)."""
        return {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in self.model_dump().items()
            if value not in ("", None)
        }
