"""Journey 1: procurement adds a vendor with its AI system and contract, then sends the library
questionnaire to it and to two other vendors at once; the emails reach a real SMTP server."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Assessment, AssessmentStatus, Vendor, VendorContact
from tests.browser.conftest import flash, sign_in
from tests.browser.story import CONTACT_EMAIL, CONTACT_NAME, LEI, VENDOR, buyer_team
from tests.factories import make_vendor, make_vendor_user


def test_procurement_creates_a_vendor_and_sends_the_questionnaire(
    page, live_server, session, mail, watch, shoot
):
    buyer = buyer_team(session)
    beta = make_vendor(session, buyer.org, "Beta Models SA")
    beta_contact = make_vendor_user(session, beta, email="bo@beta.example")
    gamma = make_vendor(session, buyer.org, "Gamma Cloud BV")
    session.add(VendorContact(vendor_id=gamma.id, name="Gil Green", email="gil@gamma.example"))
    session.commit()

    sign_in(page, live_server, buyer.procurement.email)
    shoot("dashboard")

    # The vendor, from the vendor register.
    page.get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("button", name="Add vendor").click()
    page.get_by_label("Legal name").fill(VENDOR)
    page.get_by_label("Identification code *", exact=True).fill(LEI)
    page.get_by_label("Headquarters country").fill("DE")
    page.get_by_label("Supports a critical or important function").check()
    page.get_by_label("Sensitivity of the data it handles").select_option("high")
    page.get_by_label("AI Act role").select_option("provider")
    page.get_by_label("Cloud providers").fill("AWS, Azure")
    shoot("new-vendor")
    page.get_by_role("button", name="Add vendor").click()
    expect(page.get_by_role("heading", name=VENDOR, level=1)).to_be_visible()
    expect(flash(page)).to_contain_text(f"{VENDOR} was added to the register.")
    vendor_url = page.url

    # Its contract (an ICT service arrangement).
    page.get_by_role("link", name="Add arrangement").click()
    page.get_by_label("Reference number").fill("HB-2026-014")
    page.get_by_label("Type of ICT service").select_option("S19")
    page.get_by_label("Start date").fill("2026-01-01")
    page.get_by_label("The contract grants audit rights").check()
    page.get_by_role("button", name="Save arrangement").click()
    expect(flash(page)).to_contain_text("Arrangement saved.")
    expect(page.locator("#contracts")).to_contain_text("HB-2026-014")

    # Its AI system, delivered under that contract.
    page.get_by_role("link", name="Add AI system").click()
    page.get_by_label("Name *", exact=True).fill("Claims triage assistant")
    page.get_by_label("Purpose").fill("Sorts incoming insurance claims by urgency.")
    page.get_by_label("Delivered under arrangement").select_option(label="HB-2026-014 (S19)")
    page.get_by_label("EU AI Act classification").select_option("limited")
    page.get_by_label("Its outputs affect natural persons").check()
    page.get_by_role("button", name="Save AI system").click()
    expect(flash(page)).to_contain_text("AI system saved.")
    expect(page.locator("#ai-systems")).to_contain_text("Claims triage assistant")
    shoot("vendor-page")

    # Send the questionnaire from the vendor's page, to it and to two other vendors at once.
    page.get_by_role("link", name="Send questionnaire").click()
    expect(page.get_by_role("heading", name="Send a questionnaire")).to_be_visible()
    expect(page.get_by_label("Questionnaire")).to_contain_text(
        "AI governance and DORA third-party due diligence"
    )
    ours = page.locator("details.vendor-recipients", has_text=VENDOR)
    expect(ours.get_by_role("checkbox", name=VENDOR)).to_be_checked()
    ours.get_by_label("Add people by email").fill(f"{CONTACT_EMAIL}, {CONTACT_NAME}")
    for other in ("Beta Models SA", "Gamma Cloud BV"):
        page.get_by_role("checkbox", name=other).check()
    page.get_by_label("Campaign name").fill("Annual AI review 2026")
    page.get_by_label("Message to the vendors").fill("Please answer by the due date.")
    shoot("send-form")
    page.get_by_role("button", name="Send questionnaire").click()
    expect(flash(page)).to_contain_text("Sent to 3 vendors")
    expect(flash(page)).to_contain_text(
        "5 emails queued, 2 of them invitations to set up an account"
    )
    for name in (VENDOR, "Beta Models SA", "Gamma Cloud BV"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    shoot("campaign")

    sent = session.exec(select(Assessment, Vendor).join(Vendor)).all()
    assert sorted((v.legal_name, a.status) for a, v in sent) == [
        ("Beta Models SA", AssessmentStatus.sent),
        ("Gamma Cloud BV", AssessmentStatus.sent),
        (VENDOR, AssessmentStatus.sent),
    ]

    # The outbox delivers to the loopback SMTP server.
    delivered = mail.deliver()
    assert sorted((m["To"], m["Subject"].split(":")[0]) for m in delivered) == sorted(
        [
            (CONTACT_EMAIL, "Harbour Bank invites you to Assay"),
            (CONTACT_EMAIL, "Harbour Bank"),
            ("gil@gamma.example", "Harbour Bank invites you to Assay"),
            ("gil@gamma.example", "Harbour Bank"),
            (beta_contact.email, "Harbour Bank"),
        ]
    )
    (invitation,) = [m for m in mail.to(CONTACT_EMAIL) if "invites you" in m["Subject"]]
    assert re.search(live_server + r"/invitations/[\w-]{40,}", mail.text(invitation))
    (questionnaire_mail,) = [m for m in mail.to(beta_contact.email)]
    body = mail.text(questionnaire_mail)
    assert "AI governance and DORA third-party due diligence" in body
    assert "Please answer by the due date." in body
    beta_assessment = next(a for a, v in sent if v.id == beta.id)
    assert f"{live_server}/portal/assessments/{beta_assessment.id}" in body

    # The vendor page now lists the sent assessment.
    page.goto(vendor_url)
    expect(page.locator("#assessments")).to_contain_text("sent")
