"""Provider records: spellings linked to one provider, LEIs and ultimate parents, concentration."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Contract, Provider, ProviderName, Subcontractor, Vendor
from app.register.concentration import by_ultimate_parent, concentration
from app.vendors import providers
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_org, make_vendor
from tests.helpers import login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor

PARENT_LEI = lei_with_check_digits("5299000HYPERSCALE1")


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    built = make_buyer_with_vendor(session, vendor_name="Alpha AI GmbH",
                                   cloud_providers=["Microsoft Azure"])  # fmt: skip
    make_vendor(session, built.org, "Beta Models SA", cloud_providers=["Azure"])
    make_vendor(session, built.org, "Gamma Cloud BV", cloud_providers=["Hyperscale Germany GmbH"])
    for name in ("Microsoft Azure", "Azure", "Hyperscale Germany GmbH", "Hyperscale Ireland Ltd"):
        providers.resolve(session=session, organisation_id=built.org.id, name=name)
    session.commit()
    return built


def _record(session: Session, name: str, org_id: int | None = None) -> Provider:
    query = select(Provider).where(Provider.name == name)
    if org_id is not None:
        query = query.where(Provider.organisation_id == org_id)
    return session.exec(query).one()


def _cloud_groups(session: Session, world) -> dict[str, list[str]]:
    return {
        g.name: [v.name for v in g.vendors]
        for g in concentration(session=session, organisation_id=world.org.id, kind="cloud")
    }


def test_linking_a_spelling_counts_the_two_providers_once(client, session, world):
    assert _cloud_groups(session, world)["Azure"] == ["Beta Models SA"]
    login(client, world.analyst.email)
    azure, microsoft = _record(session, "Azure"), _record(session, "Microsoft Azure")
    page = client.get("/register/providers")
    assert page.status_code == 200 and "Hyperscale Ireland Ltd" in page.text
    linked = client.post(
        f"/register/providers/{azure.id}/link", data={"into": str(microsoft.id)},
        follow_redirects=False,
    )  # fmt: skip
    assert linked.status_code == 303
    session.rollback()
    groups = _cloud_groups(session, world)
    assert (
        groups["Microsoft Azure"] == ["Alpha AI GmbH", "Beta Models SA"] and "Azure" not in groups
    )
    spellings = session.exec(
        select(ProviderName.name).where(ProviderName.provider_id == microsoft.id)
    ).all()
    assert sorted(spellings) == ["Azure", "Microsoft Azure"]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "provider.linked")).one()
    # a new vendor typing the linked spelling lands on the same record
    assert providers.resolve(session=session, organisation_id=world.org.id, name=" azure ").id == (
        microsoft.id
    )


def test_providers_of_one_group_roll_up_to_their_ultimate_parent(client, session, world):
    login(client, world.analyst.email)
    for name in ("Hyperscale Germany GmbH", "Hyperscale Ireland Ltd"):
        response = client.post(
            f"/register/providers/{_record(session, name).id}",
            data={"name": name, "parent_name": "Hyperscale Holdings Inc.",
                  "parent_lei": PARENT_LEI.lower(), "country": "ie"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
    session.rollback()
    make_vendor(session, world.org, "Delta Pay AG", cloud_providers=["Hyperscale Ireland Ltd"])
    session.commit()
    groups = concentration(session=session, organisation_id=world.org.id)
    [parent] = [p for p in by_ultimate_parent(groups) if p.lei == PARENT_LEI]
    assert parent.providers == ["Hyperscale Germany GmbH", "Hyperscale Ireland Ltd"]
    assert parent.vendors == ["Delta Pay AG", "Gamma Cloud BV"]
    page = client.get("/register/concentration")
    assert "Hyperscale Holdings Inc." in page.text and "Ultimate parents" in page.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Azure", "lei": "NOTANLEI"}, "lei", "18 letters or digits"),
        ({"name": "Azure", "parent_lei": "5299000HYPERSCALE199"}, "parent_lei", "check digits"),
        ({"name": "Azure", "country": "XX"}, "country", "ISO 3166"),
        ({"name": "Microsoft Azure"}, "name", "link the two spellings instead"),
        ({"name": ""}, "name", ""),
    ],
)
def test_a_provider_record_the_register_cannot_take_is_refused(
    client, session, world, data, field, message
):
    login(client, world.analyst.email)
    azure = _record(session, "Azure")
    response = client.post(f"/register/providers/{azure.id}", data=data)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text and message in response.text
    session.rollback()
    session.refresh(azure)
    assert (azure.name, azure.lei, azure.parent_lei, azure.country) == ("Azure", None, None, None)


def test_another_organisation_s_provider_is_not_found(client, session, world):
    other = make_org(session, "Rival Bank")
    theirs = providers.resolve(session=session, organisation_id=other.id, name="Azure")
    session.commit()
    login(client, world.analyst.email)
    assert client.post(f"/register/providers/{theirs.id}", data={"name": "X"}).status_code == 404
    mine = _record(session, "Azure", world.org.id)
    linked = client.post(f"/register/providers/{mine.id}/link", data={"into": str(theirs.id)})
    assert linked.status_code == 404
    login(client, world.procurement.email)
    assert client.post(f"/register/providers/{mine.id}", data={"name": "X"}).status_code == 403


SUPPLIER_LEI = lei_with_check_digits("5299000HYPERGERMAN")


def _taken(session: Session) -> list[AuditEvent]:
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == "provider.lei_taken")).all()
    )


def test_a_provider_taking_an_lei_from_a_supply_chain_is_on_the_audit_trail(session, world):
    """A record without an LEI takes the one a vendor's supply chain gives for its name: the
    trail says which provider, which LEI, from whose supply chain, and who caused it."""
    gamma = session.exec(select(Vendor).where(Vendor.legal_name == "Gamma Cloud BV")).one()
    contract = Contract(organisation_id=world.org.id, vendor_id=gamma.id, reference="GC-1")
    session.add(contract)
    session.flush()
    session.add(Subcontractor(contract_id=contract.id, name="Hyperscale Germany GmbH",
                              identifier=SUPPLIER_LEI, country="DE"))  # fmt: skip
    session.flush()

    providers.vendor_clouds(session=session, actor=world.analyst, vendor=gamma, ip="192.0.2.7")
    assert _record(session, "Hyperscale Germany GmbH").lei == SUPPLIER_LEI
    [event] = _taken(session)
    assert (event.actor_id, event.actor_label) == (world.analyst.id, world.analyst.email)
    assert event.object_type == "provider"
    assert event.object_id == str(_record(session, "Hyperscale Germany GmbH").id)
    assert event.organisation_id == world.org.id and event.ip == "192.0.2.7"
    assert event.data == {"provider": "Hyperscale Germany GmbH", "lei": SUPPLIER_LEI,
                          "source": "supply_chain", "vendor_id": gamma.id,
                          "vendor": "Gamma Cloud BV"}  # fmt: skip

    # Resolving again changes nothing, and a record keeps the LEI it has.
    providers.vendor_clouds(session=session, actor=world.analyst, vendor=gamma)
    other = providers.resolve(session=session, organisation_id=world.org.id,
                              name="Hyperscale Germany GmbH", lei=PARENT_LEI, lei_from=gamma,
                              actor=world.analyst)  # fmt: skip
    assert other.lei == SUPPLIER_LEI
    assert len(_taken(session)) == 1
