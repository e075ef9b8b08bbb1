"""Submitting: what is still missing, and the receipt of what was submitted."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.assessments.service import save_answer
from app.errors import InvalidInput
from app.portal import submission
from app.portal.submission import (
    ReceiptData,
    build_receipt,
)
from tests.assessments.sheets import question, sheet_file, sheet_item, sheet_section
from tests.factories import (
    SMALL_QUESTIONNAIRE,
    make_assessment,
    make_questionnaire,
)
from tests.portal.conftest import EVIDENCE_ONLY


def test_missing_items_cover_hidden_required_and_evidence_only(session, world):
    definition = {
        **SMALL_QUESTIONNAIRE,
        "key": "with-register",
        "sections": [
            {
                **SMALL_QUESTIONNAIRE["sections"][0],
                "questions": [*SMALL_QUESTIONNAIRE["sections"][0]["questions"], EVIDENCE_ONLY],
            }
        ],
    }
    assessment = make_assessment(
        session, world.org, world.vendor, world.procurement, make_questionnaire(session, definition)
    )
    session.commit()
    keys = [m.key for m in submission.missing_items(session=session, assessment=assessment)]
    assert keys == ["gov.policy", "gov.role", "gov.register"]  # provider_qms hidden, notes optional
    save_answer(
        session=session,
        actor=world.contact,
        assessment=assessment,
        key="gov.role",
        raw_value="provider",
        expected_version=0,
    )
    save_answer(
        session=session,
        actor=world.contact,
        assessment=assessment,
        key="gov.policy",
        raw_value="2",
        expected_version=0,
    )
    missing = submission.missing_items(session=session, assessment=assessment)
    assert [m.key for m in missing] == ["gov.provider_qms", "gov.register"]
    assert missing[1].reason == "Attach a file."
    with pytest.raises(InvalidInput) as refused:
        submission.submit(
            session=session,
            actor=world.contact,
            assessment=assessment,
            name="A",
            title="B",
            confirmed=True,
        )
    assert "2 required item(s) are missing." in refused.value.details


def test_receipt_is_a_pdf_with_every_answer_and_hash():
    digest = "ab" * 32
    pdf = build_receipt(
        ReceiptData(
            assessment_id=7,
            questionnaire="AI governance",
            buyer="Harbour Bank",
            vendor="Cobalt Cloud SE",
            submitted_at="2026-11-22 10:00",
            signer_name="Chen Wei",
            signer_title="CISO",
            signer_email="chen@example.com",
            statement="I confirm.",
            sections=[
                sheet_section(
                    "Governance",
                    [
                        sheet_item(
                            question("gov.policy"),
                            4,
                            comment="See file",
                            files=[sheet_file("policy.pdf", digest)],
                        )
                    ],
                )
            ],
        )
    )
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "How mature is your AI policy?" in text and "4 – level 4" in text
    assert digest in text.replace("\n", "")
