"""Inviting colleagues into the buyer organisation (admins, Settings → People).

An invitation carries the role the colleague will have; its link is single-use, expires after
ASSAY_INVITATION_DAYS and is accepted on the same page as a vendor's (`auth/invitations.py`).
Resending makes a new link (the old one stops working); revoking withdraws it. Inviting an
address answers the same whoever it belongs to, except for people already listed on the page.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.links import new_token
from app.auth.service import normalise_email, refusal
from app.config import Settings
from app.errors import Conflict, NotFound
from app.models import BUYER_ROLES, Invitation, Organisation, Role, User, as_utc, utcnow
from app.notifications.service import queue_email


def is_expired(invitation: Invitation) -> bool:
    return as_utc(invitation.expires_at) <= utcnow()


def pending_invitations(*, session: Session, organisation_id: int) -> list[Invitation]:
    """Colleague invitations neither used nor revoked, newest first (expired ones included,
    so they can be resent)."""
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                col(Invitation.vendor_id).is_(None),
                col(Invitation.used_at).is_(None),
                col(Invitation.revoked_at).is_(None),
            )
            .order_by(col(Invitation.created_at).desc())
        )
    )


def _send(
    *, session: Session, invitation: Invitation, actor: User, token: str, settings: Settings
) -> str:
    url = f"{settings.base_url}/invitations/{token}"
    org = session.get(Organisation, invitation.organisation_id)
    queue_email(
        session=session,
        to=invitation.email,
        subject=f"{actor.name} invites you to {org.name if org else 'your team'} on Assay",
        template="colleague_invitation",
        context={
            "name": invitation.name or invitation.email,
            "inviter": actor.name,
            "organisation": org.name if org else "",
            "role": Role(invitation.role).value.replace("_", " "),
            "url": url,
            "expires": invitation.expires_at.strftime("%d %B %Y"),
        },
        kind="invitation",
        organisation_id=invitation.organisation_id,
    )
    return url


def invite_colleague(
    *,
    session: Session,
    actor: User,
    email: str,
    name: str,
    role: str,
    settings: Settings,
    ip: str | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` to the actor's organisation with `role`: queues the email, returns the link.

    An earlier pending invitation of the same address is replaced by this one.
    """
    assert actor.organisation_id is not None  # the route requires manage_users (buyer admins)
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise refusal("email", "Enter a valid email address.")
    if role not in {r.value for r in BUYER_ROLES}:
        raise refusal("role", "Choose one of the roles of your organisation.")
    colleague = session.exec(
        select(User.id).where(User.email == email, User.organisation_id == actor.organisation_id)
    ).first()
    if colleague is not None:  # already on the People page: nothing the admin cannot see
        raise Conflict(f"{email} is already in your organisation.")
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == actor.organisation_id,
            col(Invitation.vendor_id).is_(None),
            Invitation.email == email,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    token, hashed = new_token()
    invitation = Invitation(
        token_hash=hashed,
        email=email,
        name=(name.strip() or email.split("@")[0])[:200],
        role=Role(role),
        organisation_id=actor.organisation_id,
        vendor_id=None,
        invited_by_id=actor.id,
        expires_at=now + timedelta(days=settings.invitation_days),
    )
    session.add(invitation)
    session.flush()
    url = _send(session=session, invitation=invitation, actor=actor, token=token, settings=settings)
    record(
        session=session,
        action="user.invited",
        actor=actor,
        organisation_id=actor.organisation_id,
        object_type="invitation",
        object_id=invitation.id,
        data={"email": email, "role": role},
        ip=ip,
    )
    return invitation, url


def _pending(session: Session, actor: User, invitation_id: int) -> Invitation:
    invitation = session.exec(
        select(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.organisation_id == actor.organisation_id,
            col(Invitation.vendor_id).is_(None),
        )
        .with_for_update()
    ).first()
    if invitation is None or actor.organisation_id is None:
        raise NotFound("No such invitation here.")
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise Conflict("This invitation was already used or withdrawn.")
    return invitation


def resend_invitation(
    *, session: Session, actor: User, invitation_id: int, settings: Settings, ip: str | None = None
) -> tuple[Invitation, str]:
    """A new link and a new expiry for a pending invitation; the old link stops working."""
    invitation = _pending(session, actor, invitation_id)
    token, invitation.token_hash = new_token()
    invitation.expires_at = utcnow() + timedelta(days=settings.invitation_days)
    session.add(invitation)
    session.flush()
    url = _send(session=session, invitation=invitation, actor=actor, token=token, settings=settings)
    record(
        session=session,
        action="user.invitation_resent",
        actor=actor,
        organisation_id=actor.organisation_id,
        object_type="invitation",
        object_id=invitation.id,
        data={"email": invitation.email},
        ip=ip,
    )
    return invitation, url


def revoke_invitation(
    *, session: Session, actor: User, invitation_id: int, ip: str | None = None
) -> Invitation:
    invitation = _pending(session, actor, invitation_id)
    invitation.revoked_at = utcnow()
    session.add(invitation)
    session.flush()
    record(
        session=session,
        action="user.invitation_revoked",
        actor=actor,
        organisation_id=actor.organisation_id,
        object_type="invitation",
        object_id=invitation.id,
        data={"email": invitation.email},
        ip=ip,
    )
    return invitation
