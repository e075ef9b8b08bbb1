"""The sign-in, account and team forms.

Credentials are taken exactly as typed: these forms keep spaces (a password may start or end
with one) and treat only an empty field as not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from app.forms import FormModel
from app.models import BUYER_ROLES, VENDOR_ROLES, Role, TokenScope

Email = Annotated[str, Field(max_length=320)]
Password = Annotated[str, Field(max_length=256)]
Name = Annotated[str, Field(max_length=200)]
OneTimeCode = Annotated[str, Field(max_length=32)]

# What a user reads for each role: the people page, the vendor team and invitation pages.
ROLE_LABELS: dict[Role, str] = {
    Role.admin: "Admin",
    Role.procurement: "Procurement",
    Role.risk_analyst: "Risk analyst",
    Role.auditor: "Auditor",
    Role.vendor_admin: "Vendor admin (manages the team)",
    Role.vendor_contact: "Vendor contact",
}
# The roles each role select offers: a buyer organisation's people, a vendor's contacts.
BUYER_ROLE_OPTIONS = {role: ROLE_LABELS[role] for role in BUYER_ROLES}
TOKEN_SCOPE_OPTIONS = {TokenScope.read: "Read only", TokenScope.write: "Read and write"}
TOKEN_DAYS_OPTIONS = {30: "30 days", 90: "90 days", 180: "180 days", 365: "One year"}
VENDOR_ROLE_OPTIONS = {role: ROLE_LABELS[role] for role in VENDOR_ROLES}


class CredentialsForm(FormModel):
    model_config = ConfigDict(str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        """Only an empty field is not given (then it takes its default, or is missing)."""
        if not isinstance(data, Mapping):
            return data
        return {key: value for key, value in data.items() if value != ""}


class LoginForm(CredentialsForm):
    email: Email
    password: Password
    next: str = "/"


class SsoForm(CredentialsForm):
    identifier: Email = Field(description="An email address (its domain) or organisation slug.")
    next: str = "/"


class CodeForm(CredentialsForm):
    """A one-time code: from the authenticator app, or a recovery code."""

    code: OneTimeCode


class PasswordForm(CredentialsForm):
    password: Password


class InvitationForm(CredentialsForm):
    """New people set a password (twice); people with an account give theirs."""

    password: Password
    name: Name = ""
    password_confirm: Password = ""


class TokenForm(CredentialsForm):
    """A new API token: what uses it, what it may do, how long it lasts; the password again
    unless the user signed in minutes ago."""

    name: Annotated[str, Field(max_length=100)]
    scope: TokenScope = TokenScope.read
    days: int = Field(default=90, ge=1, le=365)
    password: Password = ""


class ForgotPasswordForm(CredentialsForm):
    email: Email


class NewPasswordForm(CredentialsForm):
    """A new password, typed twice (reset link)."""

    password: Password
    password_confirm: Password = ""


class ChangePasswordForm(NewPasswordForm):
    current_password: Password


class InviteForm(CredentialsForm):
    """An invitation to a vendor contact; the role defaults by who invites (see team_routes)."""

    vendor_id: int
    email: Email
    name: Name = ""
    role: Role | None = None
