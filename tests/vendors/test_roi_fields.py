"""Register of Information fields of the vendor and function forms: the reason a provider is
hard to substitute (B_07.01 c0060) and the licensed activity of a function (B_06.01 c0020)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.forms import FieldErrors, validate
from app.models import AuditEvent, BusinessFunction, Role, Vendor
from app.vendors import importing
from app.vendors.schemas import VendorCreate
from tests.factories import make_org, make_user
from tests.helpers import login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    built = make_buyer_with_vendor(session, vendor_name="Lockin Cloud SE", status="active")
    session.commit()
    return built


@pytest.fixture
def manager(client, world):
    return login(client, world.procurement.email)


def vendor_form(vendor: Vendor, **changes: str) -> dict[str, str]:
    return {
        "legal_name": vendor.legal_name,
        "identifier": vendor.identifier,
        "identifier_type": "LEI",
        "hq_country": vendor.hq_country,
        "status": str(vendor.status),
        "version": str(vendor.version),
        **changes,
    }


def test_a_vendor_not_substitutable_needs_a_reason_shown_next_to_the_field(manager, world):
    vendor = world.vendor
    form = manager.get(f"/vendors/{vendor.id}/edit").text
    assert 'name="substitutability_reason"' in form
    assert '<option value="x964">Difficulties in migrating or reintegrating</option>' in form

    refused = manager.post(
        f"/vendors/{vendor.id}",
        data=vendor_form(vendor, substitutability="not_substitutable"),
        headers=HX,
    )
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<form id="vendor-form"')
    assert (
        'id="error-substitutability_reason">Choose why the provider is not substitutable'
        in refused.text
    )

    hard = manager.post(
        "/vendors",
        data={
            "legal_name": "Sticky Scoring Ltd",
            "identifier": "SC123456",
            "identifier_type": "CRN",
            "hq_country": "IE",
            "substitutability": "highly_complex",
        },
    )
    assert hard.status_code == 422
    assert "Choose why substituting the provider is highly complex" in hard.text


def test_the_reason_is_saved_shown_on_the_vendor_page_and_audited(manager, engine, world):
    vendor = world.vendor
    saved = manager.post(
        f"/vendors/{vendor.id}",
        data=vendor_form(
            vendor, substitutability="not_substitutable", substitutability_reason="x965"
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = manager.get(f"/vendors/{vendor.id}").text
    assert "Why it is hard to substitute" in page
    assert "Lack of real alternatives and difficulties in migrating or reintegrating" in page
    with Session(engine) as session:
        assert session.get(Vendor, vendor.id).substitutability_reason == "x965"
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "vendor.updated")).one()
        assert event.data["after"]["substitutability_reason"] == "x965"

    # Easily substitutable again: the reason goes, without the user having to clear it.
    again = manager.post(
        f"/vendors/{vendor.id}",
        data=vendor_form(
            vendor, substitutability="easy", substitutability_reason="x965", version="2"
        ),
        follow_redirects=False,
    )
    assert again.status_code == 303
    with Session(engine) as session:
        fresh = session.get(Vendor, vendor.id)
        assert (fresh.substitutability, fresh.substitutability_reason) == ("easy", None)
    assert "Why it is hard to substitute" not in manager.get(f"/vendors/{vendor.id}").text


def test_a_reason_outside_the_list_is_refused():
    with pytest.raises(FieldErrors) as refused:
        validate(
            VendorCreate,
            {
                "legal_name": "X Ltd",
                "identifier": "SC1",
                "identifier_type": "CRN",
                "hq_country": "IE",
                "substitutability": "not_substitutable",
                "substitutability_reason": "x999",
            },
        )
    assert "'x999' is not one of the reasons" in refused.value.errors["substitutability_reason"]


def test_an_import_row_not_substitutable_without_a_reason_is_refused(session):
    org = make_org(session)
    user = make_user(session, org, Role.procurement)
    row = {
        "legal_name": "Imported Ltd",
        "identifier": "SC42",
        "identifier_type": "CRN",
        "hq_country": "IE",
        "substitutability": "not_substitutable",
    }
    preview = importing.preview_import(session=session, user=user, rows=[(2, row)])
    assert [(n, column) for n, column, _ in preview.errors] == [(2, "substitutability_reason")]
    preview = importing.preview_import(
        session=session, user=user, rows=[(2, {**row, "substitutability_reason": "x963"})]
    )
    assert preview.ok and preview.rows[0].data.substitutability_reason == "x963"


def test_the_licensed_activity_is_a_select_grouped_by_sector(manager):
    page = manager.get("/vendors/functions").text
    assert '<select id="field-licensed_activity" name="licensed_activity"' in page
    assert '<optgroup label="Banking and credit">' in page
    assert '<optgroup label="Crypto-assets">' in page
    assert '<option value="x163">Lending activities</option>' in page
    assert page.count('<option value="x') == 128


def test_an_unknown_licensed_activity_is_refused_next_to_the_field(manager, engine, world):
    refused = manager.post(
        "/vendors/functions",
        data={"code": "F1", "name": "Lending", "licensed_activity": "x999"},
        headers=HX,
    )
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<form id="function-form"')
    assert (
        'id="error-licensed_activity">&#39;x999&#39; is not a licensed activity of the EBA list'
        in refused.text
    )
    saved = manager.post(
        "/vendors/functions",
        data={"code": "F1", "name": "Lending", "licensed_activity": "eba_TA:x163"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with Session(engine) as session:
        function = session.exec(
            select(BusinessFunction).where(
                BusinessFunction.organisation_id == world.org.id,
                BusinessFunction.code == "F1",
            )
        ).one()
        assert function.licensed_activity == "x163"
    assert "Lending activities" in manager.get("/vendors/functions").text


def test_a_stored_activity_outside_the_list_stays_visible_on_the_edit_form(manager, engine, world):
    with Session(engine) as session:
        function = BusinessFunction(
            organisation_id=world.org.id, code="F2", name="Legacy", licensed_activity="lending"
        )
        session.add(function)
        session.commit()
        function_id = function.id
    form = manager.get(f"/vendors/functions/{function_id}/edit").text
    assert '<option value="lending" selected>lending (not in the EBA list: choose another)' in form
