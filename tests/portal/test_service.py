"""Portal service functions called directly: reuse across buyers, missing items, delegation."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.assessments.service import save_answer
from app.errors import InvalidInput, NotFound
from app.models import AuditEvent, SectionAssignment, VendorContact
from app.portal import service
from app.portal.receipt import (
    ReceiptAnswer,
    ReceiptData,
    ReceiptFile,
    ReceiptSection,
    build_receipt,
)
from tests.factories import (
    SMALL_QUESTIONNAIRE,
    make_assessment,
    make_org,
    make_questionnaire,
    make_user,
    make_vendor,
)
from tests.portal.conftest import EVIDENCE_ONLY


def _other_buyer_answer(session, world, key: str, value):
    """The same company, invited by another bank, answered `key` there."""
    other_org = make_org(session, "Second Bank")
    other_buyer = make_user(session, other_org)
    other_vendor = make_vendor(session, other_org, "Cobalt Cloud SE")
    session.add(
        VendorContact(
            vendor_id=other_vendor.id,
            name=world.contact.name,
            email=world.contact.email,
            user_id=world.contact.id,
        )
    )
    elsewhere = make_assessment(session, other_org, other_vendor, other_buyer)
    session.commit()
    save_answer(
        session=session,
        actor=world.contact,
        assessment=elsewhere,
        key=key,
        raw_value=value,
        expected_version=0,
    )
    session.commit()


def test_answers_for_other_buyers_are_offered_only_after_opting_in(session, world):
    _other_buyer_answer(session, world, "gov.role", "deployer")
    offers = service.previous_answers(
        session=session, user=world.contact, assessment=world.assessment
    )
    assert offers == {}
    service.set_reuse(session=session, actor=world.contact, assessment=world.assessment, reuse=True)
    offers = service.previous_answers(
        session=session, user=world.contact, assessment=world.assessment
    )
    assert offers["gov.role"].display == "Deployer"
    assert offers["gov.role"].buyer == "Second Bank"
    answer = service.use_previous(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        key="gov.role",
        source_answer_id=offers["gov.role"].answer.id,
        expected_version=0,
    )
    assert answer.value == "deployer"
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"assessment.reuse_set", "answer.prefilled", "answer.saved"} <= actions


def test_an_offer_that_was_not_made_cannot_be_used(session, world):
    with pytest.raises(NotFound):
        service.use_previous(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            key="gov.role",
            source_answer_id=12345,
            expected_version=0,
        )


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
    keys = [m.key for m in service.missing_items(session=session, assessment=assessment)]
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
    missing = service.missing_items(session=session, assessment=assessment)
    assert [m.key for m in missing] == ["gov.provider_qms", "gov.register"]
    assert missing[1].reason == "Attach a file."
    with pytest.raises(InvalidInput) as refused:
        service.submit(
            session=session,
            actor=world.contact,
            assessment=assessment,
            name="A",
            title="B",
            confirmed=True,
        )
    assert "2 required item(s) are missing." in refused.value.details


def test_assignment_is_audited_and_limited_to_the_vendors_people(session, world):
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=world.contact.id,
    )
    assert session.exec(select(SectionAssignment)).one().user_id == world.contact.id
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=None,
    )
    assert session.exec(select(SectionAssignment)).first() is None
    assert (
        len(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "assessment.section_assigned")
            ).all()
        )
        == 2
    )
    with pytest.raises(NotFound):
        service.assign_section(
            session=session,
            actor=world.vendor_admin,
            assessment=world.assessment,
            section_key="governance",
            user_id=world.procurement.id,
        )
    view = service.assessment_view(
        session=session, user=world.contact, assessment=world.assessment, today=date.today()
    )
    assert [s.key for s in view.sections] == ["governance"]


def test_display_value_reads_like_the_page(session, world):
    from app.questionnaires.service import questionnaire_of

    q = questionnaire_of(session, world.assessment).by_key
    assert service.display_value(q["gov.policy"], 3) == "3 – level 3"
    assert service.display_value(q["gov.role"], "provider") == "Provider"
    assert service.display_value(q["gov.notes"], None) == "—"


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
                ReceiptSection(
                    "Governance",
                    [
                        ReceiptAnswer(
                            "gov.policy",
                            "How mature is your AI policy?",
                            "4 – measured",
                            "See file",
                            [ReceiptFile("policy.pdf", digest, 1234)],
                        )
                    ],
                )
            ],
        )
    )
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "How mature is your AI policy?" in text and "4 – measured" in text
    assert digest in text.replace("\n", "")
