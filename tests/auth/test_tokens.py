"""API tokens: created in the browser, shown once, stored hashed, revocable, scoped to the user."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlmodel import select

from app.auth.service import create_api_token
from app.models import ApiToken, Role, utcnow
from tests.factories import make_org, make_user, make_vendor
from tests.helpers import login


def test_token_is_shown_once_stored_hashed_and_revocable(client, session):
    user = make_user(session, make_org(session), Role.risk_analyst)
    session.commit()
    login(client, user.email)
    page = client.post("/account/tokens", data={"name": "GRC sync"})
    secret = re.search(r'data-testid="new-token">([^<]+)<', page.text).group(1)
    assert secret.startswith("assay_")
    again = client.get("/account").text
    assert secret not in again and "GRC sync" in again and secret[:12] in again

    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored.model_dump())

    api = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    assert client.get("/account", headers=api).status_code == 200
    assert client.post("/account/tokens", data={"name": "x"}, headers=api).status_code == 403

    client.post(f"/account/tokens/{stored.id}/revoke")
    client.cookies.clear()
    assert client.get("/account", headers=api).status_code == 401


def test_token_acts_with_its_owners_role_and_tenant(client, session):
    org = make_org(session)
    auditor = make_user(session, org, Role.auditor)
    _, secret = create_api_token(session=session, user=auditor, name="reports")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    assert client.get("/vendor-invitations", headers=api).status_code == 403  # role
    other_vendor = make_vendor(session, make_org(session), "Rival Ltd")
    session.commit()
    response = client.get(f"/vendors/{other_vendor.id}/evidence", headers=api)
    assert response.status_code == 404 and "Rival" not in response.text  # tenant


def test_last_used_is_written_at_most_every_five_minutes(client, session):
    user = make_user(session, make_org(session), Role.auditor)
    token, secret = create_api_token(session=session, user=user, name="poller")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    client.get("/account", headers=api)
    session.commit()
    session.refresh(token)
    first = token.last_used_at
    assert first is not None
    client.get("/account", headers=api)
    session.commit()
    session.refresh(token)
    assert token.last_used_at == first

    token.last_used_at = utcnow() - timedelta(minutes=6)
    session.add(token)
    session.commit()
    client.get("/account", headers=api)
    session.commit()
    session.refresh(token)
    assert token.last_used_at > first


def test_a_first_token_use_on_a_route_that_writes_succeeds(client, session):
    """A GET that writes (an export records an audit event) with a token not used for 5 minutes:
    recording the token's use must not compete with the route's own write transaction."""
    user = make_user(session, make_org(session), Role.risk_analyst)
    token, secret = create_api_token(session=session, user=user, name="exporter")
    session.commit()
    response = client.get("/api/v1/register.xlsx", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    session.refresh(token)
    assert token.last_used_at is not None


def test_revoking_someone_elses_token_is_not_found(client, session):
    org = make_org(session)
    owner = make_user(session, org, Role.admin)
    token, _ = create_api_token(session=session, user=owner, name="theirs")
    other = make_user(session, org, Role.admin)
    session.commit()
    login(client, other.email)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    session.commit()
    session.refresh(token)
    assert token.revoked_at is None
