"""The organisation's single sign-on (admins): its OIDC provider, client and email domains.

The client secret is sealed before it is stored (`auth/secret_box.py`) and never shown again:
the form says whether one is set, and a blank secret field keeps it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.audit.service import record
from app.auth.secret_box import seal, unseal
from app.auth.service import refusal
from app.models import BUYER_ROLES, Organisation, Role, User
from app.organisation.schemas import SsoSettings, split_domains
from app.organisation.service import get_organisation


def sso_values(org: Organisation, *, server_secret: str) -> dict[str, Any]:
    """The form's values; the secret only as whether one is stored and readable."""
    stored = org.oidc_client_secret
    return {
        "oidc_issuer": org.oidc_issuer,
        "oidc_client_id": org.oidc_client_id,
        "sso_domains": "\n".join(org.sso_domains or []),
        "default_role": str(org.default_role),
        "secret_set": bool(stored),
        "secret_unreadable": bool(stored) and unseal(stored, server_secret=server_secret) is None,
    }


def save_sso(
    *,
    session: Session,
    actor: User,
    data: SsoSettings,
    server_secret: str,
    ip: str | None = None,
) -> Organisation:
    """Store the settings; one `organisation.sso_changed` event naming what changed (never the
    secret itself)."""
    org = get_organisation(session=session, user=actor, lock=True)
    if data.default_role not in {r.value for r in BUYER_ROLES}:
        raise refusal("default_role", "Choose one of the roles of your organisation.")
    domains = split_domains(data.sso_domains)
    if domains:
        others = session.exec(select(Organisation).where(Organisation.id != org.id)).all()
        taken = sorted({d for o in others for d in (o.sso_domains or [])} & set(domains))
        if taken:
            raise refusal(
                "sso_domains", f"{', '.join(taken)} is used for single sign-on elsewhere."
            )
    before = {
        "oidc_issuer": org.oidc_issuer,
        "oidc_client_id": org.oidc_client_id,
        "sso_domains": list(org.sso_domains or []),
        "default_role": str(org.default_role),
    }
    after = {
        "oidc_issuer": data.oidc_issuer,
        "oidc_client_id": data.oidc_client_id,
        "sso_domains": domains,
        "default_role": data.default_role,
    }
    changed = [name for name in after if before[name] != after[name]]
    org.oidc_issuer, org.oidc_client_id = data.oidc_issuer, data.oidc_client_id
    org.sso_domains = domains
    org.default_role = Role(data.default_role)
    if data.oidc_client_secret:
        org.oidc_client_secret = seal(data.oidc_client_secret, server_secret=server_secret)
        changed.append("client_secret")
    elif data.clear_secret and org.oidc_client_secret:
        org.oidc_client_secret = None
        changed.append("client_secret")
    if not changed:
        return org
    session.add(org)
    session.flush()
    record(
        session=session,
        action="organisation.sso_changed",
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        data={
            "changed": changed,
            "before": {k: before[k] for k in changed if k in before},
            "after": {k: after[k] for k in changed if k in after},
        },
        ip=ip,
    )
    return org
