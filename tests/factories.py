"""Small `make_*` helpers that build rows the way the product would."""

from __future__ import annotations

import hashlib
import itertools

from sqlmodel import Session

from app.assessments.decisions import DecisionDraft
from app.auth.passwords import hash_password
from app.models import Evidence, Organisation, Role, User, Vendor, VendorContact
from app.register.roi.group import own_entity
from app.vendors.identifiers import lei_with_check_digits

PASSWORD = "correct horse battery"
# The decision a test's review completes with (a review ends with one).
APPROVED = DecisionDraft(outcome="approve", rationale="Controls meet our targets.")
APPROVED_FORM = {"outcome": "approve", "rationale": "Controls meet our targets."}
_counter = itertools.count(1)


def make_org(session: Session, name: str = "Acme Bank", **values) -> Organisation:
    n = next(_counter)
    org = Organisation(
        name=name,
        slug=values.pop("slug", f"org-{n}"),
        lei=lei_with_check_digits(f"TESTORG{n:011d}"),
        country="DE",
        **values,
    )
    session.add(org)
    session.flush()
    own_entity(session=session, organisation=org)
    return org


def make_user(
    session: Session,
    org: Organisation | None,
    role: Role = Role.procurement,
    email: str | None = None,
    **values,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.com",
        name=f"User {n}",
        role=role,
        organisation_id=org.id if org else None,
        password_hash=hash_password(PASSWORD),
        **values,
    )
    session.add(user)
    session.flush()
    return user


def make_vendor(session: Session, org: Organisation, name: str | None = None, **values) -> Vendor:
    n = next(_counter)
    vendor = Vendor(
        organisation_id=org.id,
        legal_name=name or f"Vendor {n} GmbH",
        identifier=lei_with_check_digits(f"TESTVND{n:011d}"),
        hq_country="DE",
        **values,
    )
    session.add(vendor)
    session.flush()
    return vendor


def make_vendor_user(
    session: Session, vendor: Vendor, role: Role = Role.vendor_contact, email: str | None = None
) -> User:
    user = make_user(session, None, role, email=email)
    session.add(
        VendorContact(vendor_id=vendor.id, name=user.name, email=user.email, user_id=user.id)
    )
    session.flush()
    return user


def make_evidence(
    session: Session, vendor: Vendor, filename: str | None = None, **values
) -> Evidence:
    """An evidence row in the vendor's library (a PDF policy unless `values` say otherwise),
    with no file behind it: for tests of what is listed, attached and scored, not stored."""
    n = next(_counter)
    filename = filename or f"policy-{n}.pdf"
    evidence = Evidence(
        vendor_id=vendor.id,
        sha256=hashlib.sha256(f"{filename}-{n}".encode()).hexdigest(),
        filename=filename,
        size=1000 + n,
        media_type=values.pop("media_type", "application/pdf"),
        storage_key=f"test/{n}",
        kind=values.pop("kind", "policy"),
        **values,
    )
    session.add(evidence)
    session.flush()
    return evidence


SMALL_QUESTIONNAIRE = {
    "key": "small-test",
    "version": 1,
    "title": "Small test questionnaire",
    "sections": [
        {
            "key": "governance",
            "title": "Governance",
            "questions": [
                {
                    "key": "gov.policy",
                    "text": "How mature is your AI policy?",
                    "type": "maturity",
                    "levels": {i: f"level {i}" for i in range(6)},
                    "evidence": {"kinds": ["policy"], "required_from_level": 3},
                    "refs": {"iso42001": ["A.2.2"]},
                },
                {
                    "key": "gov.role",
                    "text": "Which AI Act role do you hold?",
                    "type": "single_choice",
                    "options": [
                        {"value": "provider", "label": "Provider"},
                        {"value": "deployer", "label": "Deployer"},
                        {"value": "none", "label": "None"},
                    ],
                },
                {
                    "key": "gov.provider_qms",
                    "text": "Describe your quality management system.",
                    "type": "text",
                    "show_if": {"question": "gov.role", "equals": "provider"},
                },
                {"key": "gov.notes", "text": "Anything else?", "type": "text", "required": False},
            ],
        }
    ],
}


def make_questionnaire(session: Session, definition: dict | None = None):
    from app.questionnaires.loader import validate_definition
    from app.questionnaires.service import publish

    row, _ = publish(
        session=session, definition=validate_definition(definition or SMALL_QUESTIONNAIRE, "test")
    )
    return row


def make_assessment(
    session: Session,
    org: Organisation,
    vendor: Vendor,
    actor: User,
    questionnaire=None,
    status: str = "sent",
):
    from app.models import Assessment

    questionnaire = questionnaire or make_questionnaire(session)
    assessment = Assessment(
        organisation_id=org.id,
        vendor_id=vendor.id,
        questionnaire_id=questionnaire.id,
        status=status,
        created_by_id=actor.id,
    )
    session.add(assessment)
    session.flush()
    return assessment
