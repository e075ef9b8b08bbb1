"""The entities and branches page, the arrangement's group page, and the reporting level on the
RoI page and downloads, as a browser sees them: who may, what a bad input shows, what is saved."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import Session, select

from app.models import Branch, Contract, GroupEntity, Role, Vendor
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_user
from tests.helpers import login
from tests.register.roi_data import IT_LEI, make_group_portfolio, make_roi_portfolio

REF = {"ref_date": "2025-12-31"}
PAYMENTS_LEI = lei_with_check_digits("529900ACMEPAYS0000")


@pytest.fixture
def world(session: Session):
    group = make_group_portfolio(session)
    analyst = make_user(session, group.portfolio.org, Role.risk_analyst)
    procurement = make_user(session, group.portfolio.org, Role.procurement)
    rival = make_roi_portfolio(session, name="Rival Bank")
    session.commit()
    return group, analyst, procurement, rival


def entity_form(**values) -> dict[str, str]:
    return {"name": "Acme Payments GmbH", "lei": PAYMENTS_LEI, "country": "DE",
            "entity_type": "x300", "hierarchy": "x56", "currency": "EUR"} | values  # fmt: skip


def test_the_page_lists_the_group(client, world):
    _group, analyst, _, _ = world
    login(client, analyst.email)
    page = client.get("/register/roi/entities")
    assert page.status_code == 200
    assert "Acme IT Services GmbH" in page.text and IT_LEI in page.text
    assert "FR-PAR" in page.text and "ACME-IG-01" in page.text
    assert "(maintains the register)" in page.text
    assert "style=" not in page.text


def test_procurement_may_not_change_the_group(client, world):
    _group, _, procurement, _ = world
    login(client, procurement.email)
    assert client.get("/register/roi/entities").status_code == 403
    assert client.post("/register/roi/entities", data=entity_form()).status_code == 403


def test_an_entity_is_added(client, session, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    response = client.post(
        "/register/roi/entities", data=entity_form(parent_id=str(group.it.id)),
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    added = session.exec(select(GroupEntity).where(GroupEntity.lei == PAYMENTS_LEI)).one()
    assert (added.parent_id, added.hierarchy) == (group.it.id, "x56")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lei": IT_LEI}, "already has the LEI"),
        ({"parent_id": "999999"}, "The parent is not an entity of this register."),
        ({"lei": "529900ACMEPAYS000099"}, "check digits"),
    ],
)
def test_a_bad_entity_shows_a_message_and_saves_nothing(client, session, world, values, message):
    _group, analyst, _, _ = world
    login(client, analyst.email)
    before = len(session.exec(select(GroupEntity)).all())
    response = client.post("/register/roi/entities", data=entity_form(**values))
    assert response.status_code == 422
    assert message in response.text
    session.expire_all()
    assert len(session.exec(select(GroupEntity)).all()) == before


def test_a_parent_cycle_shows_a_message(client, session, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    response = client.post(
        f"/register/roi/entities/{group.own.id}",
        data={"hierarchy": "x56", "parent_id": str(group.it.id)},
    )
    assert response.status_code == 422
    assert "its own parent (a cycle)" in response.text
    session.expire_all()
    assert session.get(GroupEntity, group.own.id).parent_id is None


def test_an_entity_of_another_organisation_is_not_found(client, session, world):
    group, _, _, rival = world
    stranger = make_user(session, rival.org, Role.risk_analyst)
    session.commit()
    login(client, stranger.email)
    assert client.get(f"/register/roi/entities/{group.it.id}").status_code == 404
    assert client.get(f"/register/roi/arrangements/{group.intra_group.id}").status_code == 404
    response = client.post(
        f"/register/roi/entities/{group.it.id}", data=entity_form(name="Taken over")
    )
    assert response.status_code == 404


def test_a_branch_code_twice_shows_a_message(client, session, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    response = client.post(
        "/register/roi/branches",
        data={"code": "FR-PAR", "name": "Again", "country": "FR", "entity_id": str(group.own.id)},
    )
    assert response.status_code == 422
    assert "already has the code FR-PAR" in response.text
    session.expire_all()
    assert len(session.exec(select(Branch)).all()) == 1


def test_who_uses_an_arrangement_is_saved_and_checked(client, session, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    url = f"/register/roi/arrangements/{group.portfolio.framework.id}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={"entity_ids": [str(group.own.id), str(group.it.id)],
              "signing_entity_id": str(group.it.id)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    session.expire_all()
    contract = session.get(Contract, group.portfolio.framework.id)
    assert contract.entity_ids == [group.own.id, group.it.id]
    bad = client.post(url, data={"linked_reference": "NOPE-1"})
    assert bad.status_code == 422 and "No other arrangement has the reference NOPE-1" in bad.text


def test_a_vendor_whose_lei_is_not_the_entitys_cannot_be_marked_intra_group(client, session, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    response = client.post(
        f"/register/roi/entities/{group.it.id}/provider",
        data={"vendor_id": str(group.portfolio.scorer.id)},
    )
    assert response.status_code == 422
    assert "not by the LEI of Acme IT Services GmbH" in response.text
    session.expire_all()
    assert session.get(Vendor, group.portfolio.scorer.id).group_entity_id is None


def test_a_post_without_the_csrf_token_is_refused(client, world):
    _group, analyst, _, _ = world
    login(client, analyst.email)
    del client.headers["X-CSRF-Token"]
    assert client.post("/register/roi/entities", data=entity_form()).status_code == 403


def test_the_roi_page_offers_the_levels_and_the_consolidated_download(client, world):
    group, analyst, _, _ = world
    login(client, analyst.email)
    page = client.get("/register/roi", params=REF | {"level": "CON"})
    assert page.status_code == 200
    assert '<option value="CON" selected>Consolidated: the group</option>' in page.text
    assert f'<option value="{IT_LEI}">Individual: Acme IT Services GmbH</option>' in page.text
    assert 'href="/register/roi.zip?ref_date=2025-12-31&amp;level=CON"' in page.text
    response = client.get("/register/roi.zip", params=REF | {"level": "CON"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        names = package.namelist()
        [b0103] = [n for n in names if n.endswith("/reports/b_01.03.csv")]
        assert "FR-PAR" in package.read(b0103).decode()
        [params] = [n for n in names if n.endswith("/reports/parameters.csv")]
        assert f"rs:{group.portfolio.org.lei}.CON" in package.read(params).decode()


def test_a_snapshot_at_consolidated_level_from_the_page(client, session, world):
    _group, analyst, _, _ = world
    login(client, analyst.email)
    response = client.post(
        "/register/roi/snapshots", data={"ref_date": "2025-12-31", "level": "CON"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert ".CON_" in client.get("/register/roi/snapshots").text


def test_a_standalone_organisation_is_offered_no_level(client, session, world):
    _, _, _, rival = world
    analyst = make_user(session, rival.org, Role.risk_analyst)
    session.commit()
    login(client, analyst.email)
    page = client.get("/register/roi", params=REF)
    assert page.status_code == 200
    assert "Reporting level" not in page.text
    assert "Filed at individual level for Rival Bank" in page.text
    # its first visit of the entities page records its own entity, which can then be edited
    assert "(maintains the register)" in client.get("/register/roi/entities").text
    session.expire_all()
    own = session.exec(select(GroupEntity).where(GroupEntity.organisation_id == rival.org.id)).one()
    assert own.hierarchy == "x21"
    response = client.post(
        f"/register/roi/entities/{own.id}", data={"hierarchy": "x53"}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/register/roi", params=REF)
    assert "Reporting level" not in page.text
    assert client.get("/api/v1/register/roi", params=REF).status_code == 200
