"""Vendor pages over HTTP: list with htmx fragments, forms with field messages, permissions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Contract, Finding, Vendor, VendorContact
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_assessment, make_org, make_vendor
from tests.helpers import count_statements, login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor

LEI = lei_with_check_digits("5299009ROUTEVENDOR")


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    """Its vendor is Alpha Analytics SE, active and high tier."""
    built = make_buyer_with_vendor(
        session, vendor_name="Alpha Analytics SE", status="active", tier="high"
    )
    session.commit()
    return built


@pytest.fixture
def beta(session: Session, world: BuyerWithVendor) -> Vendor:
    """A second vendor of the buyer, supporting a critical function and overdue for review."""
    vendor = make_vendor(
        session,
        world.org,
        "Beta Cloud GmbH",
        supports_critical_function=True,
        next_review_date=date.today() - timedelta(days=3),
    )
    session.commit()
    return vendor


@pytest.fixture
def foreign(session: Session) -> Vendor:
    """Another tenant's vendor."""
    vendor = make_vendor(session, make_org(session, "Other Bank"), "Foreign Vendor Ltd")
    session.commit()
    return vendor


@pytest.fixture
def manager(client, world, beta, foreign):
    return login(client, world.procurement.email)


@pytest.fixture
def auditor(client, world, beta, foreign):
    return login(client, world.auditor.email)


HX = {"HX-Request": "true"}


def test_list_full_page_and_htmx_fragment(manager, world):
    page = manager.get("/vendors")
    assert page.status_code == 200
    assert "<html" in page.text and 'id="vendor-table"' in page.text
    assert "Alpha Analytics SE" in page.text and "Beta Cloud GmbH" in page.text
    assert "Foreign Vendor Ltd" not in page.text
    assert "HX-Request" in page.headers["Vary"]
    assert 'hx-trigger="input changed delay:300ms, change"' in page.text

    fragment = manager.get("/vendors?q=beta", headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="vendor-table">')
    assert "Beta Cloud GmbH" in fragment.text and "Alpha Analytics SE" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=active", "Alpha Analytics SE", "Beta Cloud GmbH"),
        ("tier=high", "Alpha Analytics SE", "Beta Cloud GmbH"),
        ("critical=yes", "Beta Cloud GmbH", "Alpha Analytics SE"),
        ("critical=no", "Alpha Analytics SE", "Beta Cloud GmbH"),
        ("overdue=1", "Beta Cloud GmbH", "Alpha Analytics SE"),
    ],
)
def test_list_filters_work_as_plain_get(manager, query, shown, hidden):
    page = manager.get(f"/vendors?{query}")
    assert shown in page.text and hidden not in page.text


def test_list_sort_links_keep_filters_and_toggle(manager):
    page = manager.get("/vendors?status=active&sort=name")
    assert 'href="/vendors?status=active&amp;sort=-name"' in page.text
    rows = manager.get("/vendors?sort=-name").text
    assert rows.index("Beta Cloud GmbH") < rows.index("Alpha Analytics SE")


def test_list_bad_filter_is_reported_not_a_crash(manager):
    page = manager.get("/vendors?sort=drop_table&per_page=0")
    assert page.status_code == 200
    assert "were not understood" in page.text


def test_list_query_count_does_not_grow_with_vendors(manager, engine, world):
    with count_statements(engine) as few:
        assert manager.get("/vendors?per_page=50").status_code == 200
    with Session(engine) as session:
        for n in range(50):
            vendor = make_vendor(session, world.org, f"Bulk Vendor {n:02d}")
            session.add(
                Contract(organisation_id=world.org.id, vendor_id=vendor.id, reference=f"B-{n}")
            )
        session.commit()
    with count_statements(engine) as many:
        page = manager.get("/vendors?per_page=50")
    assert page.text.count('<a href="/vendors/') >= 50
    assert len(many) == len(few), many


def test_vendor_page_shows_every_block(manager, engine, world):
    with Session(engine) as session:
        alpha = session.get(Vendor, world.vendor.id)
        make_assessment(session, world.org, alpha, world.procurement)
        session.add(
            VendorContact(vendor_id=alpha.id, name="Dana Contact", email="dana@alpha.example")
        )
        session.commit()
    page = manager.get(f"/vendors/{world.vendor.id}")
    assert page.status_code == 200
    for heading in (
        "Profile",
        "AI systems",
        "Contracts and ICT services",
        "Contacts",
        "Assessments",
        "Open findings",
    ):
        assert f"<h2>{heading}</h2>" in page.text
    assert "Dana Contact" in page.text
    assert "Small test questionnaire" in page.text


def test_other_tenant_vendor_is_404(manager, world, foreign):
    foreign = foreign.id
    assert manager.get(f"/vendors/{foreign}").status_code == 404
    assert manager.get(f"/vendors/{foreign}/edit").status_code == 404
    response = manager.post(f"/vendors/{foreign}", data={"legal_name": "Hijacked", "version": "1"})
    assert response.status_code == 404


def test_auditor_reads_but_cannot_create(auditor, world):
    assert auditor.get("/vendors").status_code == 200
    assert "Add vendor" not in auditor.get("/vendors").text
    assert auditor.get("/vendors/new").status_code == 403
    response = auditor.post(
        "/vendors", data={"legal_name": "X", "identifier": LEI, "hq_country": "DE"}
    )
    assert response.status_code == 403
    assert auditor.post("/vendors/import/apply", data={"token": "x" * 30}).status_code == 403


def test_create_vendor_plain_form_redirects(manager, engine, world):
    response = manager.post(
        "/vendors",
        data={
            "legal_name": "Gamma AI BV",
            "identifier": LEI,
            "hq_country": "nl",
            "exit_plan": "yes",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with Session(engine) as session:
        vendor = session.exec(select(Vendor).where(Vendor.legal_name == "Gamma AI BV")).one()
        assert (vendor.hq_country, vendor.exit_plan, vendor.supports_critical_function) == (
            "NL",
            True,
            False,
        )
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "vendor.created")).one()
        assert audit.actor_label == world.procurement.email
        assert audit.object_id == str(vendor.id)
    assert response.headers["location"] == f"/vendors/{vendor.id}"


def test_create_vendor_htmx_errors_rerender_form_block(manager):
    response = manager.post(
        "/vendors",
        data={"legal_name": "", "identifier": LEI[:-1] + "X", "hq_country": "QQ"},
        headers=HX,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="vendor-form"')
    assert "<html" not in response.text
    assert re.search(r'id="error-legal_name">This field is required.', response.text)
    assert 'id="error-hq_country">&#39;QQ&#39; is not an ISO 3166' in response.text
    assert 'id="error-identifier"' in response.text
    assert 'aria-invalid="true"' in response.text
    # The typed values are kept.
    assert 'value="QQ"' in response.text


def test_create_vendor_htmx_success_uses_hx_redirect(manager):
    response = manager.post(
        "/vendors", data={"legal_name": "Delta", "identifier": LEI, "hq_country": "DE"}, headers=HX
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/vendors/")


def vendor_form(vendor: Vendor, **changes) -> dict:
    data = {
        "legal_name": vendor.legal_name,
        "identifier": vendor.identifier,
        "identifier_type": "LEI",
        "hq_country": vendor.hq_country,
        "status": vendor.status,
        "version": str(vendor.version),
    }
    data.update(changes)
    return data


def test_edit_vendor_and_stale_edit_is_refused(manager, engine, world):
    alpha = world.vendor
    form = manager.get(f"/vendors/{alpha.id}/edit")
    assert 'name="version" value="1"' in form.text
    first = manager.post(
        f"/vendors/{alpha.id}", data=vendor_form(alpha, status="offboarded"), follow_redirects=False
    )
    assert first.status_code == 303
    stale = manager.post(
        f"/vendors/{alpha.id}", data=vendor_form(alpha, legal_name="Lost Update"), headers=HX
    )
    assert stale.status_code == 409
    assert "Someone else saved changes" in stale.text
    assert "Reload the current version" in stale.text
    with Session(engine) as session:
        fresh = session.get(Vendor, alpha.id)
        assert (fresh.legal_name, fresh.status, fresh.version) == (
            "Alpha Analytics SE",
            "offboarded",
            2,
        )


def test_contract_form_validation_and_save(manager, engine, world, beta):
    bad = manager.post(
        f"/vendors/{beta.id}/contracts",
        data={
            "reference": "HV-1",
            "arrangement_type": "subsequent",
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
            "notice_days_provider": "-3",
        },
        headers=HX,
    )
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="contract-form"')
    assert 'id="error-overarching_reference"' in bad.text
    assert 'id="error-end_date">The end date must be after the start date.' in bad.text
    assert 'id="error-notice_days_provider">Must be at least 0.' in bad.text

    ok = manager.post(
        f"/vendors/{beta.id}/contracts",
        data={
            "reference": "HV-1",
            "ict_service_type": "S18",
            "stores_data": "yes",
            "storage_countries": "de, ie",
            "supports_critical_function": "yes",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with Session(engine) as session:
        contract = session.exec(select(Contract).where(Contract.reference == "HV-1")).one()
        assert contract.storage_countries == ["DE", "IE"]
    page = manager.get(f"/vendors/{beta.id}")
    assert "HV-1" in page.text and "Cloud services: PaaS" in page.text

    sub = manager.post(
        f"/vendors/{beta.id}/contracts/{contract.id}/subcontractors",
        data={"rank": "1", "name": "", "identifier": "X"},
        headers=HX,
    )
    assert sub.status_code == 422
    assert sub.text.lstrip().startswith('<div id="subcontractors">')
    assert "Must be at least 2." in sub.text


def test_contacts_and_ai_systems_forms(manager, world):
    alpha = world.vendor
    bad = manager.post(f"/vendors/{alpha.id}/contacts", data={"name": "Eve", "email": "nope"})
    assert bad.status_code == 422 and "<html" in bad.text
    assert "Enter an email address" in bad.text
    ok = manager.post(
        f"/vendors/{alpha.id}/contacts",
        data={"name": "Eve", "email": "eve@alpha.example", "is_primary": "yes"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    system = manager.post(
        f"/vendors/{alpha.id}/ai-systems",
        data={"name": "ScoreBot", "ai_act_class": "high", "affects_natural_persons": "yes"},
        follow_redirects=False,
    )
    assert system.status_code == 303
    page = manager.get(f"/vendors/{alpha.id}").text
    assert "eve@alpha.example" in page and "ScoreBot" in page and "High risk" in page


def test_functions_page(manager):
    bad = manager.post("/vendors/functions", data={"code": "G1", "name": "Payments"})
    assert bad.status_code == 422 and 'id="error-code"' in bad.text
    ok = manager.post(
        "/vendors/functions", data={"code": "f1", "name": "Payments"}, follow_redirects=False
    )
    assert ok.status_code == 303
    page = manager.get("/vendors/functions").text
    assert "F1" in page and "Payments" in page
    dup = manager.post("/vendors/functions", data={"code": "F1", "name": "Again"})
    assert dup.status_code == 422 and "already used" in dup.text


def test_every_page_renders_with_the_demo_portfolio(client, engine, settings):
    from app.demo import load_demo
    from app.models import AISystem

    load_demo(engine, settings)
    login(client, "procurement@harbourvale.example", "assay-demo-password")
    with Session(engine) as session:
        vendors = session.exec(select(Vendor)).all()
        contracts = session.exec(select(Contract)).all()
        contacts = session.exec(select(VendorContact)).all()
        systems = session.exec(select(AISystem)).all()
    paths = ["/vendors", "/vendors?sort=-tier&overdue=1", "/vendors/new", "/vendors/import"]
    paths += ["/vendors/functions", "/vendors/functions/1/edit"]
    for vendor in vendors:
        paths += [f"/vendors/{vendor.id}", f"/vendors/{vendor.id}/edit"]
        paths += [f"/vendors/{vendor.id}/contracts/new", f"/vendors/{vendor.id}/ai-systems/new"]
    paths += [f"/vendors/{c.vendor_id}/contracts/{c.id}/edit" for c in contracts]
    paths += [f"/vendors/{c.vendor_id}/contacts/{c.id}/edit" for c in contacts]
    paths += [f"/vendors/{s.vendor_id}/ai-systems/{s.id}/edit" for s in systems]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Review overdue" in client.get("/vendors").text
    overdue = client.get("/vendors?overdue=1").text
    assert 'class="badge overdue"' in overdue


def test_vendor_page_lists_the_most_severe_open_findings_and_links_to_all(client, engine, world):
    alpha = world.vendor
    with Session(engine) as session:
        for n, severity in enumerate(["low"] * 8 + ["medium", "high", "critical", "high"]):
            session.add(
                Finding(
                    organisation_id=world.org.id,
                    vendor_id=alpha.id,
                    key=f"manual:{n}",
                    title=f"Gap number {n}",
                    severity=severity,
                )
            )
        session.add(
            Finding(
                organisation_id=world.org.id,
                vendor_id=alpha.id,
                key="manual:closed",
                title="Long since fixed",
                severity="critical",
                status="closed",
            )
        )
        session.commit()
    login(client, world.procurement.email)
    page = client.get(f"/vendors/{alpha.id}").text
    section = page[page.index('id="findings"') :]
    assert "The 10 most severe of 12 open findings." in section
    assert f"/register/findings?vendor_id={alpha.id}&amp;status=open_any" in section
    assert "Long since fixed" not in section
    order = [int(n) for n in re.findall(r"Gap number (\d+)", section)]
    assert order[:4] == [10, 11, 9, 8]  # critical, then high (by title), then medium
    assert len(order) == 10
