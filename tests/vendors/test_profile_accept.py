"""Accepting a vendor's proposed register facts: through the register's rules, and readable after."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import (
    AuditEvent,
    Contract,
    ProfileChangeStatus,
    ProviderProfileChange,
    Vendor,
)
from app.vendors import profile_changes
from tests.helpers import login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    built = make_buyer_with_vendor(session, vendor_name="Cobalt Cloud SE", status="active")
    session.add(
        Contract(
            organisation_id=built.org.id,
            vendor_id=built.vendor.id,
            reference="HB-ICT-001",
            description="Cloud hosting",
            processing_countries=["DE"],
        )
    )
    session.commit()
    return built


def _propose(session: Session, world: BuyerWithVendor, **vendor_facts) -> ProviderProfileChange:
    data = profile_changes.register_snapshot(session=session, vendor=world.vendor)
    data["vendor"] |= vendor_facts
    data["services"][0]["processing_countries"] = ["DE", "IE"]
    change = ProviderProfileChange(
        vendor_id=world.vendor.id, data=data, submitted_by_id=world.contact.id
    )
    session.add(change)
    session.commit()
    return change


def test_after_an_accept_the_register_page_shows_the_accepted_diff(client, session, world):
    change = _propose(session, world, parent_name="Cobalt Holding AG")
    login(client, world.admin.email)
    accepted = client.post(
        f"/vendors/{world.vendor.id}/profile-changes/{change.id}/accept", follow_redirects=False
    )
    assert accepted.status_code == 303
    page = client.get(f"/register/vendors/{world.vendor.id}")
    assert page.status_code == 200
    assert "vendor.profile_accepted" in page.text
    assert "Provider, Ultimate parent: — → Cobalt Holding AG" in page.text
    assert "Service HB-ICT-001, Countries where data is processed: DE → DE, IE" in page.text


def test_accepting_facts_the_register_refuses_is_refused_and_nothing_is_saved(
    client, session, world
):
    # the vendor cannot set the bank's substitutability; a country that is no ISO code is refused
    change = _propose(session, world, hq_country="QQ", substitutability="highly_complex")
    version = world.vendor.version
    login(client, world.admin.email)
    refused = client.post(f"/vendors/{world.vendor.id}/profile-changes/{change.id}/accept")
    assert refused.status_code == 422
    assert "cannot enter the register as it stands" in refused.text
    assert "Headquarters country" in refused.text
    session.rollback()
    session.expire_all()
    assert session.get(ProviderProfileChange, change.id).status == ProfileChangeStatus.pending
    vendor = session.get(Vendor, world.vendor.id)
    assert (vendor.substitutability, vendor.version) == ("medium", version)
    contract = session.exec(select(Contract)).one()
    assert contract.processing_countries == ["DE"]
    assert not session.exec(
        select(AuditEvent).where(AuditEvent.action == "vendor.profile_accepted")
    ).first()
