"""Append events to the per-organisation hash chain, in the caller's transaction, and verify it.

Appends serialise on the chain head row: PostgreSQL locks it (`SELECT … FOR UPDATE`), SQLite has
one writer at a time (writing sessions `BEGIN IMMEDIATE`, see `app.db.begin_write`). A second
transaction appending to the same chain waits for the first to commit and then links to its
event, so the chain never forks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.audit.chain import GENESIS_HASH, event_hash, normalise
from app.audit.schemas import AuditFilter
from app.models import AuditChain, AuditEvent, User, utcnow

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

IP_MAX_LENGTH = 64


def chain_for(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id is not None else "system"


def request_ip(request: HTTPConnection) -> str | None:
    """The caller's address for `record(ip=...)`.

    The app reads X-Forwarded-For from the proxies in ASSAY_TRUSTED_PROXIES only (uvicorn's
    ProxyHeadersMiddleware, in `app.main`), so the client address is already the real one
    behind a reverse proxy; the header is never read here because any client can send it.
    """
    if request.client is None or not request.client.host:
        return None
    return request.client.host[:IP_MAX_LENGTH]


def _lock_chain(session: Session, chain: str) -> AuditChain:
    """Lock the chain head and read its committed state, creating the head on first use."""
    # populate_existing: a head already in this session's identity map may be stale (another
    # transaction appended since); the locked read must overwrite it.
    locked_read = (
        sa_select(AuditChain)
        .where(AuditChain.chain == chain)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.execute(locked_read).scalar_one_or_none()
    if head is not None:
        return head
    # First event of the chain: a concurrent first event may create the head at the same time,
    # so insert-or-ignore, then lock whichever row won.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AuditChain)
        .values(chain=chain, sequence=0, head_hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["chain"])
    )
    return session.execute(locked_read).scalar_one()


def audit_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Compact before/after of the fields that changed: an event's `data` for an edit."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {
        "before": {name: before.get(name) for name in changed},
        "after": {name: after[name] for name in changed},
    }


def record(
    *,
    session: Session,
    action: str,
    actor: User | None = None,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Write one audit event; it commits or rolls back with the change it describes."""
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    chain = chain_for(organisation_id)
    head = _lock_chain(session, chain)
    event = AuditEvent(
        chain=chain,
        sequence=head.sequence + 1,
        organisation_id=organisation_id,
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        data=normalise(data or {}),
        ip=ip[:IP_MAX_LENGTH] if ip else None,
        at=utcnow(),
        prev_hash=head.head_hash,
        hash="",
    )
    event.hash = event_hash(**_hash_fields(event))
    head.sequence = event.sequence
    head.head_hash = event.hash
    session.add(event)
    session.add(head)
    session.flush()
    return event


def record_many(
    *,
    session: Session,
    actor: User | None,
    organisation_id: int | None,
    events: Iterable[tuple[str, str, object, dict[str, Any]]],
    ip: str | None = None,
) -> list[AuditEvent]:
    """`record` for a bulk step: one event per (action, object type, object id, data), linked in
    order on the chain, with one lock of the chain head and one flush for them all."""
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    chain = chain_for(organisation_id)
    head = _lock_chain(session, chain)
    written = []
    now = utcnow()
    for action, object_type, object_id, data in events:
        event = AuditEvent(
            chain=chain,
            sequence=head.sequence + 1,
            organisation_id=organisation_id,
            actor_id=actor.id if actor else None,
            actor_label=actor.email if actor else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else "",
            data=normalise(data or {}),
            ip=ip[:IP_MAX_LENGTH] if ip else None,
            at=now,
            prev_hash=head.head_hash,
            hash="",
        )
        event.hash = event_hash(**_hash_fields(event))
        head.sequence, head.head_hash = event.sequence, event.hash
        written.append(event)
    session.add_all(written)
    session.add(head)
    session.flush()
    return written


def _hash_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain,
        "sequence": event.sequence,
        "organisation_id": event.organisation_id,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "ip": event.ip,
        "at": event.at,
        "prev_hash": event.prev_hash,
    }


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence}: {self.problem}"


@dataclass(frozen=True)
class VerifyReport:
    chains: int
    events: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_events(
    chain: str, events: Iterable[AuditEvent], head: AuditChain | None
) -> list[ChainProblem]:
    """First broken link of one chain: a gap, a changed row, a re-linked row or a cut tail."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in events:
        if event.sequence != expected_seq:
            return [
                ChainProblem(
                    chain, expected_seq, f"event missing (next found is #{event.sequence})"
                )
            ]
        if event.prev_hash != expected_prev:
            return [ChainProblem(chain, event.sequence, "link to the previous event is broken")]
        if event_hash(**_hash_fields(event)) != event.hash:
            return [ChainProblem(chain, event.sequence, "content was altered (hash mismatch)")]
        expected_prev = event.hash
        expected_seq += 1
    if head is None:
        if expected_seq > 1:
            return [ChainProblem(chain, expected_seq, "the chain head row is missing")]
        return []
    if head.sequence != expected_seq - 1 or head.head_hash != expected_prev:
        return [ChainProblem(chain, expected_seq, f"chain ends early: head is #{head.sequence}")]
    return []


def _head(session: Session, chain: str) -> AuditChain | None:
    return session.execute(
        sa_select(AuditChain)
        .where(AuditChain.chain == chain)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def verify_chain(*, session: Session, chain: str) -> tuple[int, list[ChainProblem]]:
    """Check one chain while others may be appending to it; returns (events checked, problems).

    Rows are always re-read (`populate_existing`): events already loaded in the session must
    not stand in for what the database holds. The head is read first and only events up to it
    are checked: under READ COMMITTED a later
    statement may see events committed after the head was read. Events past that head are
    accepted only if a fresh read of the head covers them (a concurrent append), otherwise they
    were inserted behind the chain's back.
    """
    head = _head(session, chain)
    query = select(AuditEvent).where(AuditEvent.chain == chain)
    if head is not None:
        query = query.where(AuditEvent.sequence <= head.sequence)
    counted = _Counter(
        session.exec(
            query.order_by(AuditEvent.sequence).execution_options(
                yield_per=1000, populate_existing=True
            )
        )
    )
    problems = verify_events(chain, counted, head)
    if not problems and head is not None:
        beyond = session.exec(
            select(func.max(AuditEvent.sequence)).where(
                AuditEvent.chain == chain, AuditEvent.sequence > head.sequence
            )
        ).one()
        if beyond is not None:
            fresh = _head(session, chain)
            if fresh is None or fresh.sequence < beyond:
                problems = [ChainProblem(chain, head.sequence + 1, "event beyond the chain head")]
    return counted.count, problems


def verify(*, session: Session, chain: str | None = None) -> VerifyReport:
    """Recompute every link of every chain (or of one chain)."""
    if chain is not None:
        chains = [chain]
    else:
        heads = set(session.exec(select(AuditChain.chain)))
        chains = sorted(heads | set(session.exec(select(AuditEvent.chain).distinct())))
    problems: list[ChainProblem] = []
    total = 0
    for name in chains:
        count, found = verify_chain(session=session, chain=name)
        total += count
        problems += found
    return VerifyReport(chains=len(chains), events=total, problems=problems)


class _Counter:
    def __init__(self, items: Iterable[AuditEvent]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[AuditEvent]:
        for item in self.items:
            self.count += 1
            yield item


# --- reading the trail -------------------------------------------------------------------------


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _filtered(organisation_id: int, filters: AuditFilter) -> Select:
    """The caller's organisation chain, narrowed by the trail filters."""
    query = select(AuditEvent).where(AuditEvent.chain == chain_for(organisation_id))
    if filters.actor:
        needle = filters.actor.lower()
        query = query.where(
            func.lower(AuditEvent.actor_label).like("%" + _like_prefix(needle), escape="\\")
        )
    if filters.action:
        query = query.where(AuditEvent.action.like(_like_prefix(filters.action), escape="\\"))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.at < end)
    return query


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    older: int | None  # pass as `before` for the next (older) page
    newer: int | None  # pass as `after` for the previous (newer) page


def trail_page(
    *,
    session: Session,
    organisation_id: int,
    filters: AuditFilter,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> TrailPage:
    """One page of the trail, newest first, by keyset on the chain sequence."""
    base = _filtered(organisation_id, filters)
    if after is not None:
        rows = list(
            session.exec(
                base.where(AuditEvent.sequence > after)
                .order_by(AuditEvent.sequence.asc())
                .limit(limit + 1)
            )
        )
        has_newer = len(rows) > limit
        events = list(reversed(rows[:limit]))
        has_older = bool(events) and _exists(
            session, base, AuditEvent.sequence < events[-1].sequence
        )
    else:
        query = base
        if before is not None:
            query = query.where(AuditEvent.sequence < before)
        rows = list(session.exec(query.order_by(AuditEvent.sequence.desc()).limit(limit + 1)))
        has_older = len(rows) > limit
        events = rows[:limit]
        has_newer = (
            before is not None
            and bool(events)
            and _exists(session, base, AuditEvent.sequence > events[0].sequence)
        )
    return TrailPage(
        events=events,
        older=events[-1].sequence if has_older else None,
        newer=events[0].sequence if has_newer else None,
    )


def _exists(session: Session, base: Select, condition) -> bool:
    return session.exec(base.where(condition).limit(1)).first() is not None


def trail_events(
    *, session: Session, organisation_id: int, filters: AuditFilter
) -> Iterator[AuditEvent]:
    """Every event matching the filters, newest first (exports)."""
    query = _filtered(organisation_id, filters).order_by(AuditEvent.sequence.desc())
    yield from session.exec(query.execution_options(yield_per=1000))
