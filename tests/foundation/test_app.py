"""The web shell: health probes, sign-in, error pages and security headers."""

from __future__ import annotations

from sqlmodel import select

from app.models import AuditEvent, Role
from tests.factories import make_org, make_user
from tests.helpers import csrf_from, login


def test_healthz_reports_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_readyz_is_ready_at_head(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["revision"] == body["head"]


def test_anonymous_page_redirects_to_login(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_sign_in_and_out(client, session):
    org = make_org(session)
    user = make_user(session, org, Role.admin, email="amira@bank.example")
    session.commit()
    login(client, user.email)
    page = client.get("/")
    assert page.status_code == 200 and "Welcome, " + user.name in page.text
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303
    actions = session.exec(select(AuditEvent.action)).all()
    assert "auth.login" in actions


def test_wrong_password_is_refused_without_saying_which_part(client, session):
    org = make_org(session)
    make_user(session, org, email="known@bank.example")
    session.commit()
    token = csrf_from(client)
    known = client.post(
        "/login",
        data={"email": "known@bank.example", "password": "wrong-password", "csrf_token": token},
    )
    unknown = client.post(
        "/login",
        data={"email": "nobody@bank.example", "password": "wrong-password", "csrf_token": token},
    )
    assert known.status_code == unknown.status_code == 401
    assert "do not match an active account" in known.text
    assert "do not match an active account" in unknown.text


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 403
    assert "did not come from Assay" in response.text


def test_open_redirect_after_login_is_ignored(client, session):
    org = make_org(session)
    user = make_user(session, org)
    session.commit()
    token = csrf_from(client)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing here" in response.text and "<nav" in response.text


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_vendored_htmx_is_served_locally(client):
    page = client.get("/login").text
    assert "/static/vendor/htmx-2.0.11.min.js" in page
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert "<script>" not in page  # no inline script anywhere
