"""The bad-input suite's world: two tenants, every role, a sent assessment, and a ledger that
says whether a hostile request changed anything.

After every hostile request the tests ask the same three questions: did the user get a clear
answer (status and text), is every table exactly as it was, and does the audit chain still
verify. `Ledger` answers the last two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from app.audit.service import verify
from app.evidence.storage import LocalEvidenceStore
from app.models import Assessment, Organisation, Questionnaire, Role, User, Vendor
from tests.factories import (
    make_assessment,
    make_org,
    make_questionnaire,
    make_user,
    make_vendor,
    make_vendor_user,
)
from tests.helpers import login

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
        return [str(p) for p in verify(session).problems]


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


@dataclass
class Site:
    org: Organisation
    admin: User
    procurement: User
    analyst: User
    auditor: User
    vendor: Vendor
    vendor_admin: User
    contact: User
    questionnaire: Questionnaire
    assessment: Assessment  # sent to `vendor`
    other_org: Organisation
    other_buyer: User  # procurement of other_org
    other_vendor: Vendor
    other_contact: User
    other_assessment: Assessment

    def buyer(self, role: Role) -> User:
        return {
            Role.admin: self.admin,
            Role.procurement: self.procurement,
            Role.risk_analyst: self.analyst,
            Role.auditor: self.auditor,
        }[role]


@pytest.fixture
def site(session: Session) -> Site:
    org = make_org(session, "Harbour Bank")
    procurement = make_user(session, org, Role.procurement)
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    questionnaire = make_questionnaire(session)
    other_org = make_org(session, "Rival Bank")
    other_buyer = make_user(session, other_org, Role.procurement)
    other_vendor = make_vendor(session, other_org, "Rival Supplier Ltd")
    built = Site(
        org=org,
        admin=make_user(session, org, Role.admin),
        procurement=procurement,
        analyst=make_user(session, org, Role.risk_analyst),
        auditor=make_user(session, org, Role.auditor),
        vendor=vendor,
        vendor_admin=make_vendor_user(session, vendor, Role.vendor_admin),
        contact=make_vendor_user(session, vendor),
        questionnaire=questionnaire,
        assessment=make_assessment(session, org, vendor, procurement, questionnaire),
        other_org=other_org,
        other_buyer=other_buyer,
        other_vendor=other_vendor,
        other_contact=make_vendor_user(session, other_vendor),
        other_assessment=make_assessment(
            session, other_org, other_vendor, other_buyer, questionnaire
        ),
    )
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
