"""The assessment report PDF, opened with a PDF text extractor: the builder on its own, and the
service on real rows (library questionnaire, answers, evidence, score, attestation, audit)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.exports.assessment_report import (
    AssessmentReport,
    AuditExcerpt,
    ReportAttestation,
    ReportDomain,
    ReportEvent,
    ReportFinding,
    ReportScore,
    build_assessment_report,
    domain_label,
)
from app.exports.pdf import fonts
from app.exports.reports import (
    assessment_report_data,
    export_assessment_report,
    file_slug,
    refs_text,
)
from app.models import AuditEvent, Finding, ReviewState, ScoreResult
from tests.assessments.sheets import question, sheet_file, sheet_item, sheet_section
from tests.exports.report_world import (
    HOSTILE,
    INJECTION,
    NON_LATIN,
    SIGNER,
    flat,
    make_report_world,
    pdf_pages,
    pdf_text,
)

SHA = "3f" * 32
CHAIN_HASH = "c0ffee" + "0" * 58


def _report(**changes) -> AssessmentReport:
    values = dict(
        assessment_id=42,
        vendor="Cobalt Cloud SE",
        vendor_identifier="5299001COBALTCLOUD74",
        vendor_country="DE",
        buyer="Harbour Bank",
        questionnaire="AI governance and DORA due diligence",
        questionnaire_version="ai-governance-dora v1",
        status="under_review",
        dates=[("Sent", datetime(2026, 5, 1, 9, 0, tzinfo=UTC)), ("Due", date(2026, 6, 1))],
        score=ReportScore(
            model_version="2026.1",
            scored_at=datetime(2026, 6, 2, 10, 0, tzinfo=UTC),
            overall=2.63,
            level_name="Non-standard processes",
            claimed=3.9,
            verified=1.4,
            inherent_tier="critical",
            target=4,
            residual="high",
            tier_reasons=["+4 supports a critical or important function (DORA)"],
            residual_basis=2.63,
            residual_gap=1.37,
        ),
        domains=[
            ReportDomain(
                "iso42001:A.2", "A.2 Policies related to AI", "iso42001", True, 3.0, 2.5, 1.0
            ),
            ReportDomain(
                "dora:contractual",
                "DORA contractual provisions (Art. 30)",
                "dora",
                True,
                3.2,
                2.8,
                2.0,
            ),
        ],
        findings=[
            ReportFinding("low", "open", "Minor gap", ["DORA Art. 30(2)(c)"], 3.5, 4),
            ReportFinding(
                "critical", "open", "AI policy below target", ["ISO/IEC 42001 A.2.2"], 1.0, 4
            ),
        ],
        sections=[
            sheet_section(
                "Governance",
                [
                    sheet_item(
                        question("gov.policy"),
                        4,
                        verdict=ReviewState.accepted,
                        comment="See the annex",
                        files=[
                            sheet_file(
                                "policy.pdf",
                                SHA,
                                status=ReviewState.accepted,
                                valid_until=date(2027, 3, 31),
                                validity="valid",
                            )
                        ],
                    ),
                    sheet_item(question("gov.notes"), answered=False),
                ],
            )
        ],
        attestation=ReportAttestation(
            "Chen Wei", "CISO", "chen@example.com", "2026-05-20 10:00:00 UTC", "I confirm."
        ),
        audit=AuditExcerpt(
            chain="org:1",
            events=[
                ReportEvent(
                    7, datetime(2026, 5, 1, 9, 0), "Paul <paul@bank.example>", "assessment.send"
                ),
                ReportEvent(9, datetime(2026, 6, 2, 10, 0), "system", "assessment.scored"),
            ],
            answer_events={"answer.accepted": 12},
            last_hash=CHAIN_HASH,
            last_sequence=9,
        ),
        generated_at=datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
        generated_by="Rita <rita@bank.example>",
    )
    values.update(changes)
    return AssessmentReport(**values)


def test_the_report_shows_summary_findings_answers_attestation_and_audit():
    pages = pdf_pages(build_assessment_report(_report()))
    text = "\n".join(pages)
    assert "Vendor AI assessment report" in pages[0] and "Cobalt Cloud SE" in pages[0]
    assert "2.6" in pages[0] and "Non-standard processes" in pages[0]
    assert "3.9 / 1.4" in pages[0] and "ai-governance-dora v1" in pages[0]
    assert "Maturity by domain" in text and "DORA contractual provisions (Art. 30)" in text
    assert "Residual risk is high" in text
    assert "ISO/IEC 42001 A.2.2" in text and "DORA Art. 30(2)(c)" in text
    assert text.index("AI policy below target") < text.index("Minor gap")  # critical first
    assert "How mature is your AI policy?" in text and "4 – level 4" in text
    assert SHA in text and "valid until 2027-03-31" in text and "not answered" in text
    assert "Chen Wei" in text and "CISO" in text
    assert "assessment.scored" in text and "answer.accepted × 12" in text
    assert CHAIN_HASH in text
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert all("Assessment report #42 · Cobalt Cloud SE" in page for page in pages)


def test_an_unscored_assessment_without_answers_still_makes_a_report():
    content = build_assessment_report(
        _report(
            score=None,
            domains=[],
            findings=[],
            sections=[],
            attestation=None,
            audit=AuditExcerpt("org:1", []),
        )
    )
    text = pdf_text(content)
    assert "has not been scored yet" in text and "has not attested" in text
    assert "No findings yet" in text
    assert "No audit events" in text


def test_hostile_text_is_printed_literally_never_read_as_markup():
    content = build_assessment_report(
        _report(
            vendor="A & B <i>Ltd</i>",
            sections=[
                sheet_section(
                    "Scope <script>",
                    [sheet_item(question("gov.notes", "Q & A?"), HOSTILE, comment=INJECTION)],
                )
            ],
        )
    )
    text = pdf_text(content)
    assert HOSTILE in text and INJECTION in text
    assert "A & B <i>Ltd</i>" in text and "Scope <script>" in text


def test_non_latin_text_does_not_break_the_report():
    content = build_assessment_report(_report(vendor=NON_LATIN, buyer="Банк Москва"))
    text = pdf_text(content)
    assert "Zürich Société" in text
    if fonts().unicode:  # DejaVu installed: even the Greek and Cyrillic letters print
        assert NON_LATIN in text and "Банк Москва" in text


def test_pdftotext_reads_the_report_too():
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    content = build_assessment_report(_report())
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert "Cobalt Cloud SE" in text and SHA in text and "Chen Wei" in text


def test_short_domain_labels_and_references():
    assert domain_label("iso42001:A.6", "A.6 AI system life cycle") == "A.6"
    assert domain_label("iso42001:8", "Clause 8 Operation") == "Cl. 8"
    assert domain_label("dora:third_party_risk", "DORA ICT third-party risk (Art. 28–29)") == (
        "DORA 28–29"
    )
    assert domain_label("ai_act:duties", "AI Act duties") == "AI Act"
    assert refs_text({"iso42001": ["A.2.2"], "dora": ["Art. 30(2)(c)"]}) == [
        "ISO/IEC 42001 A.2.2",
        "DORA Art. 30(2)(c)",
    ]
    assert file_slug(NON_LATIN) == "zurich-societe-mega-ag"


# --- the service on real rows --------------------------------------------------------------------


@pytest.fixture
def world(session: Session):
    return make_report_world(session)


def test_service_report_of_a_scored_assessment(session, world):
    score = session.exec(
        select(ScoreResult).where(ScoreResult.assessment_id == world.assessment.id)
    ).one()
    finding = session.exec(
        select(Finding)
        .where(Finding.assessment_id == world.assessment.id)
        .order_by(col(Finding.severity))
    ).first()
    assert finding is not None and finding.refs  # the score raised findings with references
    report = export_assessment_report(
        session=session,
        organisation_id=world.org.id,
        assessment_id=world.assessment.id,
        actor=world.analyst,
        generated_by="Tester",
    )
    text = pdf_text(report.content)
    overall = f"{score.overall_maturity:.1f} overall maturity: {score.level_name}"
    assert overall in flat(text)
    assert refs_text(finding.refs)[0] in text
    assert world.evidence.sha256 in text and "ai-policy <v2> & annex.pdf" in text
    assert SIGNER.split("-")[0] in text and "Head of compliance" in text
    assert "assessment.scored" in text and "assessment.begin_review" in text
    assert HOSTILE in text and INJECTION in text
    last = session.exec(
        select(AuditEvent)
        .where(AuditEvent.object_type == "assessment", AuditEvent.action == "assessment.begin_review")
    ).one()  # fmt: skip
    assert last.hash in text  # the newest event of the assessment before the export
    assert report.filename.startswith(f"assay-assessment-{world.assessment.id}-zurich-societe")

    exported = session.exec(
        select(AuditEvent).where(AuditEvent.action == "assessment.report_exported")
    ).one()
    assert exported.object_id == str(world.assessment.id) and exported.actor_id == world.analyst.id
    assert exported.data["sha256"] == hashlib.sha256(report.content).hexdigest()


def test_service_only_shows_visible_questions_in_questionnaire_order(session, world):
    data = assessment_report_data(
        session=session,
        organisation_id=world.org.id,
        assessment_id=world.assessment.id,
        generated_by="Tester",
    )
    keys = [item.key for s in data.sections for item in s.shown]
    assert keys.index("scope.service_description") < keys.index("scope.classification")
    assert "cert.iso42001_scope" not in keys  # shown only for a certified vendor
    classified = next(
        item for s in data.sections for item in s.shown if item.key == "scope.classification"
    )
    assert classified.verdict == "accepted" and classified.comment == INJECTION
    assert [(f.evidence.sha256, f.status, f.validity) for f in classified.files] == [
        (world.evidence.sha256, "accepted", "valid")
    ]
    assert data.score is not None and data.score.tier_reasons and data.domains


def test_service_refuses_another_organisations_assessment(session, world):
    with pytest.raises(NotFound):
        export_assessment_report(
            session=session,
            organisation_id=world.org.id,
            assessment_id=world.other_assessment.id,
            actor=world.analyst,
            generated_by="Tester",
        )
    assert not session.exec(
        select(AuditEvent).where(AuditEvent.action == "assessment.report_exported")
    ).all()
