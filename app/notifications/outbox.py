"""The organisation's outbox as its admins read it: every email, its delivery state and error,
and the message itself (the rendered text kept on the row), with its Assay links clickable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlmodel import Session, col, func, select

from app.errors import NotFound
from app.models import OutboxEmail, OutboxStatus, User

PAGE_SIZE = 50


@dataclass(frozen=True)
class OutboxPage:
    emails: list[OutboxEmail]
    total: int
    page: int
    pages: int


def delivery_state(email: OutboxEmail) -> str:
    """queued (not tried yet), retrying (failed, tried again later), sent or failed (gave up)."""
    if email.status == OutboxStatus.pending:
        return "retrying" if email.attempts else "queued"
    return str(email.status)


def _own(user: User):
    if user.organisation_id is None:
        raise NotFound("Only buyer staff have an outbox.")
    return OutboxEmail.organisation_id == user.organisation_id


def outbox_page(*, session: Session, user: User, page: int = 1) -> OutboxPage:
    """The caller's organisation's emails, newest first."""
    scope = _own(user)
    total = session.exec(select(func.count()).select_from(OutboxEmail).where(scope)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    emails = session.exec(
        select(OutboxEmail)
        .where(scope)
        .order_by(col(OutboxEmail.created_at).desc(), col(OutboxEmail.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return OutboxPage(list(emails), total, page, pages)


def outbox_email(*, session: Session, user: User, email_id: int) -> OutboxEmail:
    """One email of the caller's organisation; another tenant's is NotFound."""
    email = session.exec(select(OutboxEmail).where(_own(user), OutboxEmail.id == email_id)).first()
    if email is None:
        raise NotFound("No such email.")
    return email


_URL = re.compile(r"https?://[^\s<>\"']+")
HIDDEN_LINK = "[link hidden: only the recipient may follow it]"


def linked_text(text: str, *, base_url: str, show_links: bool) -> Markup:
    """The email's text, escaped, with links into Assay clickable. Outside development the
    links are hidden: an invitation or reset link is a key for its recipient alone."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:)")
        parts.append(escape(text[last : match.start()]))
        if url == base_url or url.startswith(base_url + "/"):
            if show_links:
                parts.append(Markup('<a href="{0}">{0}</a>').format(url))
            else:
                parts.append(escape(HIDDEN_LINK))
        else:
            parts.append(escape(url))
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
