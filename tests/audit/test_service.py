"""Appending to and verifying the chain against a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select
from starlette.requests import Request

from app.audit.chain import normalise
from app.audit.service import chain_for, record, request_ip, verify
from app.db import session_scope
from app.models import AuditChain, AuditEvent, Role
from tests.audit.conftest import make_events
from tests.factories import make_org, make_user


@pytest.fixture
def user(session):
    org = make_org(session)
    user = make_user(session, org, Role.admin)
    session.commit()
    return user


def _events(engine, chain: str) -> list[AuditEvent]:
    with Session(engine) as fresh:
        return list(
            fresh.exec(
                select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.sequence)
            )
        )


def test_events_link_into_one_chain_per_organisation(session, user):
    other = make_user(session, make_org(session), Role.admin)
    first, second = make_events(session, user, 2)
    elsewhere = record(session=session, action="vendor.created", actor=other)
    session.commit()
    assert (first.sequence, second.sequence, elsewhere.sequence) == (1, 2, 1)
    assert second.prev_hash == first.hash
    assert first.chain == chain_for(user.organisation_id) != elsewhere.chain
    head = session.get(AuditChain, first.chain)
    assert (head.sequence, head.head_hash) == (2, second.hash)
    report = verify(session=session)
    assert report.ok and report.chains == 2 and report.events == 3


def test_unusual_data_and_timestamps_survive_the_database_round_trip(engine, session, user):
    data = {
        "name": "Müller & Søn — 株式会社 🙂",
        "floats": [0.1, 1e-7, 1e300, -0.0, 2.5e-308, 123456789.123456789],
        "nested": {"z": {"y": [1, {"x": None, "t": True}]}, 7: "int key"},
        "big": 2**70,
        "nan": float("nan"),
        "inf": float("inf"),
        "day": date(2026, 11, 22),
        "quote": 'say "hi"\n\ttab \\ backslash \u2028',
    }
    event = record(
        session=session, action="vendor.updated", actor=user, data=data, ip="2001:db8::1"
    )
    session.commit()
    [stored] = _events(engine, event.chain)
    assert stored.data == normalise(data) == event.data
    assert stored.data["nested"]["7"] == "int key" and stored.data["nan"] == "nan"
    assert stored.at == event.at and stored.at.microsecond == event.at.microsecond
    assert stored.hash == event.hash
    with Session(engine) as fresh:
        assert verify(session=fresh).ok


def test_a_stale_head_in_the_session_does_not_fork_the_chain(engine, session, user):
    record(session=session, action="a.one", actor=user)
    session.commit()  # the head stays in this session's identity map (expire_on_commit=False)
    with session_scope(engine) as other:
        record(session=other, action="a.two", actor=user)
    third = record(session=session, action="a.three", actor=user)
    session.commit()
    assert third.sequence == 3
    assert verify(session=session).ok


@pytest.mark.parametrize("head_exists", [False, True], ids=["new-chain", "existing-chain"])
def test_a_second_transaction_waits_for_the_first_and_links_to_it(
    engine, session, user, head_exists
):
    if head_exists:
        make_events(session, user, 1)
    appended = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with session_scope(engine) as tx:
            event = record(session=tx, action="race.first", actor=user)
            results["first"] = (event.sequence, event.hash)
            appended.set()
            time.sleep(0.5)  # hold the chain while the second transaction tries to append
            results["first_committed"] = time.monotonic()

    def second() -> None:
        appended.wait(5)
        try:
            with session_scope(engine) as tx:
                event = record(session=tx, action="race.second", actor=user)
                results["second"] = (event.sequence, event.prev_hash)
            results["second_done"] = time.monotonic()
        except Exception as exc:
            results["error"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert "error" not in results, results.get("error")
    first_sequence, first_hash = results["first"]
    assert results["second"] == (first_sequence + 1, first_hash)
    assert results["second_done"] > results["first_committed"]
    assert verify(session=session).ok


def test_many_concurrent_writers_leave_a_gapless_verified_chain(engine, session, user):
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with session_scope(engine) as tx:
                    record(session=tx, action="race.write", actor=user, data={"writer": n, "i": i})
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    events = _events(engine, chain_for(user.organisation_id))
    assert [e.sequence for e in events] == list(range(1, 49))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert verify(session=session).ok


def test_an_untouched_chain_verifies(session, user):
    make_events(session, user, 4)
    report = verify(session=session, chain=chain_for(user.organisation_id))
    assert report.ok and report.events == 4


def test_an_edited_event_is_reported_at_its_sequence(session, user, tamper):
    events = make_events(session, user, 4)
    tamper(
        "UPDATE auditevent SET actor_label = 'someone@else.example' WHERE id = :id",
        {"id": events[1].id},
    )
    problems = verify(session=session).problems
    assert [(p.chain, p.sequence) for p in problems] == [(events[1].chain, 2)]
    assert "altered" in problems[0].problem


def test_edited_data_is_reported(session, user, tamper):
    events = make_events(session, user, 3)
    tamper(
        "UPDATE auditevent SET data = :data WHERE id = :id",
        {"id": events[2].id, "data": '{"before": {"name": "v3"}, "after": {"name": "forged"}}'},
    )
    assert [p.sequence for p in verify(session=session).problems] == [3]


def test_a_deleted_event_is_reported_as_missing(session, user, tamper):
    events = make_events(session, user, 5)
    tamper("DELETE FROM auditevent WHERE id = :id", {"id": events[2].id})
    [problem] = verify(session=session).problems
    assert problem.sequence == 3 and "missing" in problem.problem


def test_a_cut_tail_is_reported(session, user, tamper):
    events = make_events(session, user, 3)
    tamper("DELETE FROM auditevent WHERE id = :id", {"id": events[2].id})
    [problem] = verify(session=session).problems
    assert problem.sequence == 3 and "ends early" in problem.problem


def test_a_rehashed_event_breaks_the_next_link(session, user, tamper):
    events = make_events(session, user, 3)
    tamper("UPDATE auditevent SET hash = :h WHERE id = :id", {"id": events[0].id, "h": "f" * 64})
    assert [p.sequence for p in verify(session=session).problems] == [1]


def test_only_the_tampered_organisation_is_reported(session, user, tamper):
    other = make_user(session, make_org(session), Role.admin)
    session.commit()
    make_events(session, other, 2)
    events = make_events(session, user, 2)
    tamper("DELETE FROM auditevent WHERE id = :id", {"id": events[0].id})
    report = verify(session=session)
    assert [p.chain for p in report.problems] == [chain_for(user.organisation_id)]
    assert verify(session=session, chain=chain_for(other.organisation_id)).ok


@pytest.mark.postgres_only
def test_postgresql_refuses_to_change_or_delete_events(engine, session, user):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    [event] = make_events(session, user, 1)
    for statement in (
        "UPDATE auditevent SET action = 'forged' WHERE id = :id",
        "DELETE FROM auditevent WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement), {"id": event.id})
    assert _events(engine, event.chain)[0].action == "vendor.updated"
    assert verify(session=session).ok


def _request(client: tuple[str, int] | None) -> Request:
    return Request(
        {"type": "http", "client": client, "headers": [(b"x-forwarded-for", b"6.6.6.6")]}
    )


def test_request_ip_is_the_connection_address_not_a_forwarded_header():
    assert request_ip(_request(("203.0.113.9", 5000))) == "203.0.113.9"
    assert request_ip(_request(None)) is None
