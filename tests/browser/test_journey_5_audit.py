"""Journey 5: an auditor reads the trail of the whole story (vendor, sending, answers, evidence,
review, score, exports), filters and exports it, and `assay audit verify` finds every link intact."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.cli import main
from app.models import AuditEvent
from tests.browser.conftest import fresh, sign_in
from tests.browser.story import CLARIFIED, CONTACT_EMAIL, VENDOR, completed_assessment

# The assessment's life as the trail tells it, oldest first.
LIFECYCLE = [
    "assessment.created",
    "assessment.send",
    "assessment.start",
    "assessment.submit",
    "assessment.begin_review",
    "assessment.request_clarification",
    "assessment.resume",
    "assessment.submit",
    "assessment.begin_review",
    "assessment.decided",  # a review ends with a decision, recorded with its completion
    "assessment.complete",
]


@pytest.fixture
def cli_env(monkeypatch, settings):
    """`assay` run in-process against this test's database."""
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))


def _actions(page) -> list[str]:
    return page.locator("#audit-results tbody tr td:nth-child(4)").all_inner_texts()


def test_auditor_reads_the_trail_and_the_chain_verifies(
    page, live_server, session, settings, watch, shoot, cli_env, capsys
):
    buyer, _, assessment, contact = completed_assessment(session, settings)
    session.commit()

    sign_in(page, live_server, buyer.auditor.email)
    # The auditor also exports the register: exports are on the trail too.
    page.get_by_role("link", name="Register", exact=True).click()
    with page.expect_download():
        page.get_by_role("link", name="Export to Excel").click()

    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("#chain-status")).to_contain_text("Chain verified")
    expect(page.locator("#chain-status")).to_contain_text("every link intact")
    newest = _actions(page)
    assert newest[0] == "register.exported"
    shoot("trail")

    # The assessment's lifecycle, filtered by action (newest first on the page).
    page.get_by_label("Action").fill("assessment.")
    page.get_by_label("Object id").fill(str(assessment.id))
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"action=assessment\.&.*object_id={assessment.id}"))
    seen = list(reversed(_actions(page)))
    assert [a for a in seen if a != "assessment.scored"] == LIFECYCLE
    assert seen.count("assessment.scored") == 3  # on each submission and on completion
    expect(page.locator("#audit-results")).to_contain_text(buyer.analyst.email)
    shoot("lifecycle")

    # Everything the vendor contact did, with who did it.
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("Actor").fill(CONTACT_EMAIL)
    page.get_by_role("button", name="Filter").click()
    # Read the rows once htmx has swapped in the filtered results, not the page before them.
    expect(page).to_have_url(re.compile(r"actor=" + re.escape(quote(CONTACT_EMAIL))))
    by_contact = set(_actions(page))
    assert {
        "answer.saved",
        "evidence.uploaded",
        "evidence.attached",
        "comment.vendor",
    } <= by_contact
    assert "assessment.submit" in by_contact
    expect(page.locator("#audit-results tbody tr").first).to_contain_text(contact.email)

    # How the contact got in: invited by procurement, joined through the link.
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("Action").fill("vendor_contact.")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("vendor_contact.joined")
    expect(rows.nth(0)).to_contain_text(contact.email)
    expect(rows.nth(1)).to_contain_text("vendor_contact.invited")
    expect(rows.nth(1)).to_contain_text(buyer.procurement.email)

    # Procurement's and the analyst's part: the vendor, the campaign, the review verdicts.
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("Object type").fill("vendor")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-results")).to_contain_text("vendor.created")
    expect(page.locator("#audit-results")).to_contain_text(VENDOR)
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("Action").fill("answer.clarification")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-results tbody tr")).to_have_count(1)
    expect(page.locator("#audit-results")).to_contain_text(f"{assessment.id}:{CLARIFIED}")

    # The trail exports as CSV, with the same events.
    page.get_by_role("button", name="Clear").click()
    with page.expect_download() as waiting:
        page.get_by_role("link", name="CSV").click()
    with open(waiting.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    actions = [row["Action"] for row in rows]
    for action in ("vendor.created", "campaign.created", "answer.accepted", "register.exported"):
        assert action in actions
    assert actions.count("assessment.submit") == 2

    # The CSV holds the organisation's whole chain (its own export is recorded after it).
    fresh(session)
    ours = select(func.count()).select_from(AuditEvent)
    assert (
        session.exec(ours.where(AuditEvent.organisation_id == buyer.org.id)).one() == len(rows) + 1
    )

    # And every chain verifies from the command line too (the organisation's, and those of events
    # outside it: the published library, the vendor contact's account).
    total = session.exec(ours).one()
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert f"{total} event(s), intact" in capsys.readouterr().out
