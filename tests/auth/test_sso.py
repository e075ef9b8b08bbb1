"""OIDC single sign-on against a real provider on loopback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlmodel import select

from app.auth.secret_box import seal
from app.models import Role, User
from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.factories import make_org, make_user
from tests.helpers import csrf_from


@pytest.fixture
def sso_org(session, settings, idp):
    org = make_org(
        session,
        name="Harbour Bank",
        slug="harbour",
        sso_domains=["bank.example"],
        default_role=Role.risk_analyst,
        oidc_issuer=idp.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=seal(CLIENT_SECRET, server_secret=settings.resolved_secret_key()),
    )
    session.commit()
    return org


def start_sso(client, identifier: str):
    return client.post(
        "/login/sso",
        data={"identifier": identifier, "csrf_token": csrf_from(client)},
        follow_redirects=False,
    )


def provider_redirect(client, identifier: str = "someone@bank.example") -> str:
    """Start SSO in Assay, let the real provider approve; the callback path Assay gets back."""
    started = start_sso(client, identifier)
    assert started.status_code == 302, started.text
    authorize_url = started.headers["location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    approved = httpx.get(authorize_url, follow_redirects=False)
    assert approved.status_code == 302, approved.text
    callback = urlsplit(approved.headers["location"])
    return f"{callback.path}?{callback.query}"


def test_first_sso_login_provisions_user_with_default_role(client, session, sso_org, idp):
    response = client.get(provider_redirect(client), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    user = session.exec(select(User).where(User.email == "sso.user@bank.example")).one()
    assert user.role == Role.risk_analyst and user.organisation_id == sso_org.id
    assert user.oidc_subject == "idp-1" and user.password_hash is None
    assert "Welcome, Sam Sso" in client.get("/").text

    client.post("/logout", headers={"X-CSRF-Token": csrf_from(client, "/")})
    again = client.get(provider_redirect(client, "harbour"), follow_redirects=False)
    assert again.status_code == 303
    assert len(session.exec(select(User).where(User.organisation_id == sso_org.id)).all()) == 1


def test_wrong_state_is_refused(client, session, sso_org):
    callback = provider_redirect(client)
    path, _, query = callback.partition("?")
    params = {k: v[0] for k, v in parse_qs(query).items()} | {"state": "forged-state"}
    response = client.get(f"{path}?{urlencode(params)}", follow_redirects=False)
    assert response.status_code == 403
    assert "did not complete" in response.text and "Traceback" not in response.text
    assert client.get("/", follow_redirects=False).status_code == 303  # not signed in
    assert session.exec(select(User)).all() == []


def test_wrong_nonce_is_refused(client, session, sso_org, idp):
    idp.nonce_override = "a-nonce-assay-never-sent"
    response = client.get(provider_redirect(client), follow_redirects=False)
    assert response.status_code == 403 and "did not complete" in response.text
    assert session.exec(select(User)).all() == []


def test_expired_code_is_refused(client, session, sso_org, idp):
    idp.code_ttl = -1
    response = client.get(provider_redirect(client), follow_redirects=False)
    assert response.status_code == 403 and "did not complete" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_unknown_email_domain_has_no_sso(client, sso_org):
    response = start_sso(client, "someone@elsewhere.example")
    assert response.status_code == 400
    assert "not set up for that email address" in response.text


def test_identity_from_another_domain_is_refused(client, session, sso_org, idp):
    idp.user = {**idp.user, "email": "intruder@elsewhere.example"}
    response = client.get(provider_redirect(client), follow_redirects=False)
    assert response.status_code == 403
    assert "does not use single sign-on for that email" in response.text
    assert session.exec(select(User)).all() == []


def test_disabled_user_is_refused(client, session, sso_org, idp):
    make_user(session, sso_org, Role.auditor, email="sso.user@bank.example", active=False)
    session.commit()
    response = client.get(provider_redirect(client), follow_redirects=False)
    assert response.status_code == 403 and "disabled" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_existing_local_user_of_the_organisation_is_linked(client, session, sso_org, idp):
    user = make_user(session, sso_org, Role.auditor, email="sso.user@bank.example")
    session.commit()
    assert client.get(provider_redirect(client), follow_redirects=False).status_code == 303
    session.refresh(user)
    assert user.oidc_subject == "idp-1" and user.role == Role.auditor


def test_settings_supply_the_default_provider(session, settings, idp):
    from app.auth.oidc import oidc_config

    org = make_org(session, sso_domains=["bank.example"])
    assert oidc_config(org, settings) is None
    configured = settings.model_copy(
        update={"oidc_issuer": idp.issuer, "oidc_client_id": "x", "oidc_client_secret": "y"}
    )
    assert oidc_config(org, configured).issuer == idp.issuer
