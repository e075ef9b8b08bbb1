"""Fixtures for sending, reminders, review and re-assessment: a buyer team, three vendors with
contacts, the small questionnaire, and a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from app.models import Organisation, Questionnaire, Role, User, Vendor, VendorContact
from tests.factories import make_org, make_questionnaire, make_user, make_vendor, make_vendor_user
from tests.smtp import Mailbox, running_mailbox


@dataclass
class Team:
    org: Organisation
    procurement: User
    analyst: User
    auditor: User
    vendor_a: Vendor
    vendor_b: Vendor
    vendor_c: Vendor
    contact_a: User  # signed-up contact of vendor A
    pending_a: VendorContact  # contact of vendor A without an account yet
    contact_b: User
    contact_c: User
    questionnaire: Questionnaire
    other_org: Organisation
    outsider: User
    other_vendor: Vendor


@pytest.fixture
def team(session) -> Team:
    org = make_org(session, "Harbour Bank")
    vendor_a = make_vendor(session, org, "Alpha AI GmbH")
    vendor_b = make_vendor(session, org, "Beta Models SA")
    vendor_c = make_vendor(session, org, "Gamma Cloud BV")
    pending = VendorContact(vendor_id=vendor_a.id, name="Pat Pending", email="pat@alpha.example")
    session.add(pending)
    other_org = make_org(session, "Rival Bank")
    built = Team(
        org=org,
        procurement=make_user(session, org, Role.procurement),
        analyst=make_user(session, org, Role.risk_analyst),
        auditor=make_user(session, org, Role.auditor),
        vendor_a=vendor_a,
        vendor_b=vendor_b,
        vendor_c=vendor_c,
        contact_a=make_vendor_user(session, vendor_a),
        pending_a=pending,
        contact_b=make_vendor_user(session, vendor_b),
        contact_c=make_vendor_user(session, vendor_c),
        questionnaire=make_questionnaire(session),
        other_org=other_org,
        outsider=make_user(session, other_org, Role.procurement),
        other_vendor=make_vendor(session, other_org, "Rival Supplier Ltd"),
    )
    session.commit()
    return built


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """The loopback SMTP server (tests/smtp.py), collecting what it receives."""
    with running_mailbox() as box:
        yield box


@pytest.fixture
def smtp_settings(settings, mailbox):
    return settings.model_copy(update={"smtp_host": mailbox.host, "smtp_port": mailbox.port})
