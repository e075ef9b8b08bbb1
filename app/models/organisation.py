"""Buyer tenants, people, and the credentials they sign in with."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import Role, created_at_field, enum_field, json_field


class Organisation(SQLModel, table=True):
    """A regulated buyer (bank, insurer, CASP): the tenant every buyer-side row belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    lei: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    regime: str = Field(default="DORA", max_length=20)  # DORA, MiCA, …
    entity_type: str | None = Field(default=None, max_length=20)  # RoI LIST0101040 code, e.g. x12
    competent_authority: str | None = Field(default=None, max_length=200)
    sso_domains: list[str] = json_field(list)  # email domains mapped to this tenant for OIDC
    default_role: Role = enum_field(Role.procurement)
    # OIDC single sign-on; empty fields fall back to the ASSAY_OIDC_* settings. The client secret
    # is stored encrypted (app/auth/secret_box.py), never in clear.
    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_client_id: str | None = Field(default=None, max_length=255)
    oidc_client_secret: str | None = Field(default=None, max_length=500, repr=False)
    settings: dict = json_field(dict)  # cadence per tier, targets, auto re-send, reminders
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    """A person: buyer staff (organisation_id set) or a vendor contact (memberships in VendorContact)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(320), unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    role: Role = enum_field(Role.procurement)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_subject: str | None = Field(default=None, max_length=255, index=True)
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled: bool = False
    totp_last_step: int | None = None  # the last accepted TOTP time step: a code works once
    recovery_code_hashes: list[str] = json_field(list)
    active: bool = True
    session_epoch: int = 0  # bumped by "sign out everywhere": older sessions stop working
    last_login_at: datetime | None = None
    created_at: datetime = created_at_field()


class TokenScope(StrEnum):
    """What an API token may do: read only, or read and write."""

    read = "read"
    write = "write"


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored. It always expires."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    scope: TokenScope = enum_field(TokenScope.read, length=16, loads_as=TokenScope)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A single-use, expiring sign-up link; the token itself is only ever in the email.

    With `vendor_id` it invites a vendor contact; without, a colleague of the organisation.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    email: str = Field(sa_type=String(320), index=True)
    name: str | None = Field(default=None, max_length=200)
    role: Role = enum_field(Role.vendor_contact)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor_id: int | None = Field(default=None, foreign_key="vendor.id", index=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime = created_at_field()


class PasswordReset(SQLModel, table=True):
    """A single-use, short-lived link to choose a new password; only the token's hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = created_at_field()


class BrowserSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random key, the server its hash. Signing out
    ends the row, so a copy of the cookie stops working too."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = created_at_field()
    ended_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed sign-in counters per account and per address (keys are hashed)."""

    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    failures: int = 0
    window_started_at: datetime = created_at_field()
    blocked_until: datetime | None = None
