"""Invitations: a single-use, expiring link whose token only the email carries.

Two kinds: a vendor contact (procurement for its vendors, a vendor admin for their colleagues),
and a colleague of a buyer organisation (its admins, from Settings → People). The link is made,
opened and used as every emailed link is (`auth/links.py`). Accepting links the user to the vendor via VendorContact, or creates the
colleague's account in the organisation with the invited role.

Inviting an address answers the same whoever it belongs to: whether an email has an account in
another organisation is never told to the one inviting (the person invited learns it on the
invitation page, which only they can open).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.audit.service import record
from app.auth.links import (
    LinkProblem,
    LinkUnusable,
    claim_link,
    expire_unused_links,
    new_token,
    open_link,
)
from app.auth.permissions import Permission, has_permission
from app.auth.service import create_user, end_all_access, normalise_email
from app.auth.tenancy import vendor_ids_for
from app.config import Settings, get_settings
from app.errors import InvalidInput, NotFound
from app.models import (
    BUYER_ROLES,
    VENDOR_ROLES,
    Invitation,
    Organisation,
    Role,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.notifications.service import queue_email


class InvitationUnusable(LinkUnusable):
    """An invitation link that cannot be used."""

    title = "This invitation cannot be used"
    messages = {
        LinkProblem.invalid: "This invitation link is not valid. Check that you copied the whole link, or ask for a new invitation.",
        LinkProblem.expired: "This invitation has expired. Ask the person who invited you to send a new one.",
        LinkProblem.used: "This invitation has already been used. Sign in instead, or ask for a new invitation.",
        LinkProblem.revoked: "This invitation was withdrawn. Ask the person who invited you if you should still join.",
    }


def _can_invite(session: Session, actor: User, vendor: Vendor) -> bool:
    if has_permission(actor.role, Permission.manage_vendors):
        return actor.organisation_id == vendor.organisation_id
    if has_permission(actor.role, Permission.manage_vendor_team):
        return vendor.id in vendor_ids_for(session=session, user=actor)
    return False


def invite_vendor_contact(
    *,
    session: Session,
    actor: User | None,
    vendor: Vendor,
    email: str,
    name: str,
    role: Role = Role.vendor_contact,
    settings: Settings | None = None,
    valid_until: datetime | None = None,
    send_email: bool = True,
) -> tuple[Invitation, str]:
    """Invite someone at `vendor` to the vendor portal: queues the email, returns the link.

    Procurement invites for their organisation's vendors, a vendor admin for their own vendor;
    Assay itself (actor None) for an automatic re-assessment. The link lasts the configured
    days, or until `valid_until` when later (a questionnaire's due date plus grace). A new
    invitation for the same person and vendor replaces any earlier unused one, keeping the
    higher role: sending a questionnaire never turns a pending vendor admin into a contact.
    """
    settings = settings or get_settings()
    if actor is not None and not _can_invite(session, actor, vendor):
        raise NotFound("No such vendor here.")
    role = Role(role)
    if role not in VENDOR_ROLES:
        raise InvalidInput("Vendor contacts are invited as vendor admin or vendor contact.")
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise InvalidInput("Enter a valid email address.")
    name = name.strip() or email.split("@")[0]
    now = utcnow()
    pending_roles = session.exec(
        select(Invitation.role).where(
            Invitation.vendor_id == vendor.id,
            Invitation.email == email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    if Role.vendor_admin in {Role(r) for r in pending_roles}:
        role = Role.vendor_admin

    contact = session.exec(
        select(VendorContact).where(
            VendorContact.vendor_id == vendor.id, VendorContact.email == email
        )
    ).first()
    if contact is None:
        contact = VendorContact(vendor_id=vendor.id, email=email, name=name[:200])
        session.add(contact)
    expire_unused_links(
        session=session,
        model=Invitation,
        conditions=(Invitation.vendor_id == vendor.id, Invitation.email == email),
    )
    token, hashed = new_token()
    invitation = Invitation(
        token_hash=hashed,
        email=email,
        name=name[:200],
        role=role,
        organisation_id=vendor.organisation_id,
        vendor_id=vendor.id,
        invited_by_id=actor.id if actor else None,
        expires_at=max(now + timedelta(days=settings.invitation_days), valid_until or now),
    )
    session.add(invitation)
    session.flush()
    url = f"{settings.base_url}/invitations/{token}"
    buyer = session.get(Organisation, vendor.organisation_id)
    if send_email:
        _queue_invitation(session, invitation, vendor, buyer, actor, name, url)
    record(
        session=session,
        action="vendor_contact.invited",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"email": email, "role": role.value, "invitation_id": invitation.id},
    )
    return invitation, url


def _queue_invitation(
    session: Session,
    invitation: Invitation,
    vendor: Vendor,
    buyer: Organisation | None,
    actor: User | None,
    name: str,
    url: str,
) -> None:
    """The invitation email, queued in the caller's transaction."""
    queue_email(
        session=session,
        to=invitation.email,
        subject=f"{buyer.name if buyer else 'A customer'} invites you to Assay",
        template="vendor_invitation",
        context={
            "name": name,
            "inviter": actor.name if actor else "Assay",
            "buyer": buyer.name if buyer else "",
            "vendor": vendor.legal_name,
            "url": url,
            "expires": invitation.expires_at.strftime("%d %B %Y"),
        },
        kind="invitation",
        organisation_id=vendor.organisation_id,
    )


def open_invitation(*, session: Session, token: str) -> Invitation:
    """The usable invitation behind a link, or InvitationUnusable saying why not."""
    return open_link(session=session, model=Invitation, token=token, unusable=InvitationUnusable)


def accept_invitation(
    *,
    session: Session,
    invitation: Invitation,
    user: User | None,
    name: str = "",
    password: str = "",
    ip: str | None = None,
) -> User:
    """Use the invitation: create the account (or take the signed-in one) and join the vendor,
    or create the colleague's account in the organisation.

    The used_at update is conditional, so two concurrent uses of one link cannot both succeed.
    """
    if invitation.vendor_id is None:
        return _accept_colleague(
            session=session, invitation=invitation, user=user, name=name, password=password, ip=ip
        )
    if user is not None and not Role(user.role).is_vendor:
        raise InvalidInput(ACCOUNT_ELSEWHERE)
    claim_link(session=session, row=invitation, unusable=InvitationUnusable)
    if user is None:
        user = create_user(
            session=session,
            email=invitation.email,
            name=name.strip() or invitation.name or invitation.email,
            role=Role(invitation.role),
            password=password,
            organisation_id=None,
            actor=None,
        )
    elif normalise_email(user.email) != invitation.email or not Role(user.role).is_vendor:
        raise InvalidInput("This invitation is for another email address.")
    contact = session.exec(
        select(VendorContact).where(
            VendorContact.vendor_id == invitation.vendor_id, VendorContact.email == invitation.email
        )
    ).first()
    if contact is None:
        contact = VendorContact(
            vendor_id=invitation.vendor_id, email=invitation.email, name=user.name
        )
    contact.user_id = user.id
    session.add(contact)
    session.flush()
    record(
        session=session,
        action="vendor_contact.joined",
        actor=user,
        organisation_id=invitation.organisation_id,
        object_type="vendor",
        object_id=invitation.vendor_id,
        data={"email": user.email, "invitation_id": invitation.id},
        ip=ip,
    )
    return user


ACCOUNT_ELSEWHERE = (
    "This email already has an Assay account of another kind, so it cannot accept this "
    "invitation. Ask the person who invited you to invite another address."
)


def _accept_colleague(
    *,
    session: Session,
    invitation: Invitation,
    user: User | None,
    name: str,
    password: str,
    ip: str | None,
) -> User:
    """A colleague's invitation makes a new account in the organisation, never joins one."""
    if user is not None:
        raise InvalidInput(ACCOUNT_ELSEWHERE)
    claim_link(
        session=session,
        row=invitation,
        unusable=InvitationUnusable,
        conditions=(Invitation.revoked_at.is_(None),),
    )
    role = Role(invitation.role)
    if role not in BUYER_ROLES:  # written by invite_colleague only; a guard all the same
        raise InvalidInput("This invitation is not valid.")
    user = create_user(
        session=session,
        email=invitation.email,
        name=name.strip() or invitation.name or invitation.email,
        role=role,
        password=password,
        organisation_id=invitation.organisation_id,
    )
    record(
        session=session,
        action="user.joined",
        actor=user,
        organisation_id=invitation.organisation_id,
        object_type="user",
        object_id=user.id,
        data={"email": user.email, "role": role.value, "invitation_id": invitation.id},
        ip=ip,
    )
    return user


def team_of(*, session: Session, user: User) -> list[tuple[Vendor, list[VendorContact]]]:
    """The vendor admin's vendors with their signed-up and invited contacts."""
    ids = vendor_ids_for(session=session, user=user)
    if not ids:
        return []
    vendors = session.exec(
        select(Vendor).where(Vendor.id.in_(ids)).order_by(Vendor.legal_name)
    ).all()
    contacts = session.exec(
        select(VendorContact).where(VendorContact.vendor_id.in_(ids)).order_by(VendorContact.name)
    ).all()
    return [(v, [c for c in contacts if c.vendor_id == v.id]) for v in vendors]


def remove_colleague(*, session: Session, actor: User, contact_id: int) -> VendorContact:
    """Take a contact off the vendor; their sessions end if this was their last vendor."""
    contact = session.get(VendorContact, contact_id)
    if contact is None or contact.vendor_id not in vendor_ids_for(session=session, user=actor):
        raise NotFound("No such colleague here.")
    if contact.user_id == actor.id:
        raise InvalidInput("You cannot remove yourself; ask another admin.")
    vendor = session.get(Vendor, contact.vendor_id)
    removed_user = session.get(User, contact.user_id) if contact.user_id else None
    session.delete(contact)
    expire_unused_links(
        session=session,
        model=Invitation,
        conditions=(
            Invitation.vendor_id == contact.vendor_id,
            Invitation.email == contact.email,
        ),
    )
    session.flush()
    if removed_user is not None:
        end_all_access(session=session, user=removed_user)
        if not vendor_ids_for(session=session, user=removed_user):
            removed_user.active = False
        session.add(removed_user)
    record(
        session=session,
        action="vendor_contact.removed",
        actor=actor,
        organisation_id=vendor.organisation_id if vendor else None,
        object_type="vendor_contact",
        object_id=contact_id,
        data={"email": contact.email, "vendor_id": contact.vendor_id},
    )
    return contact
