"""Journey 0: each kind of user signs in and lands on their own home page."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import flash
from tests.factories import (
    PASSWORD,
    make_assessment,
    make_org,
    make_user,
    make_vendor,
    make_vendor_user,
)


def test_buyer_signs_in_and_out(page, live_server, session, watch, shoot):
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
    page.reload()
    page.locator("details.dropdown summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(flash(page)).to_have_text("You are signed out.")
    page.goto(live_server + "/vendors")
    expect(page).to_have_url(live_server + "/login?next=/vendors")


def test_vendor_contact_lands_on_their_assessments(page, live_server, session, watch):
    org = make_org(session, "Harbour Bank")
    vendor = make_vendor(session, org, "Nordlicht Analytics GmbH")
    contact = make_vendor_user(session, vendor)
    make_assessment(session, org, vendor, make_user(session, org))
    session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(contact.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("heading", name="My assessments")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Harbour Bank")
    expect(page.get_by_role("link", name="Small test questionnaire")).to_be_visible()
    expect(page.get_by_role("link", name="Vendors")).to_have_count(0)  # no buyer pages


def test_wrong_password_shows_a_clear_message(page, live_server, session, watch):
    org = make_org(session)
    make_user(session, org, email="rita@harbour.example")
    session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill("rita@harbour.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    watch.expect_status(401)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
