"""Register pages as a browser sees them: content, in-place edits through htmx, permissions,
the score explanation with its Re-score action, and the JSON API."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Finding, Role, ScoreResult
from tests.factories import make_assessment, make_evidence, make_org, make_user, make_vendor
from tests.helpers import login
from tests.register.portfolio import StatementCounter, add_scored_vendor, make_function
from tests.scoring.rows import answer, library_questionnaire

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session):
    org = make_org(session)
    analyst = make_user(session, org, Role.risk_analyst)
    auditor = make_user(session, org, Role.auditor)
    function = make_function(session, org, "F2")
    built = add_scored_vendor(
        session, org, analyst, name="Veridian Scoring Ltd", overall=1.5, residual="critical",
        findings={"critical": 2}, function=function,
    )  # fmt: skip
    session.commit()
    return org, analyst, auditor, built.vendor


def test_register_page_shows_each_vendor_row(client, world):
    _, analyst, _, vendor = world
    login(client, analyst.email)
    page = client.get("/register")
    assert page.status_code == 200
    text = page.text
    assert "Veridian Scoring Ltd" in text and "2 critical" in text
    assert 'class="level l1"' in text and "claimed 2.0 · verified 0.5" in text
    assert "F2 Function F2" in text and "S19" in text
    assert f'hx-get="/register/vendors/{vendor.id}/edit"' in text
    assert "style=" not in text  # the CSP forbids inline styles


def test_register_page_query_count_does_not_grow_with_vendors(client, session, engine, world):
    org, analyst, _, _ = world
    login(client, analyst.email)
    client.get("/register")
    with StatementCounter(engine) as small:
        assert client.get("/register").status_code == 200
    for _ in range(40):
        add_scored_vendor(session, org, analyst, findings={"high": 1, "low": 2})
    session.commit()
    with StatementCounter(engine) as large:
        page = client.get("/register")
    assert page.text.count('<tr id="vendor-') == 41
    assert small.count == large.count, large.statements


def test_in_place_treatment_edit_is_saved_audited_and_shown(client, session, world):
    _, analyst, _, vendor = world
    login(client, analyst.email)
    form = client.get(f"/register/vendors/{vendor.id}/edit", headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text  # a fragment: the row only
    assert f'hx-post="/register/vendors/{vendor.id}/treatment"' in form.text
    saved = client.post(
        f"/register/vendors/{vendor.id}/treatment",
        data={"owner_id": str(analyst.id), "treatment": "transfer",
              "justification": "Cyber insurance covers the gap", "due": "2026-12-31"},
        headers=HTMX,
    )  # fmt: skip
    assert saved.status_code == 200
    assert saved.text.strip().startswith(f'<tr id="vendor-{vendor.id}">')
    assert "transfer" in saved.text and "2026-12-31" in saved.text and analyst.name in saved.text
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "register.treatment_updated")
    ).one()
    assert event.actor_id == analyst.id and event.data["changes"]["treatment"]["to"] == "transfer"
    detail = client.get(f"/register/vendors/{vendor.id}")
    assert "register.treatment_updated" in detail.text and "Cyber insurance" in detail.text

    refused = client.post(
        f"/register/vendors/{vendor.id}/treatment", data={"treatment": "accept"}, headers=HTMX
    )
    assert refused.status_code == 422 and "justification" in refused.text


def test_plain_form_post_redirects_back_to_the_register(client, world):
    _, analyst, _, vendor = world
    login(client, analyst.email)
    page = client.get(f"/register/vendors/{vendor.id}/edit")
    assert "<html" in page.text and 'name="justification"' in page.text
    response = client.post(
        f"/register/vendors/{vendor.id}/treatment",
        data={"treatment": "avoid", "justification": "Replace the vendor"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/register"


def test_auditors_read_but_cannot_edit(client, world):
    _, _, auditor, vendor = world
    login(client, auditor.email)
    page = client.get("/register")
    assert page.status_code == 200 and "/edit" not in page.text
    assert (
        client.post(
            f"/register/vendors/{vendor.id}/treatment", data={"treatment": "avoid"}
        ).status_code
        == 403
    )


def test_findings_register_edit_and_add(client, session, world):
    _, analyst, _, vendor = world
    login(client, analyst.email)
    page = client.get("/register/findings?severity=critical")
    assert page.status_code == 200 and page.text.count('<tr id="finding-') == 2
    finding = session.exec(select(Finding)).first()
    row = client.post(
        f"/register/findings/{finding.id}",
        data={"status": "in_progress", "owner_id": str(analyst.id), "due_date": "2026-10-01",
              "treatment": "Vendor fixing"},
        headers=HTMX,
    )  # fmt: skip
    assert row.status_code == 200 and "in progress" in row.text and "2026-10-01" in row.text
    added = client.post(
        "/register/findings",
        data={"vendor_id": str(vendor.id), "title": "=HYPERLINK(\"http://x\",\"y\")",
              "severity": "high", "framework": "dora", "control_ids": "Art. 28(8), Art. 30(3)(f)"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    session.rollback()  # see what the request committed
    manual = session.exec(select(Finding).where(Finding.source == "manual")).one()
    assert manual.refs == {"dora": ["Art. 28(8)", "Art. 30(3)(f)"]}
    listed = client.get("/register/findings?framework=manual")
    assert "=HYPERLINK(&#34;http://x&#34;" in listed.text or "=HYPERLINK(&quot;" in listed.text


def test_concentration_page_lists_shared_providers(client, session, world):
    org, analyst, _, _ = world
    add_scored_vendor(session, org, analyst, name="Second OpenAI user", model_provider="OpenAI")
    session.commit()
    login(client, analyst.email)
    page = client.get("/register/concentration?shared=yes")
    assert page.status_code == 200
    assert "OpenAI" in page.text and "2 vendors" in page.text and "Second OpenAI user" in page.text
    assert "F2 Function F2" in page.text


def test_score_page_explains_levels_caps_and_evidence_and_rescore(client, session):
    org = make_org(session)
    analyst = make_user(session, org, Role.risk_analyst)
    vendor = make_vendor(session, org, "Explained Ltd")
    questionnaire = library_questionnaire(session)
    assessment = make_assessment(
        session, org, vendor, analyst, questionnaire=questionnaire, status="submitted"
    )
    expired = make_evidence(
        session,
        vendor,
        filename="leadership-charter.pdf",
        valid_until=date(2020, 1, 31),
        kind="record",  # a kind aims.leadership asks for: only its date is wrong
    )
    answer(session, assessment, "aims.leadership", 4, evidence=[(expired, "pending")])
    screenshot = make_evidence(session, vendor, filename="screenshot.png", kind="certificate")
    answer(session, assessment, "aims.context", 3, evidence=[(screenshot, "accepted")])
    session.commit()
    login(client, analyst.email)
    assert "not been scored yet" in client.get(f"/assessments/{assessment.id}/score").text

    rescored = client.post(f"/assessments/{assessment.id}/score", follow_redirects=False)
    assert rescored.status_code == 303
    page = client.get(f"/assessments/{assessment.id}/score").text
    assert "ISO/IEC 42001 5.1 Leadership and commitment" in page
    assert "the evidence is past its valid-until date" in page
    assert "leadership-charter.pdf" in page and expired.sha256 in page
    assert "self-attested" in page and "style=" not in page
    # A file of a kind the question does not ask for is ignored, and the page says why.
    assert "a certificate, not a kind this question asks for" in page
    assert "the evidence is not of a kind this question asks for" in page
    assert "residual risk (provisional: not yet reviewed)" in page
    session.rollback()
    assert session.exec(select(ScoreResult).where(ScoreResult.assessment_id == assessment.id)).one()

    auditor = make_user(session, org, Role.auditor)
    session.commit()
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token")
    login(client, auditor.email)
    page = client.get(f"/assessments/{assessment.id}/score")
    assert page.status_code == 200 and "Re-score now" not in page.text
    assert client.post(f"/assessments/{assessment.id}/score").status_code == 403


def test_register_api_json(client, session, world):
    _, analyst, _, _vendor = world
    login(client, analyst.email)
    body = client.get("/api/v1/register?sort=-overall").json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["legal_name"] == "Veridian Scoring Ltd" and item["maturity"] == 1.5
    assert item["open_findings"] == {"critical": 2}
    assert item["critical_functions"] == ["F2 Function F2"]
    assert item["domains"][0]["key"] == "iso42001:A.2"
    bad = client.get("/api/v1/register?sort=nope")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert re.search(r"sort", bad.json()["detail"])
