"""The navigation an administrator sees (the longest: every buyer link, Invite vendors and the
settings) stays one row on a 1280 px laptop screen, and folds behind Menu on a 390 px phone
without scrolling sideways."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.models import Role
from tests.browser.conftest import sign_in
from tests.factories import make_org, make_user

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def middle(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"] + box["height"] / 2


def test_admin_navigation_is_one_row_on_a_laptop_and_folds_on_a_phone(
    page, live_server, session, shoot
):
    org = make_org(session, "Harbour Bank")
    admin = make_user(session, org, Role.admin)
    admin.name = "Amira Haddad"  # the demo administrator
    session.add(admin)
    session.commit()

    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, admin.email)
    page.goto(live_server + "/vendors")
    row = middle(page, "header.site a.brand")
    for item in ('header.site a[href="/dashboard"]', "header.site details.dropdown summary"):
        assert abs(middle(page, item) - row) < 2, f"{item} is not on the navigation's row"
    menu = page.locator("header.site details.dropdown summary").bounding_box()
    assert menu["x"] + menu["width"] <= LAPTOP["width"], "the user menu runs off the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    shoot("laptop", full=False)

    # The audit trail waits in the menu under the administrator's name, with the settings.
    expect(page.locator("header.site .site-menu > li > a", has_text="Audit trail")).to_have_count(0)
    page.locator("header.site details.dropdown summary").click()
    shoot("laptop-menu-open", full=False)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("#chain-status")).to_be_visible()
    page.locator("header.site details.dropdown summary").click()
    expect(page.locator('header.site a[aria-current="page"]')).to_have_text("Audit trail")

    # On a phone the same navigation folds behind Menu and nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/vendors")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Invite vendors")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot("phone-menu-open", full=False)
