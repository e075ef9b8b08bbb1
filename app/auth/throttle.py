"""Slow down repeated sign-in failures, without letting a stranger lock anyone out.

Three counters, each a back-off (a wait that doubles with every further failure), never a lock:

- per account *and* address: the sharp one (5 free failures, then 30 s doubling to 15 min), so
  someone guessing one account from one place is slowed right down, while the account's owner,
  signing in from elsewhere, is not affected by it;
- per address, across accounts (20 free, then the same back-off): one place trying many emails;
- per account, from anywhere (10 free, then 5 s doubling to at most one minute): many places
  guessing one account. Its short cap is what keeps a stranger from locking the owner out: at
  worst the owner waits a minute.

Keys are SHA-256 hashes of the normalised email and/or the client address, so the table names
nobody. The counters exist whether or not the account does, so a throttled answer says nothing
about which emails are registered. The client address is the connection's, or the one a trusted
proxy (ASSAY_TRUSTED_PROXIES) forwarded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.models import LoginThrottle, as_utc, utcnow

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free_failures: int  # failures allowed in a window before a delay applies
    first_delay: timedelta
    max_delay: timedelta


PAIR = Policy(5, timedelta(seconds=30), timedelta(minutes=15))
ADDRESS = Policy(20, timedelta(seconds=30), timedelta(minutes=15))
ACCOUNT = Policy(10, timedelta(seconds=5), timedelta(minutes=1))

# Password reset requests: how many a window allows (beyond, no email is sent).
RESETS_PER_ACCOUNT = 3
RESETS_PER_ADDRESS = 10

THROTTLED_MESSAGE = "Too many sign-in attempts. Wait a few minutes, then try again."


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _email(email: str) -> str:
    return email.strip().lower()


def account_key(email: str) -> str:
    return "a:" + _digest(_email(email))


def address_key(ip: str | None) -> str:
    return "i:" + _digest(ip or "unknown")


def pair_key(email: str, ip: str | None) -> str:
    return "p:" + _digest(f"{_email(email)}|{ip or 'unknown'}")


def _keys(email: str, ip: str | None) -> list[tuple[str, Policy]]:
    return [(pair_key(email, ip), PAIR), (address_key(ip), ADDRESS), (account_key(email), ACCOUNT)]


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


def _count(session: Session, key: str) -> LoginThrottle:
    """Add one to the key's counter in its current window."""
    now = utcnow()
    row = _row(session, key)
    if now - as_utc(row.window_started_at) > WINDOW:
        row.failures = 0
        row.window_started_at = now
        row.blocked_until = None
    row.failures += 1
    return row


def is_blocked(*, session: Session, email: str, ip: str | None) -> bool:
    """Whether a sign-in for `email` from `ip` must wait (the same answer for unknown emails)."""
    now = utcnow()
    keys = [key for key, _ in _keys(email, ip)]
    rows = session.execute(sa_select(LoginThrottle).where(LoginThrottle.key.in_(keys))).scalars()
    return any(row.blocked_until and as_utc(row.blocked_until) > now for row in rows)


def record_failure(*, session: Session, email: str, ip: str | None) -> None:
    now = utcnow()
    for key, policy in _keys(email, ip):
        row = _count(session, key)
        over = row.failures - policy.free_failures
        if over >= 0:
            row.blocked_until = now + min(policy.first_delay * 2**over, policy.max_delay)
        session.add(row)
    session.flush()


def record_success(*, session: Session, email: str, ip: str | None) -> None:
    """The right password from here: forget this account's failures (not the address's)."""
    rows = session.execute(
        sa_select(LoginThrottle).where(
            LoginThrottle.key.in_([pair_key(email, ip), account_key(email)])
        )
    ).scalars()
    for row in rows:
        session.delete(row)
    session.flush()


def reset_allowed(*, session: Session, email: str, ip: str | None) -> tuple[bool, bool]:
    """Count a password reset request: (address within its limit, account within its limit)."""
    by_address = _count(session, "ri:" + _digest(ip or "unknown"))
    by_account = _count(session, "ra:" + _digest(_email(email)))
    session.add_all([by_address, by_account])
    session.flush()
    return by_address.failures <= RESETS_PER_ADDRESS, by_account.failures <= RESETS_PER_ACCOUNT
