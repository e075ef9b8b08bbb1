"""Journey 0: each kind of user signs in and lands on their own home page."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.factories import PASSWORD, make_org, make_user


def test_buyer_signs_in_and_out(page, live_server, session, shoot):
    org = make_org(session, "Harbour Bank")
    user = make_user(session, org, Role.procurement, email="paul@harbour.example")
    session.commit()
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/login?next=/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    shoot("login")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name=f"Welcome, {user.name}")).to_be_visible()
    shoot("home")
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.reload()
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_wrong_password_shows_a_clear_message(page, live_server, session):
    org = make_org(session)
    make_user(session, org, email="rita@harbour.example")
    session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill("rita@harbour.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
