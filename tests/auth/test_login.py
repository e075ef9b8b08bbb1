"""Password sign-in: throttling, the TOTP second factor, sessions, CSRF and headers."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth import sessions, throttle
from app.auth.totp import hash_recovery_code
from app.main import create_app
from app.models import AuditEvent, LoginThrottle, Role, User, utcnow
from tests.factories import PASSWORD, make_org, make_user
from tests.helpers import csrf_from, login


def post_login(client, email: str, password: str):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(client)},
        follow_redirects=False,
    )


@pytest.fixture
def member(session):
    user = make_user(session, make_org(session), Role.procurement, email="member@bank.example")
    session.commit()
    return user


def test_repeated_failures_slow_the_account_down_without_enumeration(client, session, member):
    for _ in range(throttle.PAIR.free_failures):
        assert post_login(client, member.email, "wrong-password!").status_code == 401
    blocked = post_login(client, member.email, PASSWORD)  # even the right password waits
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.text

    for _ in range(throttle.PAIR.free_failures):
        post_login(client, "nobody@bank.example", "wrong-password!")
    unknown = post_login(client, "nobody@bank.example", "wrong-password!")
    assert unknown.status_code == 429 and unknown.text.count("Too many") == 1

    keys = session.exec(select(LoginThrottle.key)).all()
    assert keys and all(member.email not in k and "nobody" not in k for k in keys)


def test_an_address_is_slowed_down_across_accounts(client, session):
    for n in range(throttle.ADDRESS.free_failures):
        post_login(client, f"guess{n}@bank.example", "wrong-password!")
    response = post_login(client, "another@bank.example", "wrong-password!")
    assert response.status_code == 429


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(app, session, member):
    """Failures from one address slow that address down; the owner, elsewhere, signs in."""
    with TestClient(app, client=("203.0.113.9", 4000)) as stranger:
        for _ in range(throttle.PAIR.free_failures + 3):
            post_login(stranger, member.email, "wrong-password!")
        assert post_login(stranger, member.email, PASSWORD).status_code == 429
    with TestClient(app, client=("198.51.100.20", 4000)) as owner:
        assert post_login(owner, member.email, PASSWORD).status_code == 303


def test_many_addresses_guessing_one_account_slow_it_for_a_minute_at_most(session, member):
    for n in range(throttle.ACCOUNT.free_failures * 4):
        throttle.record_failure(session=session, email=member.email, ip=f"192.0.2.{n}")
    session.commit()
    row = session.exec(
        select(LoginThrottle).where(LoginThrottle.key == throttle.account_key(member.email))
    ).one()
    blocked_until = row.blocked_until.replace(tzinfo=None) if row.blocked_until else None
    assert blocked_until is not None
    wait = blocked_until - utcnow().replace(tzinfo=None)
    assert timedelta(0) < wait <= throttle.ACCOUNT.max_delay  # a back-off, never a lock
    assert throttle.is_blocked(session=session, email=member.email, ip="198.51.100.20")


def test_success_clears_the_account_counter(client, session, member):
    post_login(client, member.email, "wrong-password!")
    assert post_login(client, member.email, PASSWORD).status_code == 303
    assert (
        session.exec(
            select(LoginThrottle).where(LoginThrottle.key == throttle.account_key(member.email))
        ).first()
        is None
    )


def test_the_client_address_comes_from_trusted_proxies_only(settings, engine, session, member):
    """Behind a proxy in ASSAY_TRUSTED_PROXIES the forwarded address is the client's; from
    anyone else the header is ignored (every user would otherwise share the proxy's bucket,
    or anyone could pick their own)."""
    app = create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}), engine)
    app.state.migrate_on_start = False
    forwarded = {"X-Forwarded-For": "203.0.113.50"}
    with TestClient(app, client=("10.1.2.3", 5000)) as via_proxy:
        via_proxy.post(
            "/login",
            data={"email": member.email, "password": "wrong!", "csrf_token": csrf_from(via_proxy)},
            headers=forwarded,
        )
    with TestClient(app, client=("198.51.100.7", 5000)) as direct:
        direct.post(
            "/login",
            data={"email": member.email, "password": "wrong!", "csrf_token": csrf_from(direct)},
            headers=forwarded,
        )
    session.commit()
    ips = session.exec(select(AuditEvent.ip).where(AuditEvent.action == "auth.login_failed")).all()
    assert sorted(ips) == ["198.51.100.7", "203.0.113.50"]


def enrol_totp(client, session, user) -> tuple[str, list[str]]:
    login(client, user.email)
    page = client.post("/account/two-step/start")
    assert page.status_code == 200 and "<svg" in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script (CSP)
    secret = re.search(r"by hand: <code>([A-Z2-7]+)</code>", page.text).group(1)
    wrong = client.post("/account/two-step/confirm", data={"code": "000000"})
    assert wrong.status_code == 422 and "not valid" in wrong.text
    confirmed = client.post("/account/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", confirmed.text)
    assert len(codes) == 10
    session.refresh(user)
    assert user.totp_enabled and codes[0] not in str(user.recovery_code_hashes)
    assert hash_recovery_code(codes[0]) in user.recovery_code_hashes
    client.post("/logout")
    client.headers.pop("X-CSRF-Token")  # the session it belonged to is gone
    return secret, codes


def test_totp_enrolment_and_sign_in(client, session, member):
    secret, codes = enrol_totp(client, session, member)
    response = post_login(client, member.email, PASSWORD)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/login/two-step"
    assert client.get("/", follow_redirects=False).status_code == 303  # not signed in yet
    token = csrf_from(client, "/login/two-step")
    bad = client.post("/login/two-step", data={"code": "123456", "csrf_token": token})
    assert bad.status_code == 401 and "not valid" in bad.text
    code = pyotp.TOTP(secret).at(time.time() + 30)  # enrolment used the current step
    good = client.post(
        "/login/two-step", data={"code": code, "csrf_token": token}, follow_redirects=False
    )
    assert good.status_code == 303
    assert client.get("/").status_code == 200

    # the same code cannot be replayed; a recovery code works exactly once
    client.post("/logout", headers={"X-CSRF-Token": csrf_from(client, "/")})
    post_login(client, member.email, PASSWORD)
    token = csrf_from(client, "/login/two-step")
    assert (
        client.post("/login/two-step", data={"code": code, "csrf_token": token}).status_code == 401
    )
    ok = client.post(
        "/login/two-step", data={"code": codes[0], "csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303
    session.commit()  # end the test session's read snapshot
    session.refresh(member)
    assert len(member.recovery_code_hashes) == 9


def test_idle_and_absolute_timeouts(client, session, member, monkeypatch, settings):
    login(client, member.email)
    start = sessions.time.time()
    assert client.get("/").status_code == 200
    monkeypatch.setattr(
        sessions.time, "time", lambda: start + settings.session_idle_minutes * 60 + 5
    )
    assert client.get("/", follow_redirects=False).status_code == 303

    monkeypatch.undo()
    client.headers.pop("X-CSRF-Token")
    login(client, member.email)
    start = sessions.time.time()
    clock = {"now": start}
    monkeypatch.setattr(sessions.time, "time", lambda: clock["now"])
    # active every 30 minutes: never idle, but the absolute limit still ends the session
    while clock["now"] < start + settings.session_absolute_hours * 3600 - 1800:
        clock["now"] += 1800
        assert client.get("/", follow_redirects=False).status_code == 200
    clock["now"] = start + settings.session_absolute_hours * 3600 + 5
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_everywhere_ends_other_sessions(app, session, member):
    with TestClient(app) as laptop, TestClient(app) as phone:
        login(laptop, member.email)
        login(phone, member.email)
        page = laptop.get("/account")
        assert "Sign out everywhere" in page.text
        assert (
            laptop.post("/account/sign-out-everywhere", follow_redirects=False).status_code == 303
        )
        assert phone.get("/", follow_redirects=False).status_code == 303
        assert laptop.get("/", follow_redirects=False).status_code == 303
    session.refresh(member)
    assert member.session_epoch == 1


def test_csrf_by_htmx_header_and_by_form_field(client, session, member):
    login(client, member.email)
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert (
        client.post("/account/tokens", data={"name": "x", "csrf_token": "forged"}).status_code
        == 403
    )
    assert (
        client.post(
            "/account/tokens", data={"name": "form"}, headers={"X-CSRF-Token": "bad"}
        ).status_code
        == 403
    )
    assert (
        client.post("/account/tokens", data={"name": "form", "csrf_token": token}).status_code
        == 200
    )
    htmx = client.post(
        "/account/tokens",
        data={"name": "htmx"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert htmx.status_code == 200


def test_cookie_and_hsts_behind_https(settings, engine, session, member):
    app = create_app(settings.model_copy(update={"base_url": "https://assay.example"}), engine)
    app.state.migrate_on_start = False
    with TestClient(app, base_url="https://assay.example") as client:
        response = post_login(client, member.email, PASSWORD)
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_no_hsts_or_secure_cookie_on_plain_http(client, member):
    response = post_login(client, member.email, PASSWORD)
    assert "strict-transport-security" not in response.headers
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" not in cookie


def test_session_is_rotated_at_login(client, member):
    client.get("/login")
    before = client.cookies.get("assay_session")
    post_login(client, member.email, PASSWORD)
    assert client.cookies.get("assay_session") != before


def test_disabled_user_cannot_sign_in(client, session, member):
    member.active = False
    session.add(member)
    session.commit()
    assert post_login(client, member.email, PASSWORD).status_code == 401
    assert session.exec(select(User).where(User.id == member.id)).one().last_login_at is None


def test_a_cookie_copied_before_sign_out_no_longer_works(app, session, member):
    with TestClient(app) as browser, TestClient(app) as thief:
        login(browser, member.email)
        thief.cookies.update(browser.cookies)  # a copy taken while signed in
        assert thief.get("/account", follow_redirects=False).status_code == 200
        assert browser.post("/logout", follow_redirects=False).status_code == 303
        assert thief.get("/account", follow_redirects=False).status_code == 303
        assert browser.get("/account", follow_redirects=False).status_code == 303
        browser.headers.pop("X-CSRF-Token")
        login(browser, member.email)  # signing in again works
        assert browser.get("/account", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        "/\nSet-Cookie: x=1",
        "/a\r\nb",
        "//evil.example",
        "/\\evil",
        "/a\x00b",
        "https://evil.example/",
    ],
)
def test_next_takes_only_a_same_site_path_without_control_characters(client, member, bad):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(
            "/login",
            data={
                "email": member.email,
                "password": PASSWORD,
                "next": bad,
                "csrf_token": csrf_from(client),
            },
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code in (200, 303), response.text
        target = response.headers.get("hx-redirect") or response.headers["location"]
        assert target == "/"
        client.post("/logout", headers={"X-CSRF-Token": csrf_from(client, "/")})
    page = client.get("/login", params={"next": bad})
    assert page.status_code == 200 and 'name="next" value="/"' in page.text
