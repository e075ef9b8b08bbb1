"""Forged, expired, reused and missing credentials: CSRF tokens, API tokens, session cookies and
invitation links. Each is refused with a clear answer, nothing is stored, the chain verifies."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.invitations import invite_vendor_contact
from app.auth.permissions import has_permission
from app.auth.service import create_api_token
from app.models import ApiToken, Invitation, User, VendorContact, utcnow
from tests.auth.route_ids import Caller
from tests.auth.test_route_permissions import ALL_ROLES, ROUTES, make_tenant, route_needs, url_for
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login

# The streamed evidence upload checks CSRF inside its multipart body: tests/evidence/test_routes.py
WRITES = [
    (m, p)
    for m, p in ROUTES
    if m in ("POST", "PUT", "PATCH", "DELETE") and p != "/vendors/{vendor_id}/evidence"
]
PUBLIC_WRITES = [
    "/login",
    "/login/two-step",
    "/login/sso",
    "/invitations/some-token",
    "/password/forgot",
    "/password/reset/some-token",
]
REFUSED = "did not come from Assay"


def _route(app, method: str, path: str):
    from fastapi.routing import iter_route_contexts

    return next(
        c
        for c in iter_route_contexts(app.routes)
        if getattr(c, "dependant", None) is not None and c.path == path and method in c.methods
    )


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_signed_in_post_without_the_csrf_token_is_refused(
    method, path, app, session, settings, ledger
):
    _, permission = route_needs(_route(app, method, path))
    role = next(r for r in ALL_ROLES if permission is None or has_permission(r, permission))
    tenant = make_tenant(session, "Home")
    url = url_for(path, Caller(session, settings, tenant, tenant.users[role]))
    session.commit()
    with TestClient(app) as client:
        login(client, tenant.users[role].email)
        token = client.headers.pop("X-CSRF-Token")
        ledger.mark()
        for attempt in (
            {},  # no token at all
            {"data": {"csrf_token": "forged-" + token[7:]}},
            {"headers": {"X-CSRF-Token": token[:-1]}},
            {"params": {"csrf_token": token}},  # a token in the URL is not how Assay sends it
        ):
            response = client.request(method, url, follow_redirects=False, **attempt)
            assert response.status_code == 403, (attempt, response.status_code)
            assert REFUSED in response.text
        ledger.assert_unchanged()


@pytest.mark.parametrize("path", PUBLIC_WRITES)
def test_public_posts_need_the_csrf_token_too(path, client, site, ledger):
    client.get("/login")  # a session with a token exists, the form just does not send it
    ledger.mark()
    response = client.post(
        path, data={"email": site.admin.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403 and REFUSED in response.text
    assert "uid" not in _session_of(client)
    ledger.assert_unchanged()


def test_a_csrf_token_from_another_session_is_refused(app, site, ledger):
    with TestClient(app) as mine, TestClient(app) as theirs:
        login(mine, site.procurement.email)
        login(theirs, site.analyst.email)
        mine.headers["X-CSRF-Token"] = theirs.headers["X-CSRF-Token"]
        ledger.mark()
        response = mine.post("/account/tokens", data={"name": "stolen token"})
        assert response.status_code == 403
        ledger.assert_unchanged()


def test_a_bogus_authorization_header_is_no_way_around_csrf(signed_in, site, ledger):
    """verify_csrf lets bearer calls through; a cookie session with a made-up bearer header
    must then be unauthenticated, not signed in without CSRF."""
    client = signed_in(site.procurement)
    client.headers.pop("X-CSRF-Token")
    ledger.mark()
    response = client.post(
        "/account/tokens",
        data={"name": "sneaky"},
        headers={"Authorization": "Bearer nope", "Accept": "application/json"},
    )
    assert response.status_code == 401
    ledger.assert_unchanged()


# --- API tokens -----------------------------------------------------------------------------------


@pytest.fixture
def api_token(session, site) -> tuple[ApiToken, str]:
    token, secret = create_api_token(session=session, user=site.procurement, name="integration")
    session.commit()
    return token, secret


def _api(client: TestClient, authorization: str):
    return client.post(
        "/api/v1/vendors",
        json={
            "legal_name": "Token Test AG",
            "identifier": "529900T8BM49AURSDO55",
            "hq_country": "DE",
        },
        headers={"Authorization": authorization},
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer assay_" + "A" * 43,  # well-formed, never issued
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "bearer\tassay_x",
        "Bearer " + "x" * 8000,
        "Bearer assay_\u00e9\u00e8".encode("latin-1"),  # not ASCII
        "Token {secret}",  # the right secret with the wrong scheme
    ],
)
def test_forged_and_malformed_api_tokens_get_401_problem_json(
    authorization, client, api_token, ledger
):
    _, secret = api_token
    ledger.mark()
    if isinstance(authorization, str):
        authorization = authorization.format(secret=secret)
    response = _api(client, authorization)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not signed in"
    ledger.assert_unchanged()


@pytest.mark.parametrize("how", ["expired", "revoked", "owner deactivated"])
def test_a_token_that_no_longer_works_gets_401_and_changes_nothing(
    how, client, session, api_token, ledger
):
    token, secret = api_token
    assert _api(client, f"Bearer {secret}").status_code == 201  # it worked before
    if how == "expired":
        token.expires_at = utcnow() - timedelta(seconds=1)
    elif how == "revoked":
        token.revoked_at = utcnow()
    else:
        owner = session.get(User, token.user_id)
        owner.active = False
        session.add(owner)
    session.add(token)
    session.commit()
    ledger.mark()
    response = client.get("/api/v1/vendors", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert _api(client, f"Bearer {secret}").status_code == 401
    ledger.assert_unchanged()


# --- session cookies ------------------------------------------------------------------------------


def _session_of(client: TestClient) -> dict:
    raw = client.cookies.get("assay_session")
    if not raw:
        return {}
    payload = raw.split(".")[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def _cookie(data: dict, key: str) -> str:
    signer = itsdangerous.TimestampSigner(key)
    return signer.sign(base64.b64encode(json.dumps(data).encode())).decode()


def test_a_tampered_session_cookie_signs_nobody_in(app, site, settings, ledger):
    with TestClient(app) as client:
        login(client, site.auditor.email)
        data = _session_of(client)
        assert data["uid"] == site.auditor.id
        forged = dict(data, uid=site.admin.id)
        raw = client.cookies["assay_session"]
        payload = base64.b64encode(json.dumps(forged).encode()).decode()
        tampered = payload + raw[raw.index(".") :]  # the old signature on a new payload
        other_key = _cookie(forged, "some-other-secret-key-" + "y" * 32)
        for cookie in (tampered, other_key, "garbage", raw[:-3] + "abc"):
            client.cookies.clear()
            client.cookies["assay_session"] = cookie
            ledger.mark()
            response = client.get("/account", follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith(
                "/login"
            ), cookie
            assert client.post("/account/tokens", data={"name": "x"}).status_code in (303, 403)
            ledger.assert_unchanged()
        # with the real key the same forgery would work: the key is what protects the cookie
        client.cookies.clear()
        client.cookies["assay_session"] = _cookie(forged, settings.secret_key)
        assert client.get("/account").status_code == 200


def test_the_cookie_of_a_deactivated_account_stops_working(app, session, site):
    with TestClient(app) as client:
        login(client, site.analyst.email)
        assert client.get("/account").status_code == 200
        user = session.get(User, site.analyst.id)
        user.active = False
        session.add(user)
        session.commit()
        response = client.get("/account", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


# --- invitation links -----------------------------------------------------------------------------


@pytest.fixture
def invitation_path(session, site) -> str:
    _, url = invite_vendor_contact(
        session=session,
        actor=site.procurement,
        vendor=site.vendor,
        email="new@cobalt.example",
        name="New Contact",
    )
    session.commit()
    return urlsplit(url).path


def _accept(client: TestClient, path: str, password: str = "a brand new passphrase"):
    token = csrf_from(client, path)
    return client.post(
        path,
        data={
            "name": "New",
            "password": password,
            "password_confirm": password,
            "csrf_token": token,
        },
        follow_redirects=False,
    )


def test_a_used_invitation_link_cannot_be_used_again(app, engine, invitation_path, ledger):
    with TestClient(app) as first:
        assert _accept(first, invitation_path).status_code == 303
    ledger.mark()
    with TestClient(app) as second:
        page = second.get(invitation_path)
        assert page.status_code == 410 and "already been used" in page.text
        token = csrf_from(second, "/login")
        again = second.post(
            invitation_path,
            data={
                "password": "another passphrase!",
                "password_confirm": "another passphrase!",
                "csrf_token": token,
            },
        )
        assert again.status_code == 410
    ledger.assert_unchanged()


def test_one_invitation_link_used_twice_at_once_makes_one_account(app, engine, invitation_path):
    """The claim is a conditional update: two browsers racing on one link cannot both win."""
    clients = [TestClient(app) for _ in range(4)]
    for c in clients:
        c.__enter__()
    tokens = [csrf_from(c, invitation_path) for c in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def race(client: TestClient, token: str) -> None:
        start.wait()
        response = client.post(
            invitation_path,
            data={
                "name": "Racer",
                "password": "a brand new passphrase",
                "password_confirm": "a brand new passphrase",
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=race, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.__exit__(None, None, None)
    assert sorted(statuses) == [303] + [410] * (len(clients) - 1), statuses
    with Session(engine) as check:
        assert len(check.exec(select(User).where(User.email == "new@cobalt.example")).all()) == 1
        assert check.exec(select(Invitation)).one().used_at is not None
        contacts = check.exec(
            select(VendorContact).where(VendorContact.email == "new@cobalt.example")
        ).all()
        assert len(contacts) == 1
    from tests.security.conftest import audit_problems

    assert audit_problems(engine) == []


@pytest.mark.parametrize("token", ["A" * 43, "%00", "x" * 5000, "\u00e9" * 10])
def test_forged_invitation_links_get_a_clear_page(token, client, ledger):
    ledger.mark()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 404 and "not valid" in response.text
    ledger.assert_unchanged()


def test_an_expired_link_is_refused_on_post_too(client, session, invitation_path, ledger):
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.add(invitation)
    session.commit()
    ledger.mark()
    token = csrf_from(client, "/login")
    response = client.post(
        invitation_path,
        data={
            "password": "a brand new passphrase",
            "password_confirm": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert response.status_code == 410 and "expired" in response.text
    ledger.assert_unchanged()


def test_roles_cannot_be_chosen_beyond_the_vendor_side(signed_in, site, ledger):
    """An invitation form posted with role=admin must not mint a buyer administrator."""
    client = signed_in(site.vendor_admin)
    ledger.mark()
    for role in ("admin", "procurement", "auditor"):
        response = client.post(
            "/vendor-team/invite",
            data={"vendor_id": str(site.vendor.id), "email": f"{role}@x.example", "role": role},
        )
        assert response.status_code == 422, role
    ledger.assert_unchanged()
