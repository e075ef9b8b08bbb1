"""Journey 6: an admin invites a colleague, who accepts from the email and signs in; later the
colleague forgets the password, resets it from the email, and signs in with the new one."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import flash
from tests.factories import PASSWORD, make_org, make_user

FIRST = "lantern copper meadow"
SECOND = "harbour violet compass"


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page) -> None:
    page.locator("details.dropdown summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(flash(page)).to_have_text("You are signed out.")


def test_invite_accept_sign_in_then_forgot_reset_sign_in(
    page, live_server, session, mail, shoot, watch
):
    watch.expect_status(422)  # the weak password, refused on purpose
    watch.expect_status(401)  # the old password, after the reset
    org = make_org(session, "Harbour Bank")
    admin = make_user(session, org, Role.admin, email="ada@harbour.example")
    session.commit()

    # the admin invites a colleague from Settings → People
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(live_server + "/settings/people")
    page.locator("#invite-name").fill("Nina Berg")
    page.locator("#invite-email").fill("nina@harbour.example")
    page.locator("#invite-role").select_option("risk_analyst")
    shoot("people-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(flash(page)).to_have_text("Invitation sent to nina@harbour.example.")
    expect(page.locator("#pending-invitations")).to_contain_text("nina@harbour.example")
    shoot("pending-invitation")
    sign_out(page)

    # the colleague follows the link in the email and chooses a password
    [invitation] = mail.deliver()
    page.goto(mail.link(invitation, r"http://\S+/invitations/\S+"))
    expect(page.get_by_text("join Harbour Bank as risk analyst")).to_be_visible()
    page.get_by_label("Choose a password").fill("aaaaaaaaaaaa")
    page.get_by_label("Repeat the password").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("easy to guess")
    shoot("weak-password-refused")
    page.get_by_label("Choose a password").fill(FIRST)
    page.get_by_label("Repeat the password").fill(FIRST)
    page.get_by_role("button", name="Create my account").click()
    expect(flash(page)).to_have_text("Welcome to Assay, Nina Berg.")
    sign_out(page)
    sign_in(page, live_server, "nina@harbour.example", FIRST)
    expect(page.get_by_role("heading", name="Welcome, Nina Berg")).to_be_visible()
    shoot("colleague-signed-in")
    sign_out(page)

    # later: forgot the password
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email", exact=True).fill("nina@harbour.example")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("an email with a link is on its way")
    shoot("reset-requested")
    [reset] = mail.deliver()
    page.goto(mail.link(reset, r"http://\S+/password/reset/\S+"))
    page.get_by_label("New password", exact=True).fill(SECOND)
    page.get_by_label("Repeat the new password").fill(SECOND)
    shoot("choose-new-password")
    page.get_by_role("button", name="Set the new password").click()
    expect(flash(page)).to_have_text("Your password is changed. Sign in with it.")
    sign_in(page, live_server, "nina@harbour.example", FIRST)
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    sign_in(page, live_server, "nina@harbour.example", SECOND)
    expect(page.get_by_role("heading", name="Welcome, Nina Berg")).to_be_visible()
    shoot("signed-in-with-new-password")
