"""API tokens: created in the browser, shown once, stored hashed, revocable, scoped to the user."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth import sessions
from app.auth.service import create_api_token
from app.models import ApiToken, Role, TokenScope, Vendor, utcnow
from tests.factories import PASSWORD, make_org, make_user, make_vendor
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


def test_a_stored_token_gives_back_its_scope_as_the_enum(session):
    """The column is text; the row holds the member, so dumping it is what the model declares
    (a bare string made Pydantic warn, an error under the suite's warning filters)."""
    user = make_user(session, make_org(session), Role.auditor)
    create_api_token(session=session, user=user, name="reports", scope=TokenScope.read)
    session.commit()
    session.expire_all()
    stored = session.exec(select(ApiToken)).one()
    assert type(stored.scope) is TokenScope and stored.scope is TokenScope.read
    assert stored.model_dump()["scope"] is TokenScope.read


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


# --- scope, expiry, re-authentication, and the end of a token -------------------------------------


def _create(client, **fields):
    data = {"name": "integration", "scope": "read", "days": "90"} | fields
    return client.post("/account/tokens", data=data)


def _secret(page) -> str:
    return re.search(r'data-testid="new-token">([^<]+)<', page.text).group(1)


def test_a_read_token_reads_and_gets_403_on_writes(client, session):
    user = make_user(session, make_org(session), Role.procurement)
    session.commit()
    login(client, user.email)
    page = _create(client)
    assert page.status_code == 200 and "Read only" in page.text
    api = {"Authorization": f"Bearer {_secret(page)}", "Accept": "application/json"}
    client.cookies.clear()
    assert client.get("/api/v1/vendors", headers=api).status_code == 200
    refused = client.post("/api/v1/vendors", json={"legal_name": "Nope Ltd"}, headers=api)
    assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    assert session.exec(select(Vendor)).all() == []  # nothing changed

    client.headers.pop("X-CSRF-Token")
    login(client, user.email)
    writer = _create(client, name="writer", scope="write")
    api = {"Authorization": f"Bearer {_secret(writer)}", "Accept": "application/json"}
    client.cookies.clear()
    allowed = client.post("/api/v1/vendors", json={"legal_name": "Yes Ltd"}, headers=api)
    assert allowed.status_code == 422  # past the scope check, refused by the body's validation


def test_tokens_expire_by_default_in_90_days_and_at_most_in_a_year(client, session):
    user = make_user(session, make_org(session), Role.auditor)
    session.commit()
    login(client, user.email)
    _create(client)
    token = session.exec(select(ApiToken)).one()
    assert timedelta(days=89) < token.expires_at - utcnow() <= timedelta(days=90)
    too_long = _create(client, name="forever", days="400")
    assert too_long.status_code == 422
    assert len(session.exec(select(ApiToken)).all()) == 1


def test_an_expired_token_gets_401(client, session):
    user = make_user(session, make_org(session), Role.auditor)
    token, secret = create_api_token(session=session, user=user, name="old", days=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    response = client.get("/api/v1/vendors", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_creating_a_token_long_after_sign_in_needs_the_password(client, session, monkeypatch):
    user = make_user(session, make_org(session), Role.risk_analyst)
    session.commit()
    login(client, user.email)
    later = sessions.time.time() + 10 * 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    page = client.get("/account")
    assert "Your password" in page.text
    refused = _create(client)
    assert refused.status_code == 422 and "password is not correct" in refused.text
    wrong = _create(client, password="not my password")
    assert wrong.status_code == 422
    assert session.exec(select(ApiToken)).all() == []
    assert _create(client, password=PASSWORD).status_code == 200
    session.commit()  # end the test session's read snapshot
    assert len(session.exec(select(ApiToken)).all()) == 1


def test_a_deactivated_user_s_token_stays_dead_after_reactivation(app, client, session):
    org = make_org(session)
    admin = make_user(session, org, Role.admin)
    analyst = make_user(session, org, Role.risk_analyst)
    _, secret = create_api_token(session=session, user=analyst, name="script")
    session.commit()
    api = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    with TestClient(app) as robot:
        assert robot.get("/api/v1/vendors", headers=api).status_code == 200
        login(client, admin.email)
        off = {"role": "risk_analyst"}  # unticked "active"
        assert client.post(f"/settings/people/{analyst.id}", data=off).status_code == 200
        assert robot.get("/api/v1/vendors", headers=api).status_code == 401
        on = {"role": "risk_analyst", "active": "yes"}
        assert client.post(f"/settings/people/{analyst.id}", data=on).status_code == 200
        assert robot.get("/api/v1/vendors", headers=api).status_code == 401  # for good


def test_sign_out_everywhere_revokes_tokens(client, session):
    user = make_user(session, make_org(session), Role.auditor)
    _, secret = create_api_token(session=session, user=user, name="script")
    session.commit()
    login(client, user.email)
    response = client.post("/account/sign-out-everywhere", follow_redirects=False)
    assert response.status_code == 303, response.text
    client.cookies.clear()
    api = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    assert client.get("/account", headers=api).status_code == 401
