"""Passwords: the policy, changing one, and resetting a forgotten one through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth import throttle
from app.auth.passwords import password_problem, verify_password
from app.auth.service import create_api_token
from app.cli import main
from app.models import ApiToken, OutboxEmail, PasswordReset, Role, User, utcnow
from app.notifications.sender import send_pending
from tests.auth.conftest import body_of
from tests.factories import PASSWORD, make_org, make_user, make_vendor, make_vendor_user
from tests.helpers import csrf_from, login

NEW = "juniper orbit paddle"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "at least 12"),
        ("aaaaaaaaaaaa", "easy to guess"),
        ("password1234", "easy to guess"),
        ("qwertyuiop123", "easy to guess"),
        ("1q2w3e4r5t6y", "easy to guess"),
        ("Vera.Novak-is-here", "email address"),
        ("x" * 257, "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, why):
    problem = password_problem(password, email="vera.novak@cobalt.example")
    assert problem and why in problem


def test_a_few_unrelated_words_pass():
    assert password_problem(NEW, email="vera@cobalt.example") is None


@pytest.fixture
def member(session):
    user = make_user(session, make_org(session), Role.risk_analyst, email="rita@bank.example")
    session.commit()
    return user


def _change(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": new,
            "password_confirm": new if confirm is None else confirm,
        },
        follow_redirects=False,
    )


def test_changing_the_password_ends_other_sessions_and_tokens(app, session, member):
    _, secret = create_api_token(session=session, user=member, name="script")
    session.commit()
    api = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    with TestClient(app) as laptop, TestClient(app) as phone:
        login(laptop, member.email)
        login(phone, member.email)
        assert "Not a common or leaked password" in laptop.get("/account").text  # explained
        assert laptop.get("/account", headers=api).status_code == 200

        response = _change(laptop, PASSWORD, NEW)
        assert response.status_code == 303
        assert laptop.get("/account", follow_redirects=False).status_code == 200  # this one stays
        assert phone.get("/", follow_redirects=False).status_code == 303  # the other ends
        phone.cookies.clear()
        assert phone.get("/account", headers=api).status_code == 401  # the token too
    session.expire_all()
    assert verify_password(NEW, session.get(User, member.id).password_hash)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password!", NEW, None, "current password is not correct"),
        (PASSWORD, "aaaaaaaaaaaa", None, "easy to guess"),
        (PASSWORD, "short", None, "at least 12"),
        (PASSWORD, NEW, NEW + " typo", "differ"),
    ],
)
def test_a_refused_change_changes_nothing(client, session, member, current, new, confirm, message):
    login(client, member.email)
    before = member.password_hash
    response = _change(client, current, new, confirm)
    assert response.status_code == 422 and message in response.text
    assert client.get("/account", follow_redirects=False).status_code == 200  # still signed in
    session.expire_all()
    assert session.get(User, member.id).password_hash == before


# --- forgotten password ---------------------------------------------------------------------------


def deliver(engine, settings, smtp) -> list:
    inbox, port = smtp
    report = send_pending(engine, settings.model_copy(update={"smtp_port": port}))
    assert report.failed == 0 and report.retrying == 0
    return inbox.messages


def ask_for_link(client, email: str):
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": csrf_from(client, "/password/forgot")},
    )


def reset_path(message) -> str:
    url = re.search(r"https?://\S+/password/reset/\S+", body_of(message)).group(0)
    assert url in body_of(message, "html")
    return urlsplit(url).path


def choose(client, path: str, password: str, confirm: str | None = None):
    return client.post(
        path,
        data={
            "password": password,
            "password_confirm": password if confirm is None else confirm,
            "csrf_token": csrf_from(client, path),
        },
        follow_redirects=False,
    )


def sign_in(app, email: str, password: str) -> int:
    with TestClient(app) as browser:
        return browser.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_from(browser)},
            follow_redirects=False,
        ).status_code


@pytest.mark.parametrize("side", ["buyer", "vendor"])
def test_forgot_email_reset_sign_in(app, client, session, engine, settings, smtp, side):
    if side == "buyer":
        user = make_user(session, make_org(session), Role.procurement, email="pat@bank.example")
    else:
        vendor = make_vendor(session, make_org(session), "Cobalt Cloud SE")
        user = make_vendor_user(session, vendor, Role.vendor_contact, email="vic@cobalt.example")
    session.commit()
    assert 'href="/password/forgot"' in client.get("/login").text

    known = ask_for_link(client, user.email.upper())
    unknown = ask_for_link(client, "nobody@bank.example")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(user.email.upper(), "X") == unknown.text.replace(
        "nobody@bank.example", "X"
    )  # the same answer: nothing to enumerate

    [message] = deliver(engine, settings, smtp)
    assert message["To"] == user.email
    path = reset_path(message)
    token = path.rsplit("/", 1)[1]
    stored = session.exec(select(PasswordReset)).one()
    assert stored.token_hash != token and token not in str(stored.model_dump())

    weak = choose(client, path, "aaaaaaaaaaaa")
    assert weak.status_code == 422 and "easy to guess" in weak.text
    assert choose(client, path, NEW).status_code == 303
    assert sign_in(app, user.email, PASSWORD) == 401
    assert sign_in(app, user.email, NEW) == 303

    reused = client.get(path)
    assert reused.status_code == 410 and "already been used" in reused.text
    assert choose_refused(client, path) == 410
    assert sign_in(app, user.email, NEW) == 303  # nothing changed


def test_expired_and_tampered_reset_links_are_refused(client, session, member, settings):
    from app.auth.password_reset import request_reset

    request_reset(session=session, email=member.email, settings=settings, ip=None)
    email = session.exec(select(OutboxEmail)).one()
    path = urlsplit(re.search(r"https?://\S+/password/reset/\S+", email.text_body).group(0)).path
    reset = session.exec(select(PasswordReset)).one()
    assert reset.expires_at - utcnow() <= timedelta(minutes=30)
    session.commit()

    tampered = client.get(path[:-3] + "xyz")
    assert tampered.status_code == 404 and "not valid" in tampered.text
    assert choose_refused(client, path[:-3] + "xyz") == 404

    reset.expires_at = utcnow() - timedelta(seconds=1)
    session.add(reset)
    session.commit()
    expired = client.get(path)
    assert expired.status_code == 410 and "expired" in expired.text
    assert choose_refused(client, path) == 410
    session.expire_all()
    assert session.get(User, member.id).password_hash == member.password_hash


def choose_refused(client, path: str) -> int:
    response = client.post(
        path,
        data={"password": NEW, "password_confirm": NEW, "csrf_token": csrf_from(client)},
        follow_redirects=False,
    )
    return response.status_code


def test_reset_requests_are_throttled_quietly_per_account(client, session, member):
    for _ in range(throttle.RESETS_PER_ACCOUNT + 2):
        assert ask_for_link(client, member.email).status_code == 200
    session.commit()
    assert len(session.exec(select(OutboxEmail)).all()) == throttle.RESETS_PER_ACCOUNT
    # only the newest link works
    live = [r for r in session.exec(select(PasswordReset)).all() if r.expires_at > utcnow()]
    assert len(live) == 1


def test_reset_requests_from_one_address_are_refused_openly(client, session):
    for n in range(throttle.RESETS_PER_ADDRESS):
        ask_for_link(client, f"someone{n}@bank.example")
    response = ask_for_link(client, "one-more@bank.example")
    assert response.status_code == 429 and "Too many" in response.text


def test_a_reset_ends_sessions_and_tokens(app, client, session, member, settings):
    from app.auth.password_reset import request_reset

    token, _ = create_api_token(session=session, user=member, name="script")
    session.commit()
    with TestClient(app) as other:
        login(other, member.email)
        request_reset(session=session, email=member.email, settings=settings, ip=None)
        email = session.exec(select(OutboxEmail)).one()
        session.commit()
        path = urlsplit(re.search(r"https?://\S+/password/reset/\S+", email.text_body)[0]).path
        assert choose(client, path, NEW).status_code == 303
        assert other.get("/", follow_redirects=False).status_code == 303
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is not None


def test_user_create_applies_the_policy(monkeypatch, settings, session, capsys):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    org = make_org(session, slug="acme")
    session.commit()
    assert (
        main(
            [
                "user",
                "create",
                "annabel@bank.example",
                "--org",
                org.slug,
                "--password",
                "aaaaaaaaaaaa",
            ]
        )
        == 1
    )
    assert "easy to guess" in capsys.readouterr().err
    assert (
        main(
            [
                "user",
                "create",
                "annabel@bank.example",
                "--org",
                org.slug,
                "--password",
                "annabel-secret-9",
            ]
        )
        == 1
    )
    assert session.exec(select(User).where(User.email == "annabel@bank.example")).first() is None
