"""The vendor register's demo step: overdue reviews, supply chains, a framework and call-off."""

from __future__ import annotations

from sqlmodel import Session, func, select

from app.demo import load_demo
from app.forms import validate
from app.models import Contract, Subcontractor, Vendor, VendorContact
from app.vendors.schemas import ContractInput


def test_demo_step_is_idempotent_and_valid(engine, settings):
    load_demo(engine, settings)
    with Session(engine) as session:
        counts = [
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Subcontractor, Contract, VendorContact)
        ]
    load_demo(engine, settings)
    with Session(engine) as session:
        again = [
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Subcontractor, Contract, VendorContact)
        ]
        assert again == counts
        assert counts[0] > 0
        assert session.exec(select(Vendor).where(Vendor.next_review_date.is_(None))).all() == []
        subsequent = session.exec(
            select(Contract).where(Contract.arrangement_type == "subsequent")
        ).one()
        overarching = session.exec(
            select(Contract).where(Contract.reference == subsequent.overarching_reference)
        ).one()
        assert overarching.arrangement_type == "overarching"
        assert session.exec(select(Subcontractor).where(Subcontractor.rank == 3)).first()
        # Every demo arrangement passes the register's own validation.
        for contract in session.exec(select(Contract)):
            values = {name: getattr(contract, name) for name in ContractInput.model_fields}
            validate(ContractInput, values)
