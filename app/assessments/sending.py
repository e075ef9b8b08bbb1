"""Sending questionnaires: a campaign of assessments, invitations for new contacts, and the emails.

Everything happens in the caller's transaction: the assessments, the invitations and the queued
emails (outbox) commit together or not at all, and the outbox delivers them afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.lifecycle import Side
from app.assessments.service import apply_transition, create_assessment
from app.audit.service import record
from app.auth.invitations import invite_vendor_contact
from app.auth.service import normalise_email
from app.config import Settings
from app.errors import InvalidInput, NotFound
from app.models import (
    Assessment,
    Campaign,
    Organisation,
    Questionnaire,
    User,
    Vendor,
    VendorContact,
)
from app.notifications.service import queue_email
from app.questionnaires.service import available_questionnaires

MAX_MESSAGE = 5000
MAX_VENDORS = 500
# An invitation sent with a questionnaire lasts until the due date plus this grace, so a contact
# who answers late can still get in (the configured invitation days when that is later).
INVITATION_GRACE_DAYS = 14


def invitation_valid_until(due_date: date | None) -> datetime | None:
    if due_date is None:
        return None
    return datetime.combine(due_date + timedelta(days=INVITATION_GRACE_DAYS), time.max, UTC)


def portal_url(settings: Settings, assessment_id: int) -> str:
    """Where a vendor contact answers an assessment (the vendor portal)."""
    return f"{settings.base_url}/portal/assessments/{assessment_id}"


@dataclass(frozen=True)
class NewContact:
    email: str
    name: str = ""


@dataclass
class Recipients:
    """Who at one vendor receives the questionnaire: chosen contacts (none chosen: every contact
    on file) and new people by email, who are invited."""

    contact_ids: list[int] = field(default_factory=list)
    new_contacts: list[NewContact] = field(default_factory=list)


@dataclass
class SendResult:
    campaign: Campaign
    assessments: list[Assessment]
    invited: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)


def parse_new_contacts(text: str) -> list[NewContact]:
    """One person per line or comma: `email` or `Name <email>` or `email, Name`."""
    people: list[NewContact] = []
    for raw in text.replace(";", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        if "<" in line and line.endswith(">"):
            name, _, email = line[:-1].partition("<")
        elif "," in line:
            email, _, name = line.partition(",")
        else:
            email, name = line, ""
        email = normalise_email(email.strip())
        if "@" not in email or " " in email or len(email) > 320:
            raise InvalidInput(f"“{line}” is not an email address.")
        people.append(NewContact(email=email, name=name.strip().strip('"')))
    return people


def recipients_from_form(
    *,
    session: Session,
    vendor_ids: Sequence[int],
    contact_ids: Sequence[int],
    new_contacts: Sequence[tuple[int, str]],
) -> dict[int, Recipients]:
    """Who gets each chosen vendor's questionnaire: the ticked contacts of that vendor, and the
    addresses typed in its box ((vendor id, text) pairs). Choices for other vendors are ignored."""
    recipients: dict[int, Recipients] = {vid: Recipients() for vid in vendor_ids}
    if contact_ids:
        for contact_id, vid in session.exec(
            select(VendorContact.id, VendorContact.vendor_id).where(
                col(VendorContact.id).in_(contact_ids)
            )
        ):
            if vid in recipients:
                recipients[vid].contact_ids.append(contact_id)
    for vid, text in new_contacts:
        if vid in recipients and text.strip():
            recipients[vid].new_contacts += parse_new_contacts(text)
    return recipients


def vendors_with_contacts(
    *, session: Session, organisation_id: int
) -> tuple[list[Vendor], dict[int, list[VendorContact]]]:
    """The organisation's vendors by name, and each one's contacts (primary first): what the
    send form offers. Two queries."""
    vendors = list(
        session.exec(
            select(Vendor)
            .where(Vendor.organisation_id == organisation_id)
            .order_by(Vendor.legal_name)
        )
    )
    contacts: dict[int, list[VendorContact]] = {}
    if vendors:
        for contact in session.exec(
            select(VendorContact)
            .where(col(VendorContact.vendor_id).in_([v.id for v in vendors]))
            .order_by(col(VendorContact.is_primary).desc(), VendorContact.name)
        ):
            contacts.setdefault(contact.vendor_id, []).append(contact)
    return vendors, contacts


def usable_questionnaire(*, session: Session, organisation_id: int, questionnaire_id: int):
    for row in available_questionnaires(session=session, organisation_id=organisation_id):
        if row.id == questionnaire_id:
            return row
    raise NotFound("No such questionnaire.")


def send_questionnaire(
    *,
    session: Session,
    actor: User,
    vendor_ids: Sequence[int],
    questionnaire_id: int,
    due_date: date,
    message: str | None,
    settings: Settings,
    recipients: Mapping[int, Recipients] | None = None,
    name: str | None = None,
    ip: str | None = None,
) -> SendResult:
    """Send one questionnaire version to one or many vendors: a Campaign, an assessment per vendor.

    A vendor without chosen recipients gets every contact on file; new people are invited. Fails
    as a whole (InvalidInput / NotFound) before anything is written if any vendor cannot receive.
    """
    vendor_ids = list(dict.fromkeys(vendor_ids))
    if not vendor_ids:
        raise InvalidInput("Choose at least one vendor.")
    if len(vendor_ids) > MAX_VENDORS:
        raise InvalidInput(f"Send to at most {MAX_VENDORS} vendors at once.")
    if due_date is None:
        raise InvalidInput("Choose a due date.")
    if due_date < date.today():
        raise InvalidInput("The due date is in the past.")
    message = (message or "").strip() or None
    if message and len(message) > MAX_MESSAGE:
        raise InvalidInput(f"Keep the message under {MAX_MESSAGE:,} characters.")
    questionnaire = usable_questionnaire(
        session=session, organisation_id=actor.organisation_id, questionnaire_id=questionnaire_id
    )
    vendors = {
        v.id: v
        for v in session.exec(
            select(Vendor).where(
                col(Vendor.id).in_(vendor_ids), Vendor.organisation_id == actor.organisation_id
            )
        )
    }
    missing = [vid for vid in vendor_ids if vid not in vendors]
    if missing:
        raise NotFound(f"No vendor {missing[0]} here.")
    recipients = dict(recipients or {})
    chosen: dict[int, tuple[list[VendorContact], list[NewContact]]] = {}
    for vid in vendor_ids:
        chosen[vid] = _chosen_recipients(session, vendors[vid], recipients.get(vid))

    campaign = Campaign(
        organisation_id=actor.organisation_id,
        name=(name or "").strip()[:200] or f"{questionnaire.title} — {date.today():%d %b %Y}",
        questionnaire_id=questionnaire.id,
        due_date=due_date,
        message=message,
        created_by_id=actor.id,
    )
    session.add(campaign)
    session.flush()
    result = SendResult(campaign=campaign, assessments=[])
    for vid in vendor_ids:
        contacts, new_people = chosen[vid]
        assessment = create_assessment(
            session=session,
            actor=actor,
            vendor=vendors[vid],
            questionnaire=questionnaire,
            due_date=due_date,
            message=message,
            campaign_id=campaign.id,
        )
        invited, notified = send_assessment(
            session=session,
            actor=actor,
            assessment=assessment,
            contacts=contacts,
            new_contacts=new_people,
            settings=settings,
            ip=ip,
        )
        result.assessments.append(assessment)
        result.invited += invited
        result.notified += notified
    record(
        session=session,
        action="campaign.created",
        actor=actor,
        organisation_id=actor.organisation_id,
        object_type="campaign",
        object_id=campaign.id,
        data={
            "questionnaire": f"{questionnaire.key} v{questionnaire.version}",
            "vendor_ids": vendor_ids,
            "due_date": due_date,
        },
        ip=ip,
    )
    return result


def _chosen_recipients(
    session: Session, vendor: Vendor, wanted: Recipients | None
) -> tuple[list[VendorContact], list[NewContact]]:
    contacts_on_file = list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor.id)
            .order_by(col(VendorContact.is_primary).desc(), VendorContact.name)
        )
    )
    by_id = {c.id: c for c in contacts_on_file}
    by_email = {c.email: c for c in contacts_on_file}
    wanted = wanted or Recipients()
    unknown = [cid for cid in wanted.contact_ids if cid not in by_id]
    if unknown:
        raise NotFound(f"No contact {unknown[0]} at {vendor.legal_name}.")
    # No contact chosen: everyone on file (plus the new people).
    contacts = [by_id[cid] for cid in dict.fromkeys(wanted.contact_ids)] or list(contacts_on_file)
    new_people: list[NewContact] = []
    for person in wanted.new_contacts:
        existing = by_email.get(normalise_email(person.email))
        if existing is not None:  # typed an address already on file: use that contact
            if existing not in contacts:
                contacts.append(existing)
        elif person.email not in {p.email for p in new_people}:
            new_people.append(person)
    if not contacts and not new_people:
        raise InvalidInput(
            f"{vendor.legal_name} has no contacts yet: add at least one by email address."
        )
    return contacts, new_people


def send_assessment(
    *,
    session: Session,
    actor: User | None,
    assessment: Assessment,
    contacts: Sequence[VendorContact],
    new_contacts: Sequence[NewContact] = (),
    settings: Settings,
    reassessment: bool = False,
    ip: str | None = None,
) -> tuple[list[str], list[str]]:
    """Move a draft to `sent`, invite people without an account, email everyone; (invited, emailed).

    Assay itself (actor None, automatic re-assessments) sends as the system side; people without
    an account get the invitation the email promises either way, valid until after the due date.
    """
    vendor = session.get(Vendor, assessment.vendor_id)
    assert vendor is not None  # foreign key
    apply_transition(
        session=session,
        assessment=assessment,
        name="send",
        actor=actor,
        side=Side.buyer if actor is not None else Side.system,
        ip=ip,
    )
    invited: list[str] = []
    people: list[tuple[str, str, bool]] = []  # email, name, has an account
    valid_until = invitation_valid_until(assessment.due_date)
    for contact in contacts:
        has_account = contact.user_id is not None
        if not has_account:
            invite_vendor_contact(
                session=session,
                actor=actor,
                vendor=vendor,
                email=contact.email,
                name=contact.name,
                settings=settings,
                valid_until=valid_until,
            )
            invited.append(contact.email)
        people.append((contact.email, contact.name, has_account))
    for person in new_contacts:
        invite_vendor_contact(
            session=session,
            actor=actor,
            vendor=vendor,
            email=person.email,
            name=person.name,
            settings=settings,
            valid_until=valid_until,
        )
        invited.append(person.email)
        people.append((person.email, person.name or person.email.split("@")[0], False))
    questionnaire = session.get(Questionnaire, assessment.questionnaire_id)
    buyer = session.get(Organisation, assessment.organisation_id)
    base = {
        "buyer": buyer.name if buyer else "Your customer",
        "vendor": vendor.legal_name,
        "questionnaire": questionnaire.title if questionnaire else "",
        "due_date": assessment.due_date.strftime("%d %B %Y") if assessment.due_date else "",
        "message": assessment.message or "",
        "sender": actor.name if actor else "Assay",
        "url": portal_url(settings, assessment.id),
        "reassessment": reassessment,
    }
    notified = []
    for email, name, has_account in people:
        queue_email(
            session=session,
            to=email,
            subject=f"{base['buyer']}: questionnaire “{base['questionnaire']}”"
            + (f" due {assessment.due_date:%d %b %Y}" if assessment.due_date else ""),
            template="questionnaire_sent",
            context={**base, "name": name, "has_account": has_account},
            kind="questionnaire",
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
        )
        notified.append(email)
    return invited, notified


def email_contacts(
    *,
    session: Session,
    assessment: Assessment,
    template: str,
    subject: str,
    kind: str,
    context: dict[str, Any],
    settings: Settings,
    contacts: Sequence[VendorContact] | None = None,
) -> list[str]:
    """Queue one email per contact of the assessment's vendor (reminders, clarification requests),
    or per contact given."""
    vendor = session.get(Vendor, assessment.vendor_id)
    questionnaire = session.get(Questionnaire, assessment.questionnaire_id)
    buyer = session.get(Organisation, assessment.organisation_id)
    if contacts is None:
        contacts = session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == assessment.vendor_id)
            .order_by(VendorContact.id)
        ).all()
    base = {
        "buyer": buyer.name if buyer else "Your customer",
        "vendor": vendor.legal_name if vendor else "",
        "questionnaire": questionnaire.title if questionnaire else "",
        "due_date": assessment.due_date.strftime("%d %B %Y") if assessment.due_date else "",
        "url": portal_url(settings, assessment.id),
    }
    sent = []
    for contact in contacts:
        queue_email(
            session=session,
            to=contact.email,
            subject=subject,
            template=template,
            context={**base, **context, "name": contact.name},
            kind=kind,
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
        )
        sent.append(contact.email)
    return sent
