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


class ColleagueInvite(FormModel):
    """A colleague to invite: the role is checked against the buyer roles by colleagues.py."""

    email: str = Field(max_length=320)
    name: Text(200) = ""
    role: str = "procurement"


class SsoSettings(FormModel):
    """The organisation's own OIDC provider. A blank secret keeps the one stored."""

    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_client_id: str | None = Field(default=None, max_length=255)
    oidc_client_secret: str | None = Field(default=None, max_length=200)
    sso_domains: str | None = Field(default=None, max_length=1000)
    default_role: str = "procurement"
    clear_secret: bool = False

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith("https://") and not value.startswith(LOOPBACK_ISSUERS):
            raise PydanticCustomError(
                "issuer", "The issuer is an https:// address (http:// only on this computer)."
            )
        return value

    @field_validator("sso_domains")
    @classmethod
    def _domains(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for domain in split_domains(value):
            if not DOMAIN.fullmatch(domain):
                raise PydanticCustomError("domain", f"“{domain}” is not an email domain.")
        return value


LOOPBACK_ISSUERS = ("http://127.0.0.1", "http://localhost", "http://[::1]")
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def split_domains(value: str | None) -> list[str]:
    """Email domains typed one per line or separated by commas or spaces, lower-cased."""
    parts = re.split(r"[\s,;]+", (value or "").strip().lower())
    return sorted({p.removeprefix("@") for p in parts if p})


class RoiSettings(FormModel):
    """How the Register of Information package is written: the DORA taxonomy release (and so
    its module and templates) and the file name the competent authority expects. Checked
    against what the taxonomy module knows by `roi_settings.save_roi_settings`."""

    release: str = Field(max_length=20, description="DORA taxonomy release, e.g. 4.0.")
    file_naming: str = Field(
        max_length=40, description="A named file naming convention (eba) or `custom`."
    )
    file_pattern: str | None = Field(
        default=None,
        max_length=400,
        description="The authority's own pattern when file_naming is custom, e.g. "
        "{lei}_{ref_date}_{timestamp}.",
    )
