"""A buyer, a vendor with two contacts, and an assessment of the small questionnaire, sent."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.models import Assessment, Organisation, Role, User, Vendor
from tests.factories import make_assessment, make_org, make_user, make_vendor, make_vendor_user

EVIDENCE_ONLY = {
    "key": "gov.register",
    "text": "Upload your AI register.",
    "type": "evidence_only",
    "evidence": {"kinds": ["record"], "required_from_level": 0},
}


@dataclass
class World:
    org: Organisation
    buyer: User
    vendor: Vendor
    admin: User
    contact: User
    assessment: Assessment


@pytest.fixture
def world(session: Session) -> World:
    org = make_org(session, "Harbour Bank")
    buyer = make_user(session, org, Role.procurement)
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    admin = make_vendor_user(session, vendor, Role.vendor_admin)
    contact = make_vendor_user(session, vendor)
    assessment = make_assessment(session, org, vendor, buyer)
    session.commit()
    return World(org, buyer, vendor, admin, contact, assessment)
