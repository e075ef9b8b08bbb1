"""Organisation settings: the register details an administrator edits for the RoI (B_01.01,
B_01.02), with field messages, an audit event, and no access for other roles."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Organisation
from app.register.roi.service import roi_report
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_org
from tests.helpers import login
from tests.worlds import Buyer, make_buyer

PATH = "/settings/organisation"
HX = {"HX-Request": "true"}
NEW_LEI = lei_with_check_digits("529900NEWBANKLEI00")


@pytest.fixture
def world(session: Session) -> Buyer:
    # no entity type, competent authority or total assets yet
    built = make_buyer(session, "Acme Bank", settings={"review_cadence_months": {"critical": 6}})
    session.commit()
    return built


def settings_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Acme Bank AG",
        "lei": NEW_LEI,
        "country": "de",
        "entity_type": "x12",
        "competent_authority": "BaFin",
        "currency": "EUR",
        "total_assets": "18400000000",
        **changes,
    }


def test_an_admin_edits_the_register_details_and_the_change_is_audited(client, engine, world):
    admin = login(client, world.admin.email)
    page = admin.get(PATH)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    assert '<option value="x12">Credit institution</option>' in page.text
    assert f'value="{world.org.lei}"' in page.text

    saved = admin.post(PATH, data=settings_form(), follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == PATH
    with Session(engine) as session:
        org = session.get(Organisation, world.org.id)
        assert (org.name, org.lei, org.country, org.entity_type, org.competent_authority) == (
            "Acme Bank AG",
            NEW_LEI,
            "DE",
            "x12",
            "BaFin",
        )
        assert org.settings == {
            "review_cadence_months": {"critical": 6},  # other settings are kept
            "currency": "EUR",
            "total_assets": "18400000000",
        }
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "organisation.updated")
        ).all()
        assert event.actor_label == world.admin.email
        assert event.object_id == str(org.id)
        assert event.data["before"]["lei"] == world.org.lei
        assert event.data["after"]["lei"] == NEW_LEI
        assert event.data["before"]["total_assets"] is None
        assert event.data["after"]["total_assets"] == "18400000000"
        assert "currency" not in event.data["after"]  # EUR before and after: not a change
        # the Register of Information now reports the organisation without a problem
        report = roi_report(session=session, organisation_id=org.id)
        assert [p for p in report.problems if p.template.startswith("B_01")] == []
        [entity] = report.built.tables["B_01.02"].rows
        assert (entity.values["c0100"], entity.values["c0110"]) == ("eba_CU:EUR", "18400000000.00")

    page = admin.get(PATH)
    assert "Organisation settings saved." in page.text
    assert 'value="18400000000"' in page.text

    # Saving again without a change writes no second event.
    admin.post(PATH, data=settings_form(total_assets="18400000000.00"), follow_redirects=False)
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "organisation.updated")
        ).all()
        assert len(events) == 1


def test_a_bad_lei_is_refused_next_to_the_field_and_nothing_is_saved(client, engine, world):
    admin = login(client, world.admin.email)
    wrong = NEW_LEI[:-2] + ("00" if NEW_LEI[-2:] != "00" else "01")
    refused = admin.post(
        PATH,
        data=settings_form(lei=wrong, entity_type="x999", total_assets="-5", country="XX"),
        headers=HX,
    )
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<form id="organisation-form"')
    assert 'id="error-lei">The LEI&#39;s check digits do not match' in refused.text
    assert 'id="error-entity_type">&#39;x999&#39; is not one of the entity types' in refused.text
    assert 'id="error-total_assets">Must be at least 0.' in refused.text
    assert 'id="error-country">&#39;XX&#39; is not an ISO 3166' in refused.text
    assert f'value="{wrong}"' in refused.text  # what was typed stays in the form

    short = admin.post(PATH, data=settings_form(lei="529900SHORT"))
    assert short.status_code == 422 and "<html" in short.text
    assert "An LEI is 18 letters or digits followed by 2 check digits" in short.text
    with Session(engine) as session:
        org = session.get(Organisation, world.org.id)
        assert org.lei == world.org.lei and org.entity_type is None
        assert not session.exec(
            select(AuditEvent).where(AuditEvent.action == "organisation.updated")
        ).all()


@pytest.mark.parametrize("role", ["analyst", "procurement"])
def test_only_an_admin_reaches_the_settings(client, engine, world, role):
    other = login(client, getattr(world, role).email)
    assert other.get(PATH).status_code == 403
    assert other.post(PATH, data=settings_form()).status_code == 403
    assert "Organisation settings" not in other.get("/").text
    with Session(engine) as session:
        assert session.get(Organisation, world.org.id).name == "Acme Bank"


def test_the_settings_post_needs_the_csrf_token(client, world):
    admin = login(client, world.admin.email)
    del admin.headers["X-CSRF-Token"]
    assert admin.post(PATH, data=settings_form()).status_code == 403


def test_the_roi_page_links_b_01_problems_to_the_settings(client, world):
    admin = login(client, world.admin.email)
    page = admin.get("/register/roi").text
    assert 'id="problems-B_01.01"' in page  # no entity type nor competent authority yet
    assert '<a href="/settings/organisation">Edit them in the organisation settings</a>' in page
    assert "Set the entity type in the organisation settings." in page
    analyst = login(client, world.analyst.email)
    page = analyst.get("/register/roi").text
    assert "An administrator edits them in the organisation settings." in page
    assert "Edit them in the organisation settings" not in page


def test_another_tenant_is_untouched(client, engine, world):
    with Session(engine, expire_on_commit=False) as session:
        other = make_org(session, "Other Bank", settings={"total_assets": "5"})
        session.commit()
    admin = login(client, world.admin.email)
    admin.post(PATH, data=settings_form(), follow_redirects=False)
    with Session(engine) as session:
        untouched = session.get(Organisation, other.id)
        assert (untouched.name, untouched.settings) == ("Other Bank", {"total_assets": "5"})
        assert untouched.entity_type is None
