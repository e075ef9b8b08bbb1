"""A scored assessment for the PDF report tests: a vendor with a non-Latin name, hostile answer
text, an evidence file with a known hash, an attestation and audit events; and a second
organisation to prove tenant scoping."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from pypdf import PdfReader
from sqlmodel import Session

from app.assessments.lifecycle import Side
from app.assessments.service import apply_transition
from app.models import Assessment, Evidence, Organisation, Role, User, Vendor
from app.scoring.service import score_assessment_and_store
from tests.factories import make_assessment, make_evidence, make_org, make_user, make_vendor
from tests.scoring.rows import answer, library_questionnaire

HOSTILE = "<b>&lt;script&gt;alert(1)</b> & co"
INJECTION = '=HYPERLINK("http://evil.example","click")'
NON_LATIN = "Zürich Société Ωmega AG"
SIGNER = "Åsa Öberg-Ναυσικά"
TODAY = date(2026, 6, 30)


@dataclass
class ReportWorld:
    org: Organisation
    analyst: User
    procurement: User
    vendor: Vendor
    assessment: Assessment
    evidence: Evidence
    other_org: Organisation
    other_analyst: User
    other_assessment: Assessment


def make_report_world(session: Session) -> ReportWorld:
    org = make_org(session, name="Harbour Bank")
    analyst = make_user(session, org, Role.risk_analyst)
    procurement = make_user(session, org, Role.procurement)
    vendor = make_vendor(
        session, org, NON_LATIN, supports_critical_function=True, data_sensitivity="high"
    )
    questionnaire = library_questionnaire(session)
    assessment = make_assessment(
        session, org, vendor, analyst, questionnaire=questionnaire, status="submitted"
    )
    evidence = make_evidence(
        session, vendor, filename="ai-policy <v2> & annex.pdf", valid_until=date(2099, 1, 1)
    )
    answer(session, assessment, "scope.service_description", HOSTILE, review_state="accepted")
    classified = answer(
        session,
        assessment,
        "scope.classification",
        4,
        review_state="accepted",
        evidence=[(evidence, "accepted")],
    )
    classified.comment = INJECTION
    session.add(classified)
    assessment.attestation = {
        "name": SIGNER,
        "title": "Head of compliance",
        "email": "asa@vendor.example",
        "at": "2026-06-20T09:30:00+00:00",
        "statement": "I confirm that these answers are accurate & complete.",
    }
    session.add(assessment)
    session.flush()
    score_assessment_and_store(session=session, assessment=assessment, actor=analyst, today=TODAY)
    apply_transition(
        session=session, assessment=assessment, name="begin_review", actor=analyst, side=Side.buyer
    )

    other_org = make_org(session, name="Rival Bank")
    other_analyst = make_user(session, other_org, Role.risk_analyst)
    other_vendor = make_vendor(session, other_org, "Rival Vendor Ltd")
    other_assessment = make_assessment(
        session, other_org, other_vendor, other_analyst, questionnaire=questionnaire
    )
    session.commit()
    return ReportWorld(
        org=org,
        analyst=analyst,
        procurement=procurement,
        vendor=vendor,
        assessment=assessment,
        evidence=evidence,
        other_org=other_org,
        other_analyst=other_analyst,
        other_assessment=other_assessment,
    )


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    assert content.startswith(b"%PDF-"), content[:20]
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))


def flat(text: str) -> str:
    """Whitespace (wrapped lines included) as single spaces, to look for phrases."""
    return " ".join(text.split())
