"""Slow down repeated sign-in failures per account and per address.

Keys are SHA-256 hashes of the normalised email or the IP address, so the table names nobody.
The account key is counted whether or not the account exists, so a throttled answer says nothing
about which emails are registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.models import LoginThrottle, utcnow

WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free_failures: int  # failures allowed in a window before a delay applies
    first_delay: timedelta


ACCOUNT = Policy(free_failures=5, first_delay=timedelta(seconds=30))
ADDRESS = Policy(free_failures=20, first_delay=timedelta(seconds=30))

THROTTLED_MESSAGE = "Too many sign-in attempts. Wait a few minutes, then try again."


def account_key(email: str) -> str:
    return "a:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def address_key(ip: str | None) -> str:
    return "i:" + hashlib.sha256((ip or "unknown").encode()).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _row(session: Session, key: str) -> LoginThrottle:
    """The counter for `key`, created if missing and locked for this transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, window_started_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.execute(
        sa_select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    ).scalar_one()
    session.refresh(row)
    return row


def is_blocked(*, session: Session, keys: list[str]) -> bool:
    now = utcnow()
    rows = session.execute(sa_select(LoginThrottle).where(LoginThrottle.key.in_(keys))).scalars()
    return any((_aware(row.blocked_until) or now) > now for row in rows)


def record_failure(*, session: Session, key: str, policy: Policy) -> None:
    now = utcnow()
    row = _row(session, key)
    if now - _aware(row.window_started_at) > WINDOW:
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    over = row.failures - policy.free_failures
    if over >= 0:
        row.blocked_until = now + min(policy.first_delay * 2**over, MAX_DELAY)
    session.add(row)
    session.flush()


def record_success(*, session: Session, key: str) -> None:
    row = session.execute(
        sa_select(LoginThrottle).where(LoginThrottle.key == key)
    ).scalar_one_or_none()
    if row is not None:
        session.delete(row)
        session.flush()
