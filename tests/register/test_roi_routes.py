"""The RoI page, its downloads and the JSON check, as a browser and an integration see them."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import AISystem, AuditEvent, Provider, RoiSnapshot, Role
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_user
from tests.helpers import login
from tests.register.roi_data import make_roi_portfolio

REF = {"ref_date": "2025-12-31"}


@pytest.fixture
def world(session: Session):
    portfolio = make_roi_portfolio(session)
    analyst = make_user(session, portfolio.org, Role.risk_analyst)
    rival = make_roi_portfolio(session, name="Rival Bank")
    session.commit()
    return portfolio, analyst, rival


def break_register(session: Session, portfolio) -> None:
    """The hosting arrangement no longer says which function it supports: an empty key (805)."""
    portfolio.hosting.function_id = None
    session.add(portfolio.hosting)
    session.commit()


def test_the_page_shows_a_clean_register_with_its_downloads(client, world):
    _, analyst, _ = world
    login(client, analyst.email)
    page = client.get("/register/roi", params=REF)
    assert page.status_code == 200
    text = page.text
    assert "DORA Register of Information" in text
    assert 'href="/register/roi.zip?ref_date=2025-12-31"' in text
    assert 'href="/register/roi.xlsx?ref_date=2025-12-31"' in text
    assert "draft=1" not in text
    assert '<span class="value">0</span> blocking problems' in text
    assert '<span class="value">3</span> arrangements reported' in text
    assert "ACME-003" in text and "it starts after the reference date" in text  # left out, why
    assert "style=" not in text
    assert client.get("/register").text.count('href="/register/roi"') == 1  # linked from there


def test_problems_are_grouped_by_template_and_link_to_the_page_to_fix(client, session, world):
    portfolio, analyst, _ = world
    break_register(session, portfolio)
    login(client, analyst.email)
    text = client.get("/register/roi", params=REF).text
    assert '<section id="problems-B_02.02">' in text
    assert (
        f'<a href="/vendors/{portfolio.cloudy.id}/contracts/{portfolio.hosting.id}/edit">' in text
    )
    assert "“Function identifier” is empty for arrangement ACME-001" in text
    assert '<span class="value">1</span> blocking problem' in text
    assert "Download draft package (.zip)" in text
    assert 'href="/register/roi.zip?ref_date=2025-12-31&amp;draft=1"' in text


def test_downloads_of_an_invalid_register_answer_409_with_the_reason(client, session, world):
    portfolio, analyst, _ = world
    break_register(session, portfolio)
    login(client, analyst.email)
    for path in ("/register/roi.zip", "/register/roi.xlsx"):
        refused = client.get(path, params=REF)
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("text/html")
        assert "Download refused." in refused.text and "ACME-001" in refused.text
    session.expire_all()
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "register.roi_exported")).all()
        == []
    )


def test_a_draft_downloads_and_is_audited(client, session, world):
    portfolio, analyst, _ = world
    break_register(session, portfolio)
    login(client, analyst.email)
    response = client.get("/register/roi.zip", params={**REF, "draft": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    disposition = response.headers["content-disposition"]
    assert f'filename="DRAFT_{portfolio.org.lei}.IND_DE_DORA010100_DORA_2025-12-31_' in disposition
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert any(name.endswith("/reports/b_02.02.csv") for name in archive.namelist())
    session.expire_all()
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "register.roi_exported"))
    assert event.actor_id == analyst.id and event.organisation_id == portfolio.org.id
    assert event.data["draft"] is True and event.data["blocking"] == 1
    assert event.data["format"] == "zip" and event.data["ref_date"] == "2025-12-31"


def test_a_valid_register_downloads_without_asking_for_a_draft(client, world):
    _, analyst, _ = world
    login(client, analyst.email)
    package = client.get("/register/roi.zip", params=REF)
    assert package.status_code == 200
    assert "DRAFT" not in package.headers["content-disposition"]
    workbook = client.get("/register/roi.xlsx", params=REF)
    assert workbook.status_code == 200
    wb = load_workbook(io.BytesIO(workbook.content))
    assert wb.sheetnames[0] == "B_01.01" and wb.sheetnames[-2:] == ["Problems", "About"]
    assert wb["B_01.01"]["B3"].value == "Acme Bank AG"


def test_another_organisations_vendors_never_appear(client, world):
    portfolio, analyst, rival = world
    login(client, analyst.email)
    page = client.get("/register/roi", params=REF).text
    assert "Rival Bank" not in page
    archive = zipfile.ZipFile(io.BytesIO(client.get("/register/roi.zip", params=REF).content))
    content = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert portfolio.cloudy.legal_name in content
    assert "Rival Bank" not in content and rival.cloudy.identifier not in content
    assert rival.org.lei not in content
    check = client.get("/api/v1/register/roi", params=REF).json()
    assert "Rival Bank" not in str(check)


def test_the_json_check_lists_templates_and_problems(client, session, world):
    portfolio, analyst, _ = world
    break_register(session, portfolio)
    login(client, analyst.email)
    check = client.get("/api/v1/register/roi", params=REF)
    assert check.status_code == 200
    body = check.json()
    assert body["ref_date"] == "2025-12-31" and body["valid"] is False and body["blocking"] == 1
    templates = {t["id"]: t for t in body["templates"]}
    assert templates["B_02.01"] == {
        "id": "B_02.01", "title": "Contractual arrangements – General information", "rows": 3,
        "reported": True,
    }  # fmt: skip
    assert templates["B_01.03"]["reported"] is False
    [blocking] = [p for p in body["problems"] if p["severity"] == "blocking"]
    assert (blocking["rule"], blocking["template"], blocking["column"]) == (
        "805",
        "B_02.02",
        "c0050",
    )
    assert (
        blocking["link"] == f"/vendors/{portfolio.cloudy.id}/contracts/{portfolio.hosting.id}/edit"
    )
    assert body["excluded"] == [
        {"reference": "ACME-003", "vendor": portfolio.prospect.legal_name,
         "reason": "it starts after the reference date 2025-12-31"}
    ]  # fmt: skip


def test_a_bad_reference_date_is_refused(client, world):
    _, analyst, _ = world
    login(client, analyst.email)
    assert client.get("/register/roi", params={"ref_date": "31/12/2025"}).status_code == 422


def test_only_roles_that_export_reports_see_it(app, client, session, world):
    portfolio, _, _ = world
    auditor = make_user(session, portfolio.org, Role.auditor)
    procurement = make_user(session, portfolio.org, Role.procurement)
    session.commit()
    login(client, auditor.email)
    assert client.get("/register/roi", params=REF).status_code == 200
    with TestClient(app) as other:
        login(other, procurement.email)
        assert other.get("/register/roi").status_code == 403
        assert other.get("/register/roi.zip").status_code == 403
        assert other.get("/api/v1/register/roi").status_code == 403
        assert 'href="/register/roi"' not in other.get("/register").text


def test_producing_the_register_freezes_it_and_the_snapshot_downloads_byte_for_byte(
    client, session, world
):
    _, analyst, rival = world
    login(client, analyst.email)
    page = client.get("/register/roi", params=REF)
    assert 'action="/register/roi/snapshots"' in page.text
    frozen = client.post("/register/roi/snapshots", data=REF, follow_redirects=False)
    assert frozen.status_code == 303
    listing = client.get("/register/roi/snapshots")
    assert "2025-12-31" in listing.text
    session.expire_all()
    snapshot = session.exec(select(RoiSnapshot)).one()
    session.rollback()  # end the read: the app writes next
    first = client.get(f"/register/roi/snapshots/{snapshot.id}.zip")
    assert first.status_code == 200 and first.content == snapshot.package
    assert client.get(f"/register/roi/snapshots/{snapshot.id}.zip").content == first.content
    compared = client.get(
        "/register/roi/snapshots/compare", params={"before": snapshot.id, "after": snapshot.id}
    )
    assert "Nothing changed." in compared.text
    # a date still to come is refused, nothing frozen
    future = client.post("/register/roi/snapshots", data={"ref_date": "2099-12-31"})
    assert future.status_code == 422 and "still to come" in future.text
    # another organisation's analyst cannot read it
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    other = make_user(session, rival.org, Role.risk_analyst)
    session.commit()
    login(client, other.email)
    assert client.get(f"/register/roi/snapshots/{snapshot.id}.zip").status_code == 404


def test_the_service_s_ai_model_provider_is_offered_for_its_supply_chain(client, session, world):
    portfolio, _, _ = world
    admin = make_user(session, portfolio.org, Role.admin)
    provider = Provider(
        organisation_id=portfolio.org.id, name="Frontier Models Inc", lei=lei_with_check_digits("549300FRONTIERMOD0"),
        country="US", parent_name="Frontier Holdings", parent_lei=None,
    )  # fmt: skip
    session.add(provider)
    session.flush()
    session.add(
        AISystem(
            vendor_id=portfolio.cloudy.id, contract_id=portfolio.hosting.id, name="Fraud scorer",
            model_provider="Frontier Models Inc", model_provider_id=provider.id,
        )
    )  # fmt: skip
    session.commit()
    login(client, admin.email)
    edit = f"/vendors/{portfolio.cloudy.id}/contracts/{portfolio.hosting.id}/edit"
    page = client.get(edit)
    assert (
        f'href="{edit}?offer={provider.id}#supply-chain">add Frontier Models Inc</a>' in page.text
    )
    filled = client.get(edit, params={"offer": provider.id})
    assert (
        'value="Frontier Models Inc"' in filled.text and 'value="Frontier Holdings"' in filled.text
    )
    # and the register warns until it is in the chain (the hosting supports a critical function)
    report = client.get("/api/v1/register/roi", params=REF).json()
    assert any(
        p["rule"] == "supply chain" and "Frontier Models Inc" in p["message"]
        for p in report["problems"]
    )
