"""The organisation's forms: its register details (RoI B_01.01, B_01.02) and its people."""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from app.forms import Code, FormModel, Text
from app.register.roi import codes as roi_codes
from app.vendors.identifiers import lei_problem
from app.vendors.schemas import Country, Currency, Money

# LIST0101040 as stored on the organisation (`x12`); the export adds the `eba_CT:` prefix.
ENTITY_TYPES: dict[str, str] = {
    code.removeprefix("eba_CT:"): label for code, label in roi_codes.ENTITY_TYPES.items()
}


class OrganisationDetails(FormModel):
    """The entity maintaining the register and its one entity in scope (B_01.01, B_01.02)."""

    name: Text(200) = Field(description="Name of the entity (B_01.01 c0020).")
    lei: str | None = Field(default=None, max_length=40, description="LEI (B_01.01 c0010).")
    country: Country | None = Field(default=None, description="Country (B_01.01 c0030).")
    entity_type: Code(ENTITY_TYPES, "entity types") | None = Field(
        default=None, description="Type of entity, LIST0101040 (B_01.01 c0040), e.g. x12."
    )
    competent_authority: str | None = Field(
        default=None, max_length=200, description="Competent authority (B_01.01 c0050)."
    )
    currency: Currency = Field(default="EUR", description="Reporting currency (B_01.02 c0100).")
    total_assets: Money | None = Field(
        default=None, description="Total assets in the reporting currency (B_01.02 c0110)."
    )

    @field_validator("lei")
    @classmethod
    def _lei(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = re.sub(r"\s+", "", value).upper()
        if problem := lei_problem(value):
            raise PydanticCustomError("lei", problem)
        return value


class PersonAccess(FormModel):
    """A colleague's role and whether they may sign in (people.py checks the role)."""

    role: str = ""
    active: bool = False
