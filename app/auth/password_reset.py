"""Forgotten passwords: a single-use link by email, valid for 30 minutes.

The request answers the same whether or not the address has an account (nothing to enumerate),
and is throttled per address and per account. The token is 256 random bits of which only the
SHA-256 is stored; using it is a conditional update, so one link sets one password. Setting it
ends every session and API token of the account.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.audit.service import record
from app.auth import throttle
from app.auth.links import (
    LinkProblem,
    LinkUnusable,
    claim_link,
    expire_unused_links,
    new_token,
    open_link,
)
from app.auth.service import find_user_by_email, set_password
from app.config import Settings
from app.errors import DomainError
from app.models import PasswordReset, User, utcnow
from app.notifications.service import queue_email

RESET_MINUTES = 30


class ResetUnusable(LinkUnusable):
    """A reset link that cannot be used; the page says why and offers a new one."""

    title = "This link cannot be used"
    messages = {
        LinkProblem.invalid: "This password reset link is not valid. Check that you copied the whole link, or ask for a new one.",
        LinkProblem.expired: "This password reset link has expired (links last 30 minutes). Ask for a new one.",
        LinkProblem.used: "This password reset link has already been used. Sign in, or ask for a new one.",
    }


class ResetThrottled(DomainError):
    status_code = 429
    title = "Too many requests"


def request_reset(*, session: Session, email: str, settings: Settings, ip: str | None) -> None:
    """Email a reset link if `email` is an active local account; the caller says the same
    thing either way. Too many requests from one address are refused openly (that says
    nothing about accounts); too many for one account quietly send nothing more."""
    address_ok, account_ok = throttle.reset_allowed(session=session, email=email, ip=ip)
    if not address_ok:
        raise ResetThrottled("Too many password reset requests from here. Wait a few minutes.")
    user = find_user_by_email(session=session, email=email)
    if not account_ok or user is None or not user.active or user.password_hash is None:
        return
    expire_unused_links(
        session=session, model=PasswordReset, conditions=(PasswordReset.user_id == user.id,)
    )
    token, hashed = new_token()
    reset = PasswordReset(
        user_id=user.id,
        token_hash=hashed,
        expires_at=utcnow() + timedelta(minutes=RESET_MINUTES),
    )
    session.add(reset)
    session.flush()
    queue_email(
        session=session,
        to=user.email,
        subject="Choose a new Assay password",
        template="password_reset",
        context={
            "name": user.name,
            "url": f"{settings.base_url}/password/reset/{token}",
            "minutes": RESET_MINUTES,
        },
        kind="password_reset",
        organisation_id=user.organisation_id,
    )
    record(
        session=session,
        action="auth.password_reset_requested",
        actor=user,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )


def open_reset(*, session: Session, token: str) -> tuple[PasswordReset, User]:
    """The usable reset behind a link, or ResetUnusable saying why not."""
    reset = open_link(session=session, model=PasswordReset, token=token, unusable=ResetUnusable)
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise ResetUnusable(LinkProblem.expired)
    return reset, user


def complete_reset(
    *, session: Session, token: str, password: str, confirm: str, ip: str | None
) -> User:
    """Set the new password through the link; policy failures leave the link usable."""
    reset, user = open_reset(session=session, token=token)
    set_password(session=session, user=user, password=password, confirm=confirm)
    claim_link(session=session, row=reset, unusable=ResetUnusable)
    record(
        session=session,
        action="auth.password_reset",
        actor=user,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )
    return user
