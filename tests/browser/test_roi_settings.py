"""An administrator sets the authority's file name pattern for the Register of Information:
previews the name, gets a clear refusal for a path, saves, and sees the saved name."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import flash, fresh, sign_in
from tests.factories import make_org, make_user


def test_admin_sets_the_file_naming_and_sees_the_preview(page, live_server, session, watch, shoot):
    org = make_org(session, "Harbour Bank")
    admin = make_user(session, org, Role.admin, email="ada@harbour.example")
    session.commit()
    sign_in(page, live_server, admin.email)
    page.locator("details.dropdown summary").click()
    page.get_by_role("link", name="Register of Information settings").click()
    expect(page.get_by_role("heading", name="Register of Information settings")).to_be_visible()
    expect(page.locator("#file-name-preview")).to_contain_text("_DORA010100_DORA_")
    shoot("roi-settings")

    page.get_by_label("File naming").select_option("custom")
    page.get_by_label("Your authority's pattern").fill("reports/{lei}_{ref_date}")
    watch.expect_status(422)  # the refusal is an Unprocessable Entity answer
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-file_pattern")).to_contain_text("not a folder")
    shoot("roi-settings-refused")

    page.get_by_label("Your authority's pattern").fill("RoI_{lei}_{ref_date}")
    page.get_by_role("button", name="Preview the file name").click()
    expect(page.locator("#file-name-preview")).to_contain_text(f"RoI_{org.lei}_")
    expect(page.locator("#file-name-preview")).to_contain_text("not saved yet")

    page.get_by_role("button", name="Save").click()
    expect(flash(page)).to_have_text("Register of Information settings saved.")
    expect(page.locator("#file-name-preview")).to_contain_text(
        f"Packages are named like: RoI_{org.lei}_"
    )
    shoot("roi-settings-saved")
    org = fresh(session).get(type(org), org.id)
    assert org.settings["roi_file_naming"] == "RoI_{lei}_{ref_date}"
