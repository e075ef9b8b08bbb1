"""The list pages cost the same number of SQL statements for 5 vendors as for 50: no N+1.

Each page is requested through the app as a signed-in analyst, with a portfolio of 5 vendors and
again of 50 (each with a contract, an AI system, a completed assessment, a current score and
findings), and its statements are counted with a `before_cursor_execute` listener. The pages
must also show the bigger portfolio, so an empty page cannot pass. The vendor portal's
assessment page gets the same check for the earlier answers it offers beside each question.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from app.models import Answer, AnswerEvidence, Role
from tests.factories import make_assessment, make_evidence, make_org, make_user, make_vendor_user
from tests.helpers import login
from tests.register.portfolio import StatementCounter, add_scored_vendor, make_function

# path → what marks one row of the page (a figure, for the dashboard)
PAGES = {
    "/register": r'<tr id="vendor-\d+"',
    "/register/findings": r'<tr id="finding-\d+"',
    "/vendors": r'<td><a href="/vendors/\d+">',
    "/assessments": r'<td><a href="/assessments/\d+">',
    "/dashboard": r'<span class="value">50</span></a> vendors',
}


@pytest.fixture
def portfolio(session: Session):
    org = make_org(session)
    analyst = make_user(session, org, Role.risk_analyst)
    function = make_function(session, org, "F1")
    session.commit()

    def grow_to(count: int) -> None:
        while len(added) < count:
            added.append(
                add_scored_vendor(
                    session, org, analyst, function=function, findings={"high": 1, "low": 2}
                )
            )
        session.commit()

    added: list = []
    grow_to(5)
    return analyst, grow_to


def _statements(engine, client, path: str) -> tuple[list[str], str]:
    with StatementCounter(engine) as counter:
        page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return counter.statements, page.text


@pytest.mark.parametrize("path", PAGES)
def test_a_list_page_costs_the_same_statements_for_5_or_50_vendors(client, engine, portfolio, path):
    analyst, grow_to = portfolio
    login(client, analyst.email)
    client.get(path)  # first use: questionnaire and template caches
    few, small = _statements(engine, client, path)
    grow_to(50)
    many, large = _statements(engine, client, path)
    assert len(re.findall(PAGES[path], large)) > len(re.findall(PAGES[path], small))
    assert len(many) == len(few), "\n".join(many)


def test_the_portal_page_costs_the_same_statements_for_1_or_3_earlier_answers(
    client, session, engine
):
    org = make_org(session)
    buyer = make_user(session, org, Role.procurement)
    analyst = make_user(session, org, Role.risk_analyst)
    vendor = add_scored_vendor(session, org, analyst).vendor
    contact = make_vendor_user(session, vendor)
    earlier = make_assessment(session, org, vendor, buyer, status="completed")
    current = make_assessment(session, org, vendor, buyer)  # the same (small) questionnaire
    session.commit()
    login(client, contact.email)
    path = f"/portal/assessments/{current.id}"

    def answer_earlier(key: str, value) -> None:
        answer = Answer(assessment_id=earlier.id, question_key=key, value=value)
        session.add(answer)
        session.flush()
        file = make_evidence(session, vendor, filename=f"{key}.pdf")
        session.add(AnswerEvidence(answer_id=answer.id, evidence_id=file.id))
        session.commit()

    answer_earlier("gov.policy", 3)
    client.get(path)
    few, small = _statements(engine, client, path)
    answer_earlier("gov.role", "provider")
    answer_earlier("gov.notes", "Reviewed every quarter by the AI board.")
    many, large = _statements(engine, client, path)
    assert large.count("gov.role.pdf") > small.count("gov.role.pdf")  # the offers are shown
    assert len(many) == len(few), "\n".join(many)
