"""PDF report downloads through the web pages, the JSON API and the command line: permission,
tenant scoping, attachment headers, the audit event, and the file opened and read."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select

from app.cli import main
from app.models import ApiToken, AuditEvent
from tests.exports.report_world import NON_LATIN, SIGNER, flat, make_report_world, pdf_text
from tests.helpers import bearer, login


@pytest.fixture
def world(session: Session):
    return make_report_world(session)


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.rollback()  # see what the requests committed
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_assessment_report_download(client, session, world):
    login(client, world.analyst.email)
    page = client.get(f"/assessments/{world.assessment.id}")
    assert f'href="/assessments/{world.assessment.id}/report.pdf"' in page.text
    score_page = client.get(f"/assessments/{world.assessment.id}/score")
    assert f'href="/assessments/{world.assessment.id}/report.pdf"' in score_page.text

    response = client.get(f"/assessments/{world.assessment.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"assay-assessment-{world.assessment.id}-zurich-societe" in disposition
    text = pdf_text(response.content)
    assert "Zürich Société" in text and world.evidence.sha256 in text
    assert SIGNER.split("-")[0] in text
    [event] = _events(session, "assessment.report_exported")
    assert event.actor_id == world.analyst.id
    assert event.data["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_another_organisations_assessment_is_not_found(client, session, world):
    login(client, world.analyst.email)
    response = client.get(f"/assessments/{world.other_assessment.id}/report.pdf")
    assert response.status_code == 404 and "Rival" not in response.text
    assert _events(session, "assessment.report_exported") == []


def test_a_role_without_export_reports_is_refused(client, world):
    login(client, world.procurement.email)
    assert client.get(f"/assessments/{world.assessment.id}/report.pdf").status_code == 403
    assert client.get("/register/report.pdf").status_code == 403
    page = client.get(f"/assessments/{world.assessment.id}")
    assert "report.pdf" not in page.text  # no link the user could not follow


def test_portfolio_report_download_keeps_the_register_filters(client, session, world):
    login(client, world.analyst.email)
    register = client.get("/register?tier=high")
    assert 'href="/register/report.pdf?tier=high"' in register.text
    response = client.get("/register/report.pdf?tier=high")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment; filename=" in response.headers["content-disposition"]
    text = flat(pdf_text(response.content))
    assert "Zürich Société" in text and "tier=high" in text and "Rival" not in text
    assert len(pdf_text(client.get("/register/report.pdf?tier=low").content)) > 0
    events = _events(session, "register.exported")
    assert [e.data["filters"] for e in events] == [{"tier": "high"}, {"tier": "low"}]
    assert [e.data["vendors"] for e in events] == [1, 0]


def test_api_reports_with_a_bearer_token(client, session, world):
    headers = bearer(session, world.analyst, "analyst-token-0123456789")
    other = bearer(session, world.other_analyst, "rival-token-0123456789")
    session.commit()
    response = client.get(f"/api/v1/assessments/{world.assessment.id}/report.pdf", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "Zürich Société" in pdf_text(response.content)
    portfolio = client.get("/api/v1/register/report.pdf?residual=critical", headers=headers)
    assert portfolio.status_code == 200 and "AI third-party risk portfolio" in pdf_text(
        portfolio.content
    )

    foreign = client.get(f"/api/v1/assessments/{world.assessment.id}/report.pdf", headers=other)
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == "application/problem+json"
    assert foreign.json()["status"] == 404
    invalid = client.get("/api/v1/register/report.pdf?tier=enormous", headers=headers)
    assert invalid.status_code == 422 and invalid.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert client.get("/api/v1/register/report.pdf").status_code == 401
    assert len(_events(session, "assessment.report_exported")) == 1
    assert session.exec(select(ApiToken)).all()


def test_api_reports_are_documented_as_pdf_with_problem_errors(client):
    paths = client.app.openapi()["paths"]  # the served copy needs a sign-in
    for path in ("/api/v1/assessments/{assessment_id}/report.pdf", "/api/v1/register/report.pdf"):
        answers = paths[path]["get"]["responses"]
        assert "application/pdf" in answers["200"]["content"]
        for status in ("401", "403"):
            assert "application/problem+json" in answers[status]["content"]
    assert "404" in paths["/api/v1/assessments/{assessment_id}/report.pdf"]["get"]["responses"]


def test_cli_writes_the_reports(monkeypatch, settings, session, world, tmp_path, capsys):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "assessment.pdf"
    assert main(["export", "report", str(world.assessment.id), "--out", str(out)]) == 0
    assert "Wrote" in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    assert NON_LATIN.split(" Ω")[0] in text and world.evidence.sha256 in text

    portfolio = tmp_path / "portfolio.pdf"
    assert main(["export", "portfolio", "--out", str(portfolio)]) == 1  # two organisations
    assert "--org" in capsys.readouterr().err
    assert main(["export", "portfolio", "--out", str(portfolio), "--org", world.org.slug]) == 0
    assert "Zürich Société" in pdf_text(portfolio.read_bytes())

    assert main(["export", "report", "999999", "--out", str(out)]) == 1
    assert "no assessment 999999" in capsys.readouterr().err
    events = _events(session, "assessment.report_exported")
    assert [(e.actor_id, e.actor_label) for e in events] == [(None, "system")]
    assert len(_events(session, "register.exported")) == 1
