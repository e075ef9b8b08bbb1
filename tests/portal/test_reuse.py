"""Reusing earlier answers: offered only where the vendor allows, copied only when offered."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.assessments.service import save_answer
from app.errors import NotFound
from app.models import AuditEvent, VendorContact
from app.portal import reuse
from tests.factories import (
    make_assessment,
    make_org,
    make_user,
    make_vendor,
)


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
    offers = reuse.previous_answers(
        session=session, user=world.contact, assessment=world.assessment
    )
    assert offers == {}
    reuse.set_reuse(session=session, actor=world.contact, assessment=world.assessment, reuse=True)
    offers = reuse.previous_answers(
        session=session, user=world.contact, assessment=world.assessment
    )
    assert offers["gov.role"].display == "Deployer"
    assert offers["gov.role"].buyer == "Second Bank"
    answer = reuse.use_previous(
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
        reuse.use_previous(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            key="gov.role",
            source_answer_id=12345,
            expected_version=0,
        )
