"""The dashboard: figures from aggregate queries, charts as SVG without inline styles, the
buyer's home page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session

from app.dashboard.service import dashboard
from app.models import Role, utcnow
from tests.factories import make_assessment, make_evidence, make_org, make_user, make_vendor
from tests.helpers import login
from tests.register.portfolio import StatementCounter, add_scored_vendor


def _portfolio(session: Session):
    org = make_org(session)
    analyst = make_user(session, org, Role.risk_analyst)
    add_scored_vendor(session, org, analyst, tier="critical", overall=1.2, residual="critical",
                      findings={"critical": 2, "high": 1})  # fmt: skip
    add_scored_vendor(session, org, analyst, tier="critical", overall=3.4, residual="medium")
    add_scored_vendor(session, org, analyst, tier="low", overall=4.0, residual="low",
                      findings={"low": 1})  # fmt: skip
    late = make_assessment(session, org, make_vendor(session, org), analyst, status="sent")
    late.due_date = utcnow().date() - timedelta(days=3)
    vendor = make_vendor(session, org, "Expiring Files Ltd")
    make_evidence(session, vendor, filename="iso-cert.pdf",
                  valid_until=utcnow().date() + timedelta(days=10))  # fmt: skip
    make_evidence(session, vendor, valid_until=utcnow().date() + timedelta(days=400))
    session.commit()
    return org, analyst


def test_dashboard_figures(session, engine):
    org, _ = _portfolio(session)
    with StatementCounter(engine) as counter:
        d = dashboard(session=session, organisation_id=org.id, today=utcnow().date())
    assert counter.count <= 10, counter.statements  # one query per figure, whatever the size
    assert d.vendors == 5 and d.overdue_assessments == 1
    assert d.by_status == {"completed": 3, "sent": 1}
    assert d.maturity == [0, 1, 0, 1, 1, 0] and d.unscored == 2
    assert d.heat == {("critical", "critical"): 1, ("critical", "medium"): 1, ("low", "low"): 1}
    assert d.findings == {"critical": 2, "high": 1, "low": 1}
    assert d.expiring_count == 1 and d.expiring[0][0].filename == "iso-cert.pdf"


def test_dashboard_is_the_buyer_home_with_svg_charts(client, session):
    _, analyst = _portfolio(session)
    login(client, analyst.email)
    for path in ("/", "/dashboard"):
        page = client.get(path)
        assert page.status_code == 200
        text = page.text
        assert f"Welcome, {analyst.name}" in text
        assert text.count("<svg") == 4
        assert 'aria-label="Inherent tier × residual risk"' in text
        assert "style=" not in text and "<script>" not in text
        assert "iso-cert.pdf" in text
    heat = re.search(r'<svg[^>]*aria-label="Inherent tier × residual risk".*?</svg>', text, re.S)
    assert "critical × residual risk critical: 1" in heat.group(0)


def test_vendor_users_keep_their_own_home(client, session):
    org = make_org(session)
    vendor = make_vendor(session, org)
    from tests.factories import make_vendor_user

    contact = make_vendor_user(session, vendor)
    session.commit()
    login(client, contact.email)
    assert client.get("/dashboard").status_code == 403
    assert "<svg" not in client.get("/").text
