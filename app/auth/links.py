"""Single-use links sent by email (invitations, password resets): made, opened and used one way.

The token is 256 random bits that only the email carries; the database keeps its SHA-256, so
neither a database reader nor a guesser can produce a working link. Using a link is a conditional
update of `used_at`, so two concurrent uses of one link cannot both succeed. Each kind of link
names its own problems in its own words (a subclass of `LinkUnusable`).
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import update
from sqlmodel import Session, select

from app.errors import DomainError
from app.models import as_utc, utcnow
from app.security import token_hash


class LinkProblem(StrEnum):
    invalid = "invalid"
    expired = "expired"
    used = "used"
    revoked = "revoked"


class LinkUnusable(DomainError):
    """A link that cannot be used; the page says why in plain words, with no details."""

    status_code = 410
    messages: ClassVar[dict[LinkProblem, str]] = {}

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(self.messages[problem])
        self.problem = problem
        if problem == LinkProblem.invalid:
            self.status_code = 404


class LinkRow(Protocol):
    id: Any
    token_hash: str
    expires_at: Any
    used_at: Any


Row = TypeVar("Row", bound=LinkRow)


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash that is stored of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def open_link(
    *, session: Session, model: type[Row], token: str, unusable: type[LinkUnusable]
) -> Row:
    """The usable row behind a link, or `unusable` saying why not."""
    row = session.exec(select(model).where(model.token_hash == token_hash(token))).first()
    if row is None:
        raise unusable(LinkProblem.invalid)
    if row.used_at is not None:
        raise unusable(LinkProblem.used)
    if getattr(row, "revoked_at", None) is not None:
        raise unusable(LinkProblem.revoked)
    if as_utc(row.expires_at) <= utcnow():
        raise unusable(LinkProblem.expired)
    return row


def claim_link(
    *, session: Session, row: LinkRow, unusable: type[LinkUnusable], conditions: tuple = ()
) -> None:
    """Mark the link used, unless someone else used it first (then `unusable`: used)."""
    model = type(row)
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, model.used_at.is_(None), *conditions)
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise unusable(LinkProblem.used)


def expire_unused_links(*, session: Session, model: type[LinkRow], conditions: tuple) -> None:
    """Earlier unused links stop working: only the newest email counts."""
    session.execute(
        update(model).where(model.used_at.is_(None), *conditions).values(expires_at=utcnow())
    )
