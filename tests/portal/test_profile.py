"""The vendor's register data: proposed in the portal, reviewed as a diff, accepted by the buyer."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.forms import FieldErrors
from app.models import (
    AISystem,
    AuditEvent,
    Contract,
    ProfileChangeStatus,
    ProviderProfileChange,
    Role,
    Subcontractor,
    Vendor,
)
from app.vendors import profile_changes
from app.vendors import service as vendor_service
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_user
from tests.helpers import login

PARENT_LEI = lei_with_check_digits("5299000PARENTHOLD1")
SUB_LEI = lei_with_check_digits("5299000SUBCONTRACT")


def _contract(session, world) -> Contract:
    contract = Contract(
        organisation_id=world.org.id,
        vendor_id=world.vendor.id,
        reference="HB-ICT-001",
        description="Cloud hosting",
        storage_countries=["DE"],
        processing_countries=["DE"],
    )
    session.add(contract)
    session.commit()
    return contract


def _form(world, contract, **overrides) -> dict[str, str]:
    p = f"svc-{contract.id}-"
    form = {
        "legal_name": world.vendor.legal_name,
        "identifier": world.vendor.identifier,
        "parent_name": "Cobalt Holding AG",
        "parent_identifier": PARENT_LEI,
        "hq_country": "DE",
        # the bank's own assessments: a vendor posting them changes nothing
        "substitutability": "highly_complex",
        "substitutability_reason": "x964",
        "reintegration": "difficult",
        p + "processing_countries": "DE, IE",
        p + "storage_countries": "de",
        p + "alternatives": "12 months of transition support",
        p + "sub-0-rank": "2",
        p + "sub-0-name": "Hyperscale Cloud Ltd",
        p + "sub-0-identifier": SUB_LEI,
        p + "sub-0-country": "IE",
        p + "sub-0-what": "Data centre hosting",
        p + "ai-0-name": "Capacity forecaster",
        p + "ai-0-model_provider": "In-house",
        p + "ai-0-foundation_model": "",
    }
    form.update(overrides)
    return form


def test_vendor_proposes_and_buyer_accepts_field_by_field(client, session, world):
    contract = _contract(session, world)
    admin = make_user(session, world.org, Role.admin)
    session.commit()
    login(client, world.contact.email)
    page = client.get(f"/portal/vendors/{world.vendor.id}/profile")
    assert page.status_code == 200 and "HB-ICT-001" in page.text
    saved = client.post(
        f"/portal/vendors/{world.vendor.id}/profile",
        data=_form(world, contract),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.rollback()
    session.expire_all()
    change = session.exec(select(ProviderProfileChange)).one()
    assert change.status == ProfileChangeStatus.pending
    # Nothing reached the register yet.
    assert session.get(Vendor, world.vendor.id).parent_name is None
    assert session.exec(select(Subcontractor)).first() is None

    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, admin.email)
    diff = client.get(f"/vendors/{world.vendor.id}/profile-changes")
    assert diff.status_code == 200
    for text in (
        "Cobalt Holding AG",
        "Countries where data is processed",
        "DE, IE",
        "Hyperscale Cloud Ltd",
        "Capacity forecaster",
        "<del>",
    ):
        assert text in diff.text
    accepted = client.post(
        f"/vendors/{world.vendor.id}/profile-changes/{change.id}/accept", follow_redirects=False
    )
    assert accepted.status_code == 303
    session.rollback()
    session.expire_all()
    vendor = session.get(Vendor, world.vendor.id)
    assert vendor.parent_name == "Cobalt Holding AG" and vendor.parent_identifier == PARENT_LEI
    assert (vendor.substitutability, vendor.reintegration) == ("medium", None)  # the bank's
    contract = session.get(Contract, contract.id)
    assert (contract.substitutability, contract.reintegration) == (None, None)
    assert contract.processing_countries == ["DE", "IE"] and contract.storage_countries == ["DE"]
    sub = session.exec(select(Subcontractor)).one()
    assert (sub.name, sub.identifier, sub.country, sub.rank) == (
        "Hyperscale Cloud Ltd",
        SUB_LEI,
        "IE",
        2,
    )
    assert session.exec(select(AISystem)).one().model_provider == "In-house"
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "vendor.profile_accepted")
    ).one()
    assert any(c["field"] == "Ultimate parent" for c in event.data["changes"])
    # A decided change cannot be decided again.
    again = client.post(f"/vendors/{world.vendor.id}/profile-changes/{change.id}/reject")
    assert again.status_code == 409


def test_invalid_lei_and_country_are_refused(client, session, world):
    contract = _contract(session, world)
    login(client, world.contact.email)
    bad_lei = world.vendor.identifier[:-2] + (
        "00" if world.vendor.identifier[-2:] != "00" else "01"
    )
    response = client.post(
        f"/portal/vendors/{world.vendor.id}/profile",
        data=_form(
            world,
            contract,
            identifier=bad_lei,
            **{f"svc-{contract.id}-storage_countries": "XX"},
        ),
    )
    assert response.status_code == 422
    assert "check digits" in response.text and "ISO 3166" in response.text
    assert session.exec(select(ProviderProfileChange)).first() is None


def test_buyer_rejects_and_other_buyers_cannot_see(client, session, world):
    contract = _contract(session, world)
    login(client, world.contact.email)
    client.post(f"/portal/vendors/{world.vendor.id}/profile", data=_form(world, contract))
    from tests.factories import make_org

    outsider = make_user(session, make_org(session, "Other Bank"), Role.admin)
    session.commit()
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, outsider.email)
    assert client.get(f"/vendors/{world.vendor.id}/profile-changes").status_code == 404
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, world.procurement.email)  # procurement: manage_vendors
    change = session.exec(select(ProviderProfileChange)).one()
    response = client.post(
        f"/vendors/{world.vendor.id}/profile-changes/{change.id}/reject",
        data={"note": "Parent is wrong"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()
    session.expire_all()
    assert session.get(ProviderProfileChange, change.id).status == ProfileChangeStatus.rejected
    assert session.get(Vendor, world.vendor.id).parent_name is None


def test_the_vendor_cannot_propose_the_bank_s_own_assessments(client, session, world):
    contract = _contract(session, world)
    login(client, world.contact.email)
    page = client.get(f"/portal/vendors/{world.vendor.id}/profile")
    assert 'name="substitutability"' not in page.text and 'name="reintegration"' not in page.text
    response = client.post(
        f"/portal/vendors/{world.vendor.id}/profile",
        data=_form(world, contract, substitutability_reason=""),
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()
    change = session.exec(select(ProviderProfileChange)).one()
    assert not {"substitutability", "substitutability_reason", "reintegration"} & set(
        change.data["vendor"]
    )


def test_a_deep_subcontractor_needs_the_provider_it_serves(client, session, world):
    contract = _contract(session, world)
    login(client, world.contact.email)
    p = f"svc-{contract.id}-"
    deep = {p + "sub-1-rank": "3", p + "sub-1-name": "Model Lab", p + "sub-1-identifier": SUB_LEI}
    response = client.post(
        f"/portal/vendors/{world.vendor.id}/profile", data=_form(world, contract, **deep)
    )
    assert response.status_code == 422
    assert "one rank up" in response.text
    assert session.exec(select(ProviderProfileChange)).first() is None


def test_accepting_leaves_the_bank_s_assessment_and_the_next_edit_still_validates(session, world):
    """The register's rules hold after an accepted proposal: its next unrelated edit saves."""
    contract = _contract(session, world)
    admin = make_user(session, world.org, Role.admin)
    vendor = world.vendor
    data = profile_changes.check_proposal(
        vendor=vendor, contracts=[contract], data={"vendor": _form(world, contract)}
    ).data
    change = ProviderProfileChange(vendor_id=vendor.id, data=data, submitted_by_id=world.contact.id)
    session.add(change)
    session.flush()
    profile_changes.accept_change(session=session, actor=admin, vendor=vendor, change=change)
    assert (vendor.substitutability, vendor.substitutability_reason) == ("medium", None)
    vendor_service.update_vendor(
        session=session,
        actor=admin,
        vendor_id=vendor.id,
        changes={"website": "https://cobalt.example"},
        version=vendor.version,
    )
    assert vendor.website == "https://cobalt.example"


def test_a_proposal_the_register_would_refuse_is_not_accepted_and_nothing_is_saved(session, world):
    """A change the register's rules refuse (a country that is no ISO code) is refused with the
    register's message; nothing is written."""
    contract = _contract(session, world)
    admin = make_user(session, world.org, Role.admin)
    vendor = world.vendor
    version = vendor.version
    data = profile_changes.register_snapshot(session=session, vendor=vendor)
    data["vendor"] |= {"hq_country": "QQ", "parent_name": "Cobalt Holding AG"}
    data["services"][0]["processing_countries"] = ["DE", "IE"]
    change = ProviderProfileChange(vendor_id=vendor.id, data=data, submitted_by_id=world.contact.id)
    session.add(change)
    session.commit()
    with pytest.raises(FieldErrors) as refused:
        profile_changes.accept_change(session=session, actor=admin, vendor=vendor, change=change)
    assert "Headquarters country" in refused.value.errors
    session.rollback()
    session.expire_all()
    assert session.get(ProviderProfileChange, change.id).status == ProfileChangeStatus.pending
    vendor = session.get(Vendor, world.vendor.id)
    assert (vendor.substitutability, vendor.parent_name, vendor.version) == (
        "medium",
        None,
        version,
    )
    assert session.get(Contract, contract.id).processing_countries == ["DE"]
