"""Tenancy helpers other domains build their queries on."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.auth.tenancy import get_scoped, scope_buyer, scope_for, scope_vendor, vendor_ids_for
from app.errors import NotFound
from app.models import Role, Vendor
from tests.factories import make_org, make_user, make_vendor, make_vendor_user


@pytest.fixture
def two_buyers(session):
    first, second = make_org(session, "First Bank"), make_org(session, "Second Bank")
    cobalt_at_first = make_vendor(session, first, "Cobalt SE")
    cobalt_at_second = make_vendor(session, second, "Cobalt SE")
    rival = make_vendor(session, first, "Rival Ltd")
    contact = make_vendor_user(session, cobalt_at_first)
    # the same person was invited by the second buyer too
    from app.models import VendorContact

    session.add(
        VendorContact(
            vendor_id=cobalt_at_second.id, name="C", email=contact.email, user_id=contact.id
        )
    )
    analyst = make_user(session, first, Role.risk_analyst)
    session.flush()
    return first, second, cobalt_at_first, cobalt_at_second, rival, contact, analyst


def test_vendor_user_sees_their_vendor_at_every_buyer_and_nothing_else(session, two_buyers):
    _, _, cobalt_first, cobalt_second, rival, contact, analyst = two_buyers
    assert vendor_ids_for(session=session, user=contact) == sorted(
        [cobalt_first.id, cobalt_second.id]
    )
    assert vendor_ids_for(session=session, user=analyst) == []
    seen = session.exec(scope_vendor(select(Vendor), Vendor, contact)).all()
    assert {v.id for v in seen} == {cobalt_first.id, cobalt_second.id}
    assert session.exec(scope_buyer(select(Vendor), Vendor, contact)).all() == []
    with pytest.raises(NotFound):
        get_scoped(session=session, model=Vendor, object_id=rival.id, user=contact)


def test_buyer_sees_only_their_organisation(session, two_buyers):
    _, _, cobalt_first, cobalt_second, rival, _, analyst = two_buyers
    seen = session.exec(scope_for(select(Vendor), Vendor, analyst)).all()
    assert {v.id for v in seen} == {cobalt_first.id, rival.id}
    assert session.exec(scope_vendor(select(Vendor), Vendor, analyst)).all() == []
    assert (
        get_scoped(session=session, model=Vendor, object_id=rival.id, user=analyst).id == rival.id
    )
    with pytest.raises(NotFound):
        get_scoped(session=session, model=Vendor, object_id=cobalt_second.id, user=analyst)
