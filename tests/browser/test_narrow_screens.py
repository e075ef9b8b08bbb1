"""On a 390 px phone: the register, a review page and the vendor's questionnaire fit the screen
(wide tables scroll inside their own box; a table question's rows stack), the navigation folds behind a Menu button, the active
link says aria-current="page", and a skip link leads to the content."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from app.assessments.review import take_action
from app.assessments.sending import send_questionnaire
from app.portal.submission import submit as submit_assessment
from tests.browser.answers import card
from tests.browser.conftest import sign_in
from tests.browser.story import (
    CONTACT_NAME,
    SIGNER_TITLE,
    answer_with_services,
    completed_assessment,
)

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# The elements that stick out past the screen, outside any box that scrolls on its own.
WIDE_ELEMENTS = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
    && !e.parentElement.closest("table, .table-scroll, pre"))
  .slice(0, 10).map(e => `${e.tagName.toLowerCase()}.${e.className}`)"""


def assert_fits(page: Page, what: str) -> None:
    width = page_width(page)
    assert width <= PHONE["width"], (
        f"{what} is {width} px wide on a {PHONE['width']} px screen: {page.evaluate(WIDE_ELEMENTS)}"
    )


def test_register_review_and_questionnaire_fit_a_phone(
    page, live_server, session, settings, shoot, person
):
    # Last year's assessment is complete (the register has a score); this year's is answered.
    buyer, vendor, _, contact = completed_assessment(session, settings)
    current = send_questionnaire(
        session=session,
        actor=buyer.procurement,
        vendor_ids=[vendor.id],
        questionnaire_id=buyer.questionnaire.id,
        due_date=date.today() + timedelta(days=30),
        message=None,
        settings=settings,
    ).assessments[0]
    answer_with_services(session, current, contact, settings)
    session.commit()

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, buyer.analyst.email)

    # The register: the navigation is folded, the active link is marked, the table scrolls inside.
    page.goto(live_server + "/register")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    register_link = page.get_by_role("link", name="Register", exact=True)
    expect(register_link).to_be_hidden()
    row = page.locator(f"tr#vendor-{vendor.id}")
    expect(row.locator(".badge.risk-tier")).to_contain_text("Tier")
    expect(row.locator(".badge.risk-residual")).to_contain_text("Residual")
    assert_fits(page, "the register")
    shoot("register", full=False)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(register_link).to_be_visible()
    expect(register_link).to_have_attribute("aria-current", "page")
    expect(page.locator("header.site [aria-current]")).to_have_count(1)  # not "Findings" too
    assert_fits(page, "the register with the menu open")
    shoot("register-menu-open", full=False)
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    # The skip link is the first thing a keyboard reaches, and it leads to the content.
    page.goto(live_server + "/register/findings")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server + "/register/findings#content")
    expect(page.locator("main#content")).to_be_focused()
    expect(page.locator('header.site a[aria-current="page"]')).to_have_text("Findings")

    # The vendor answers this year's questionnaire on a phone.
    vendor_page = person(contact.email)
    vendor_page.set_viewport_size(PHONE)
    vendor_page.goto(
        f"{live_server}/portal/assessments/{current.id}/sections/policy"
    )  # one section a page
    question = card(vendor_page, "policy.ai_policy")
    expect(question.locator(".question-help")).to_contain_text("approved the policy")
    question.get_by_text("Examples of acceptable evidence").click()
    expect(question.locator("details.evidence-examples")).to_contain_text("Level 3")
    assert_fits(vendor_page, "the vendor's questionnaire")
    shoot("questionnaire", of=vendor_page, at=question)
    expect(vendor_page.locator('header.site a[aria-current="page"]')).to_have_count(1)
    vendor_page.goto(f"{live_server}/portal/assessments/{current.id}/sections/scope")
    group = card(vendor_page, "scope.ai_systems")
    assert_fits(vendor_page, "the vendor's table question")
    # A table question stacks on a phone: no sideways scrolling, each field under the last,
    # each with its label.
    table = group.locator("table.group-rows")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), "the table scrolls sideways"
    cells = group.locator("table.group-rows tbody tr").first.locator("td[data-label]")
    assert cells.count() >= 2
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1, "the row's fields sit side by side"
    assert first["x"] + first["width"] <= PHONE["width"]
    label = cells.nth(0).evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == cells.nth(0).get_attribute("data-label")
    shoot("questionnaire-group-question", of=vendor_page, at=group)

    # The analyst reviews it on a phone, with the review forms on every card.
    submit_assessment(
        session=session,
        actor=contact,
        assessment=current,
        name=CONTACT_NAME,
        title=SIGNER_TITLE,
        confirmed=True,
    )
    take_action(
        session=session,
        actor=buyer.analyst,
        assessment=current,
        action="begin_review",
        reason=None,
        settings=settings,
    )
    session.commit()
    page.goto(f"{live_server}/assessments/{current.id}")
    answer = page.locator('article[id="q-policy.ai_policy"]')
    expect(answer.get_by_role("button", name="Ask", exact=True)).to_be_visible()
    assert_fits(page, "the review page")
    shoot("review", at=answer)
    expect(page.locator('header.site a[aria-current="page"]')).to_have_attribute(
        "href", "/assessments"
    )
