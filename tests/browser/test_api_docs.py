"""The API reference draws in the browser from vendored assets, with no CSP violation."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.factories import PASSWORD, make_org, make_user


def test_a_signed_in_user_reads_the_api_reference(page, live_server, session, watch, shoot):
    org = make_org(session, "Harbour Bank")
    user = make_user(session, org, Role.risk_analyst)
    session.commit()
    page.goto(live_server + "/api/docs")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(live_server + "/api/docs")
    expect(page.get_by_text("Update a vendor").first).to_be_visible(timeout=30_000)  # 1.8 MB
    shoot("api-docs", full=False)
