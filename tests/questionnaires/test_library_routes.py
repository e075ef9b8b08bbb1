"""The questionnaire library in the browser, the Excel template and the CLI tools."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from app.cli import main
from app.models import Questionnaire, Role
from app.questionnaires.loader import content_hash, load_questionnaire
from app.questionnaires.service import LIBRARY_DIR, publish_library
from app.questionnaires.workbook import definition_from_xlsx, definition_to_xlsx
from tests.factories import make_org, make_user
from tests.helpers import login

LIBRARY_FILE = LIBRARY_DIR / "ai-governance-dora" / "v1.yaml"
SMALL_YAML = b"""
key: supplier-ai-lite
version: 1
title: Supplier AI lite
sections:
  - key: basics
    title: Basics
    questions:
      - key: basics.policy
        text: How mature is your AI policy?
        type: maturity
        levels: {0: none, 1: ad hoc, 2: partial, 3: documented, 4: measured, 5: improving}
        refs: {iso42001: [A.2.2]}
"""


@pytest.fixture
def procurement(client, session):
    org = make_org(session)
    user = make_user(session, org, Role.procurement)
    publish_library(session=session)
    session.commit()
    login(client, user.email)
    return user


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(Questionnaire)).one()


def test_library_lists_the_published_version(client, procurement):
    page = client.get("/questionnaires")
    assert page.status_code == 200
    assert "AI governance" in page.text and "v1" in page.text


def test_detail_page_shows_sections_and_coverage(client, session, procurement):
    row = session.exec(select(Questionnaire)).one()
    page = client.get(f"/questionnaires/{row.id}")
    assert page.status_code == 200
    assert "131 questions" in page.text and "152 of 152 framework items" in page.text


def test_excel_template_round_trip_keeps_the_definition_exactly():
    definition = load_questionnaire(LIBRARY_FILE)
    again = definition_from_xlsx(definition_to_xlsx(definition))
    assert content_hash(again) == content_hash(definition)


def test_excel_template_errors_name_the_row(session):
    workbook = load_workbook(io.BytesIO(definition_to_xlsx(load_questionnaire(LIBRARY_FILE))))
    sheet = workbook["Questions"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=5, column=header.index("type") + 1, value="essay")
    sheet.cell(row=9, column=header.index("levels") + 1, value="seven: great")
    buffer = io.BytesIO()
    workbook.save(buffer)
    from app.questionnaires.loader import QuestionnaireError

    with pytest.raises(QuestionnaireError) as error:
        definition_from_xlsx(buffer.getvalue(), "mine.xlsx")
    lines = {p.line for p in error.value.problems}
    assert 9 in lines  # the malformed levels cell
    text = str(error.value)
    assert "mine.xlsx:9" in text and "levels" in text


def test_upload_yaml_publishes_for_the_organisation(client, session, procurement):
    response = client.post(
        "/questionnaires/upload",
        files={"file": ("lite.yaml", SMALL_YAML, "application/yaml")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = session.exec(select(Questionnaire).where(Questionnaire.key == "supplier-ai-lite")).one()
    assert row.organisation_id == procurement.organisation_id and row.source == "upload"


def test_broken_upload_lists_problems_and_publishes_nothing(client, session, procurement):
    before = _count(session)
    broken = SMALL_YAML.replace(b"A.2.2", b"A.99.1").replace(b"type: maturity", b"type: essay")
    response = client.post(
        "/questionnaires/upload", files={"file": ("broken.yaml", broken, "application/yaml")}
    )
    assert response.status_code == 422
    assert "broken.yaml" in response.text and "was not published" in response.text
    assert _count(session) == before


def test_same_version_with_different_content_is_refused(client, session, procurement):
    client.post("/questionnaires/upload", files={"file": ("a.yaml", SMALL_YAML, "text/yaml")})
    changed = SMALL_YAML.replace(b"Supplier AI lite", b"Supplier AI lite (edited)")
    response = client.post(
        "/questionnaires/upload", files={"file": ("b.yaml", changed, "text/yaml")}
    )
    assert response.status_code == 422 and "new version number" in response.text


def test_other_tenants_uploads_are_not_visible(client, session, procurement):
    other = make_org(session, "Other Bank")
    from app.questionnaires.loader import parse_questionnaire
    from app.questionnaires.service import publish

    row, _ = publish(
        session=session,
        definition=parse_questionnaire(SMALL_YAML),
        organisation_id=other.id,
        source="upload",
    )
    session.commit()
    assert client.get(f"/questionnaires/{row.id}").status_code == 404


def test_auditor_cannot_upload(client, session):
    org = make_org(session)
    auditor = make_user(session, org, Role.auditor)
    session.commit()
    login(client, auditor.email)
    response = client.post(
        "/questionnaires/upload", files={"file": ("a.yaml", SMALL_YAML, "text/yaml")}
    )
    assert response.status_code == 403


def test_cli_check_coverage_and_diff(tmp_path, capsys):
    assert main(["questionnaires", "check"]) == 0
    out = tmp_path / "coverage.xlsx"
    assert main(["questionnaires", "coverage", "--out", str(out)]) == 0
    sheet = load_workbook(out)["Coverage"]
    assert sheet["A1"].value == "Framework" and sheet.max_row > 100
    printed = capsys.readouterr().out
    assert re.search(r"^iso42001 +A\.6\.2\.6 +\d+ +\S", printed, re.M), (
        "matrix row with its questions"
    )
    assert re.search(r"^(\d+) of \1 framework items covered$", printed, re.M)
    second = tmp_path / "v2.yaml"
    second.write_text(LIBRARY_FILE.read_text().replace("version: 1", "version: 2", 1))
    assert main(["questionnaires", "diff", str(LIBRARY_FILE), str(second)]) == 0
    assert "v1 -> " in capsys.readouterr().out


def test_cli_check_fails_on_a_broken_directory(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("key: x\nversion: one\n")
    assert main(["questionnaires", "check", str(tmp_path)]) == 1
    assert "bad.yaml" in capsys.readouterr().out


def test_cli_publish_is_idempotent(monkeypatch, settings, session):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    assert main(["questionnaires", "publish"]) == 0
    assert main(["questionnaires", "publish"]) == 0
    assert _count(session) == 1
