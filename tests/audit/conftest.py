"""Audit test helpers: write events the way the product does, and tamper with them the way an
attacker with database access would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from app.audit.service import record
from app.models import AuditEvent

TRIGGER = "auditevent_append_only"


def make_events(session, user, count: int, **values) -> list[AuditEvent]:
    """`count` events on the user's organisation chain, committed."""
    events = [
        record(
            session=session,
            action=values.get("action", "vendor.updated"),
            actor=user,
            object_type=values.get("object_type", "vendor"),
            object_id=values.get("object_id", n),
            data=values.get("data", {"before": {"name": f"v{n}"}, "after": {"name": f"w{n}"}}),
        )
        for n in range(1, count + 1)
    ]
    session.commit()
    return events


@pytest.fixture
def tamper(engine: Engine) -> Callable[[str, dict], None]:
    """Run raw SQL against auditevent; on PostgreSQL the append-only trigger is disabled for
    that one transaction (superuser), as only an attacker with full database rights could."""

    def run(sql: str, params: dict | None = None) -> None:
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.execute(text(f"ALTER TABLE auditevent DISABLE TRIGGER {TRIGGER}"))
            conn.execute(text(sql), params or {})
            if postgres:
                conn.execute(text(f"ALTER TABLE auditevent ENABLE TRIGGER {TRIGGER}"))

    return run
