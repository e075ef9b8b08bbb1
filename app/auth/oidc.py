"""OIDC single sign-on for buyer organisations (Authlib's Starlette client).

Each organisation may set its own issuer and client; the ASSAY_OIDC_* settings fill the gaps.
Authlib checks state (kept in the signed session), PKCE, the nonce, issuer, audience and expiry of
the ID token; this module maps the verified email to the organisation and provisions the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from sqlalchemy import func
from sqlmodel import Session, select

from app.audit.service import record
from app.auth.secret_box import unseal
from app.auth.service import normalise_email
from app.config import Settings
from app.errors import DomainError
from app.models import BUYER_ROLES, Organisation, Role, User, utcnow


class SsoRefused(DomainError):
    status_code = 403
    title = "Single sign-on did not work"


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def oidc_config(org: Organisation, settings: Settings) -> OidcConfig | None:
    """The organisation's provider, its stored secret unsealed; None when incomplete."""
    issuer = org.oidc_issuer or settings.oidc_issuer
    client_id = org.oidc_client_id or settings.oidc_client_id
    own_secret = unseal(org.oidc_client_secret, server_secret=settings.resolved_secret_key())
    secret = own_secret or settings.oidc_client_secret
    if not (issuer and client_id and secret and org.sso_domains):
        return None
    return OidcConfig(issuer=issuer, client_id=client_id, client_secret=secret)


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def find_sso_organisation(*, session: Session, identifier: str) -> Organisation | None:
    """The organisation for an email (by its domain) or an organisation slug."""
    identifier = identifier.strip().lower()
    if "@" not in identifier:
        return session.exec(select(Organisation).where(Organisation.slug == identifier)).first()
    domain = email_domain(identifier)
    for org in session.exec(select(Organisation)):
        if domain in {d.lower() for d in org.sso_domains}:
            return org
    return None


_clients: dict[tuple[int, OidcConfig], StarletteOAuth2App] = {}


def client_for(org: Organisation, config: OidcConfig) -> StarletteOAuth2App:
    """One Authlib client per organisation and configuration (it caches discovery and JWKS)."""
    key = (org.id or 0, config)
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name=f"org{org.id}",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.metadata_url,
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
    return _clients[key]


def sso_user(
    *, session: Session, org: Organisation, issuer: str, claims: dict, ip: str | None
) -> User:
    """The verified identity's user in `org`, provisioned with the default role on first login."""
    email = normalise_email(str(claims.get("email") or ""))
    subject = str(claims.get("sub") or "")
    if not email or not subject:
        raise SsoRefused("Your identity provider did not share your email address.")
    if claims.get("email_verified") is False:
        raise SsoRefused("Your identity provider has not verified your email address.")
    if email_domain(email) not in {d.lower() for d in org.sso_domains}:
        raise SsoRefused(f"{org.name} does not use single sign-on for that email address.")
    user = (
        session.exec(
            select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
        ).first()
        or session.exec(select(User).where(func.lower(User.email) == email)).first()
    )
    if user is not None and user.organisation_id != org.id:
        raise SsoRefused("That account belongs elsewhere. Sign in with your password instead.")
    if user is not None and not user.active:
        raise SsoRefused("Your Assay account is disabled. Ask your Assay administrator.")
    if user is None:
        role = Role(org.default_role)
        user = User(
            email=email,
            name=str(claims.get("name") or email.split("@")[0])[:200],
            role=role if role in BUYER_ROLES else Role.procurement,
            organisation_id=org.id,
        )
        session.add(user)
        session.flush()
        record(
            session=session,
            action="user.created",
            actor=user,
            object_type="user",
            object_id=user.id,
            data={"email": email, "role": Role(user.role).value, "via": "sso"},
            ip=ip,
        )
    user.oidc_issuer, user.oidc_subject = issuer, subject
    user.last_login_at = utcnow()
    session.add(user)
    record(
        session=session,
        action="auth.login",
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"via": "sso"},
        ip=ip,
    )
    return user
