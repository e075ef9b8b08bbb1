"""The Art. 30 clause checklist: the vendor states, the buyer's reviewer confirms, scoring judges;
bad input saves nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import InvalidInput, NotFound
from app.models import AuditEvent, Contract, ContractClause, Finding, Role
from app.register.clauses import Statement, checklists, confirm_clauses, state_clauses
from tests.factories import make_org, make_user, make_vendor, make_vendor_user
from tests.helpers import login


def _contract(session, org, vendor, cif=True, reference="C-1") -> Contract:
    contract = Contract(
        organisation_id=org.id, vendor_id=vendor.id, reference=reference,
        supports_critical_function=cif,
    )  # fmt: skip
    session.add(contract)
    session.flush()
    return contract


def _rows(session, contract):
    return {
        r.code: r
        for r in session.exec(
            select(ContractClause).where(ContractClause.contract_id == contract.id)
        ).all()
    }


def test_vendor_states_reviewer_confirms_and_a_changed_statement_needs_confirming_again(session):
    org = make_org(session)
    analyst = make_user(session, org, role=Role.risk_analyst)
    vendor = make_vendor(session, org)
    contract = _contract(session, org, vendor)
    plain = _contract(session, org, vendor, cif=False, reference="C-2")
    lists = {c.contract.reference: c for c in checklists(session=session, vendor=vendor)}
    assert len(lists["C-1"].lines) == 15 and len(lists["C-2"].lines) == 9  # 30(3) only for CIF

    changed = state_clauses(
        session=session, actor=analyst, vendor=vendor, contract_id=contract.id,
        statements={"Art. 30(3)(c)": Statement("yes", "MSA 14.2"),
                    "Art. 30(2)(a)": Statement("partly", "")},
    )  # fmt: skip
    assert changed == 2
    confirm_clauses(
        session=session, actor=analyst, vendor_id=vendor.id, contract_id=contract.id,
        confirmations={"Art. 30(3)(c)": Statement("no", "Only security, no BCP testing")},
    )  # fmt: skip
    row = _rows(session, contract)["Art. 30(3)(c)"]
    assert (row.vendor_status, row.reference, row.confirmed_status) == ("yes", "MSA 14.2", "no")
    assert row.confirmed_by_id == analyst.id
    state_clauses(
        session=session, actor=analyst, vendor=vendor, contract_id=contract.id,
        statements={"Art. 30(3)(c)": Statement("partly", "MSA 14.2")},
    )  # fmt: skip
    assert _rows(session, contract)["Art. 30(3)(c)"].confirmed_status is None
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "contract"))
    assert list(actions) == [
        "contract.clauses_stated", "contract.clauses_confirmed", "contract.clauses_stated",
    ]  # fmt: skip
    with pytest.raises(InvalidInput, match=r"Art. 30\(3\)\(c\): not a clause this contract"):
        state_clauses(
            session=session, actor=analyst, vendor=vendor, contract_id=plain.id,
            statements={"Art. 30(3)(c)": Statement("yes")},
        )  # fmt: skip


def test_an_unknown_status_saves_nothing_and_says_why(session):
    org = make_org(session)
    analyst = make_user(session, org, role=Role.risk_analyst)
    vendor = make_vendor(session, org)
    contract = _contract(session, org, vendor)
    with pytest.raises(InvalidInput) as raised:
        state_clauses(
            session=session, actor=analyst, vendor=vendor, contract_id=contract.id,
            statements={"Art. 30(2)(a)": Statement("yes"),
                        "Art. 30(2)(b)": Statement("maybe")},
        )  # fmt: skip
    assert raised.value.message.startswith("Nothing was saved.")
    assert "Art. 30(2)(b): unknown status 'maybe'; use one of yes, partly, no." in (
        raised.value.message
    )
    assert _rows(session, contract) == {}  # the valid line was not saved either


def test_confirming_another_organisations_contract_is_refused_and_saves_nothing(session):
    ours, theirs = make_org(session), make_org(session)
    analyst = make_user(session, ours, role=Role.risk_analyst)
    our_vendor = make_vendor(session, ours)
    their_vendor = make_vendor(session, theirs)
    their_contract = _contract(session, theirs, their_vendor)
    with pytest.raises(NotFound, match="No such vendor"):
        confirm_clauses(
            session=session, actor=analyst, vendor_id=their_vendor.id,
            contract_id=their_contract.id, confirmations={"Art. 30(2)(a)": Statement("yes")},
        )  # fmt: skip
    with pytest.raises(NotFound, match="No such contract for this vendor"):
        confirm_clauses(
            session=session, actor=analyst, vendor_id=our_vendor.id,
            contract_id=their_contract.id, confirmations={"Art. 30(2)(a)": Statement("yes")},
        )  # fmt: skip
    assert _rows(session, their_contract) == {}


def test_register_page_shows_the_checklist_and_the_reviewer_confirms_it(client, session):
    org = make_org(session)
    analyst = make_user(session, org, role=Role.risk_analyst)
    vendor = make_vendor(session, org)
    contract = _contract(session, org, vendor, reference="HV-ICT-9")
    session.commit()
    login(client, analyst.email)
    page = client.get(f"/register/vendors/{vendor.id}")
    assert page.status_code == 200
    assert "DORA Art. 30 contract clauses" in page.text and "HV-ICT-9" in page.text
    assert "Contingency plans and security measures" in page.text
    response = client.post(
        f"/register/vendors/{vendor.id}/contracts/{contract.id}/clauses",
        data={"confirmed:Art. 30(3)(f)": "no", "note:Art. 30(3)(f)": "No transition period"},
    )
    assert response.status_code in (200, 303)
    session.commit()  # end the test session's read snapshot to see the request's commit
    assert _rows(session, contract)["Art. 30(3)(f)"].confirmed_status == "no"


def test_vendor_fills_the_checklist_in_the_portal_and_a_bad_status_saves_nothing(client, session):
    org = make_org(session)
    vendor = make_vendor(session, org)
    contract = _contract(session, org, vendor, reference="HV-ICT-7")
    contact = make_vendor_user(session, vendor)
    session.commit()
    login(client, contact.email)
    home = client.get("/portal")
    assert f"/portal/vendors/{vendor.id}/clauses" in home.text
    page = client.get(f"/portal/vendors/{vendor.id}/clauses")
    assert page.status_code == 200 and "HV-ICT-7" in page.text
    assert "Threat-led penetration testing" in page.text  # Art. 30(3): a critical function
    bad = client.post(
        f"/portal/vendors/{vendor.id}/clauses/{contract.id}",
        data={"status:Art. 30(2)(a)": "yes", "status:Art. 30(2)(b)": "sometimes"},
    )
    assert bad.status_code == 422 and "Nothing was saved." in bad.text
    assert "unknown status &#39;sometimes&#39;" in bad.text
    session.commit()  # end the test session's read snapshot to see the request's commit
    assert _rows(session, contract) == {}
    good = client.post(
        f"/portal/vendors/{vendor.id}/clauses/{contract.id}",
        data={"status:Art. 30(2)(a)": "yes", "reference:Art. 30(2)(a)": "Schedule 1"},
    )
    assert good.status_code in (200, 303), good.text[:500]
    session.commit()  # end the test session's read snapshot to see the request's commit
    assert _rows(session, contract)["Art. 30(2)(a)"].reference == "Schedule 1"


def test_a_finding_shows_why_it_has_its_severity(client, session):
    org = make_org(session)
    analyst = make_user(session, org, role=Role.risk_analyst)
    vendor = make_vendor(session, org)
    session.add(
        Finding(
            organisation_id=org.id, vendor_id=vendor.id, key="dora:Art. 30(3)(c)",
            title="DORA Art. 30(3)(c) Contingency plans and security measures: clause missing",
            severity="critical", framework="dora",
            severity_reason="critical because the mandatory clause is missing from a contract "
            "supporting a critical or important function (C-1)",
        )
    )  # fmt: skip
    session.commit()
    login(client, analyst.email)
    for path in (f"/register/vendors/{vendor.id}", f"/register/findings?vendor_id={vendor.id}"):
        page = client.get(path)
        assert "Critical because the mandatory clause is missing from a contract" in page.text
        assert "Art. 30(3)(c)" in page.text
