"""The few worlds tests start from, built with the `make_*` factories.

A world is a dataclass: tests read `world.procurement`, `world.vendor`, never string keys. Each
one extends the one before: a buyer organisation with a user in each role; the buyer with a vendor
and its two contacts; that vendor sent an assessment. Builders flush and leave the commit to the
fixture. A second tenant is another world of the same kind (`rival`), built beside the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.models import Assessment, Organisation, Questionnaire, Role, User, Vendor, VendorContact
from tests.factories import (
    make_assessment,
    make_org,
    make_questionnaire,
    make_user,
    make_vendor,
    make_vendor_user,
)


@dataclass
class Buyer:
    """A buyer organisation and one user in each of its roles."""

    org: Organisation
    admin: User
    procurement: User
    analyst: User  # risk analyst
    auditor: User


@dataclass
class BuyerWithVendor(Buyer):
    """A buyer and one of its vendors, with a vendor admin and a vendor contact signed up."""

    vendor: Vendor
    vendor_admin: User
    contact: User


@dataclass
class SentAssessment(BuyerWithVendor):
    """The vendor has been sent an assessment of `questionnaire` (the small one by default) by
    the buyer's procurement."""

    questionnaire: Questionnaire
    assessment: Assessment


@dataclass
class Team(Buyer):
    """A buyer sending the small questionnaire to three vendors, each with a signed-up contact;
    vendor A has a second contact who has no account yet."""

    questionnaire: Questionnaire
    vendor_a: Vendor
    vendor_b: Vendor
    vendor_c: Vendor
    contact_a: User
    contact_b: User
    contact_c: User
    pending_a: VendorContact


def make_buyer(session: Session, name: str = "Acme Bank", **org_values) -> Buyer:
    org = make_org(session, name, **org_values)
    return Buyer(org, *_users(session, org))


def make_buyer_with_vendor(
    session: Session, name: str = "Acme Bank", vendor_name: str | None = None, **vendor_values
) -> BuyerWithVendor:
    org = make_org(session, name)
    vendor = make_vendor(session, org, vendor_name, **vendor_values)
    return BuyerWithVendor(org, *_users(session, org), *_vendor_users(session, vendor))


def make_sent_assessment(
    session: Session,
    name: str = "Harbour Bank",
    vendor_name: str = "Cobalt Cloud SE",
    questionnaire: Questionnaire | None = None,
    status: str = "sent",
    **vendor_values,
) -> SentAssessment:
    """`status`: where the assessment stands now (sent, submitted…)."""
    base = make_buyer_with_vendor(session, name, vendor_name, **vendor_values)
    questionnaire = questionnaire or make_questionnaire(session)
    assessment = make_assessment(
        session, base.org, base.vendor, base.procurement, questionnaire, status
    )
    return SentAssessment(**vars(base), questionnaire=questionnaire, assessment=assessment)


def make_team(session: Session, name: str = "Harbour Bank") -> Team:
    org = make_org(session, name)
    vendors = [
        make_vendor(session, org, vendor_name)
        for vendor_name in ("Alpha AI GmbH", "Beta Models SA", "Gamma Cloud BV")
    ]
    pending = VendorContact(vendor_id=vendors[0].id, name="Pat Pending", email="pat@alpha.example")
    session.add(pending)
    return Team(
        org,
        *_users(session, org),
        make_questionnaire(session),
        *vendors,
        *(make_vendor_user(session, vendor) for vendor in vendors),
        pending,
    )


def _users(session: Session, org: Organisation) -> tuple[User, User, User, User]:
    """admin, procurement, risk analyst, auditor."""
    return (
        make_user(session, org, Role.admin),
        make_user(session, org, Role.procurement),
        make_user(session, org, Role.risk_analyst),
        make_user(session, org, Role.auditor),
    )


def _vendor_users(session: Session, vendor: Vendor) -> tuple[Vendor, User, User]:
    """The vendor, its vendor admin and its vendor contact."""
    return (
        vendor,
        make_vendor_user(session, vendor, Role.vendor_admin),
        make_vendor_user(session, vendor),
    )
