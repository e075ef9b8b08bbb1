"""Journey 7: the vendor states in the portal which DORA Art. 30 clauses its signed contract
holds; the bank's analyst checks them against the contract on the vendor's register page and
records where the vendor's word and the contract differ."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Contract, ContractClause
from tests.browser.conftest import flash, fresh, sign_in
from tests.browser.story import (
    CONTACT_EMAIL,
    buyer_team,
    join_vendor,
    send_to_new_contact,
    vendor_with_ai,
)

REFERENCE = "HB-2026-014"


def test_vendor_states_the_clauses_and_the_analyst_confirms_them(
    page, live_server, session, settings, watch, shoot
):
    buyer = buyer_team(session)
    vendor = vendor_with_ai(session, buyer)
    contract = session.exec(select(Contract).where(Contract.vendor_id == vendor.id)).one()
    contract.supports_critical_function = True  # Art. 30(3) is asked too
    session.add(contract)
    send_to_new_contact(session, buyer, vendor, settings)
    join_vendor(session, vendor)
    session.commit()

    # The vendor's contact finds the checklist from the portal home and fills in two clauses.
    sign_in(page, live_server, CONTACT_EMAIL)
    page.get_by_role("link", name=f"{vendor.legal_name}: DORA contract clauses").click()
    expect(
        page.get_by_role("heading", name=f"Contract clauses: {vendor.legal_name}")
    ).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name=f"Save {REFERENCE}"))
    expect(form.locator("tbody tr")).to_have_count(15)  # 30(2)(a)–(i) and 30(3)(a)–(f)
    form.get_by_label("Art. 30(3)(c): in the signed contract?").select_option("yes")
    form.get_by_label("Art. 30(3)(c): clause reference").fill("MSA 14.2")
    form.get_by_label("Art. 30(2)(a): in the signed contract?").select_option("yes")
    form.get_by_label("Art. 30(2)(a): clause reference").fill("MSA 3.1")
    shoot("vendor-states-clauses", at=form)
    form.get_by_role("button", name=f"Save {REFERENCE}").click()
    expect(flash(page)).to_contain_text("Saved 2 clause statement(s)")
    expect(page.get_by_label("Art. 30(3)(c): in the signed contract?")).to_have_value(
        "yes"
    )  # kept after the save
    page.context.clear_cookies()  # the contact leaves; the analyst signs in

    # The analyst reads the vendor's word on the register page and checks it against the
    # signed contract: 30(2)(a) is there, the 30(3)(c) contingency clause is not.
    sign_in(page, live_server, buyer.analyst.email)
    page.goto(f"{live_server}/register/vendors/{vendor.id}#clauses")
    section = page.locator("section#clauses")
    row = section.locator("tr", has_text="Art. 30(3)(c)")
    expect(row).to_contain_text("yes")
    expect(row).to_contain_text("MSA 14.2")
    section.get_by_label(f"{REFERENCE} Art. 30(3)(c): our review").select_option("no")
    section.get_by_label(f"{REFERENCE} Art. 30(3)(c): note").fill(
        "MSA 14.2 covers security testing only, no business continuity plan testing."
    )
    section.get_by_label(f"{REFERENCE} Art. 30(2)(a): our review").select_option("yes")
    shoot("analyst-confirms-clauses", at=section)
    section.get_by_role("button", name=f"Confirm against {REFERENCE}").click()
    expect(flash(page)).to_contain_text("Confirmed 2 clause(s)")
    section = page.locator("section#clauses")
    expect(section.locator("h3")).to_contain_text("2 of 15 confirmed")
    shoot("clauses-confirmed", at=section)

    fresh(session)
    rows = {
        r.code: r
        for r in session.exec(
            select(ContractClause).where(ContractClause.contract_id == contract.id)
        ).all()
    }
    missing = rows["Art. 30(3)(c)"]
    assert (missing.vendor_status, missing.reference, missing.confirmed_status) == (
        "yes",
        "MSA 14.2",
        "no",
    )
    assert missing.confirmed_by_id == buyer.analyst.id
    assert rows["Art. 30(2)(a)"].confirmed_status == "yes"
