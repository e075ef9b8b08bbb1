"""The bad-input suite's world: two tenants (`site` and `rival`, tests/worlds.py), each with every
role and a sent assessment, and a ledger that says whether a hostile request changed anything.

After every hostile request the tests ask the same three questions: did the user get a clear
answer (status and text), is every table exactly as it was, and does the audit chain still
verify. `Ledger` answers the last two.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from app.audit.service import verify
from app.evidence.storage import LocalEvidenceStore
from app.models import User
from tests.helpers import login
from tests.worlds import SentAssessment, make_sent_assessment

# Tables a refused request may legitimately touch: the sign-in throttle counts failures.
VOLATILE_TABLES = frozenset({"loginthrottle"})


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows every table holds (the audit tables included)."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def audit_problems(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [str(p) for p in verify(session=session).problems]


def stored_files(root) -> list[str]:
    """Every file under the evidence store, temporary ones included."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class Ledger:
    """Row counts and evidence files at one moment, to compare with after a hostile request."""

    def __init__(self, engine: Engine, store: LocalEvidenceStore) -> None:
        self.engine = engine
        self.store = store
        self.mark()

    def mark(self) -> None:
        self.counts = row_counts(self.engine)
        self.files = stored_files(self.store.root)

    def changed(self) -> dict[str, tuple[int, int]]:
        now = row_counts(self.engine)
        return {
            name: (self.counts[name], count)
            for name, count in now.items()
            if count != self.counts[name] and name not in VOLATILE_TABLES
        }

    def assert_unchanged(self) -> None:
        """Nothing was stored (no row, no evidence file) and the audit chain still verifies."""
        assert self.changed() == {}, f"rows were written: {self.changed()}"
        assert stored_files(self.store.root) == self.files, "evidence files were written"
        assert audit_problems(self.engine) == []

    def assert_added(self, **tables: int) -> None:
        """Exactly these tables grew by these counts, and the audit chain verifies."""
        changed = {name: after - before for name, (before, after) in self.changed().items()}
        assert changed == tables, f"expected {tables}, got {changed}"
        assert audit_problems(self.engine) == []


@pytest.fixture
def site(session: Session) -> SentAssessment:
    """Harbour Bank with a user in every role sent Cobalt Cloud SE the small questionnaire."""
    built = make_sent_assessment(session)
    session.commit()
    return built


@pytest.fixture
def rival(session: Session, site: SentAssessment) -> SentAssessment:
    """The other tenant (replacing the suite's `rival`): Rival Bank sent its own vendor the same
    questionnaire."""
    built = make_sent_assessment(session, "Rival Bank", "Rival Supplier Ltd", site.questionnaire)
    session.commit()
    return built


@pytest.fixture
def store(settings) -> LocalEvidenceStore:
    return LocalEvidenceStore(settings.evidence_dir)


@pytest.fixture
def ledger(engine, store) -> Ledger:
    return Ledger(engine, store)


@pytest.fixture
def signed_in(app, site) -> Iterator:
    """`signed_in(user)`: a browser signed in as `user` (CSRF header set, like htmx)."""
    clients: list[TestClient] = []

    def open_as(user: User) -> TestClient:
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return login(client, user.email)

    yield open_as
    for client in clients:
        client.__exit__(None, None, None)
