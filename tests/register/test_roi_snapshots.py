"""Snapshots: producing the register for a reference date freezes it; listed, downloaded again
byte for byte, compared year to year; bad dates are refused with nothing stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import AuditEvent, Contract, RoiSnapshot
from app.register.roi.reader import read_package
from app.register.roi.service import RegisterInvalid
from app.register.roi.snapshots import compare, freeze_snapshot, get_snapshot, list_snapshots
from app.register.roi.validator import validate
from tests.register.roi_data import make_roi_portfolio

NOW = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)


def freeze(session, portfolio, ref_date, now=NOW):
    return freeze_snapshot(
        session=session, organisation_id=portfolio.org.id, ref_date=ref_date, actor=None, now=now
    )


def test_producing_the_register_freezes_the_package_and_its_facts(session: Session):
    portfolio = make_roi_portfolio(session)
    snapshot = freeze(session, portfolio, date(2025, 12, 31))
    assert snapshot.arrangements == 3 and snapshot.file_name.endswith(".zip")
    package = read_package(snapshot.package)
    assert not [p for p in validate(package.tables, package.indicators) if p.blocking]
    assert {c["reference"] for c in snapshot.facts["contracts"]} == {
        "ACME-001", "ACME-002", "ACME-002-A",
    }  # fmt: skip
    assert snapshot.facts["left_out"] == ["ACME-003"]
    # the live register changes; the snapshot does not
    portfolio.hosting.annual_cost = 999_999
    session.add(portfolio.hosting)
    session.flush()
    again = get_snapshot(session=session, organisation_id=portfolio.org.id, snapshot_id=snapshot.id)
    assert again.package == snapshot.package
    assert [s.id for s in list_snapshots(session=session, organisation_id=portfolio.org.id)] == [
        snapshot.id
    ]
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "register.roi_snapshot_frozen")
    ).all()
    assert event.data["sha256"] == snapshot.sha256


def test_another_organisation_cannot_read_the_snapshot(session: Session):
    portfolio = make_roi_portfolio(session)
    other = make_roi_portfolio(session, name="Other Bank AG")
    snapshot = freeze(session, portfolio, date(2025, 12, 31))
    with pytest.raises(Exception, match="No register snapshot"):
        get_snapshot(session=session, organisation_id=other.org.id, snapshot_id=snapshot.id)


def test_two_years_compare_arrangement_by_arrangement(session: Session):
    portfolio = make_roi_portfolio(session)
    first = freeze(session, portfolio, date(2024, 12, 31))
    portfolio.hosting.annual_cost = Decimal("150000")
    session.add(portfolio.hosting)
    session.flush()
    second = freeze(session, portfolio, date(2025, 12, 31))
    changes = {(c.kind, c.key, c.what) for c in compare(first, second)}
    assert ("arrangement", "ACME-002", "added") in changes  # started in 2025
    assert ("arrangement", "ACME-001", "changed") in changes
    [hosting] = [c for c in compare(first, second) if c.key == "ACME-001"]
    assert [(f, Decimal(a), Decimal(b)) for f, a, b in hosting.fields] == [
        ("annual_cost", Decimal("120000"), Decimal("150000"))
    ]


def test_a_reference_date_still_to_come_is_refused(session: Session):
    portfolio = make_roi_portfolio(session)
    with pytest.raises(InvalidInput, match="still to come"):
        freeze(session, portfolio, date(2026, 12, 31))
    assert session.exec(select(RoiSnapshot)).all() == []


def test_a_date_with_no_register_data_is_refused(session: Session):
    portfolio = make_roi_portfolio(session)
    with pytest.raises(InvalidInput, match="no register data as at 2019-12-31"):
        freeze(session, portfolio, date(2019, 12, 31))
    assert session.exec(select(RoiSnapshot)).all() == []


def test_a_register_with_blocking_problems_is_not_frozen(session: Session):
    portfolio = make_roi_portfolio(session)
    contract = session.get(Contract, portfolio.hosting.id)
    contract.end_date = date(2023, 1, 1)  # ends before it starts
    session.add(contract)
    session.flush()
    with pytest.raises(RegisterInvalid):
        freeze(session, portfolio, date(2025, 12, 31))
    assert session.exec(select(RoiSnapshot)).all() == []
