"""Evidence fixtures: a store in the test's data directory and two tenants to keep apart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.config import Settings
from app.evidence.storage import LocalEvidenceStore
from app.models import Organisation, Role, User, Vendor
from tests.factories import make_org, make_user, make_vendor, make_vendor_user


@pytest.fixture
def store(settings: Settings) -> LocalEvidenceStore:
    return LocalEvidenceStore(settings.evidence_dir)


@dataclass
class World:
    org: Organisation
    vendor: Vendor
    contact: User  # vendor contact of `vendor`
    buyer: User  # risk analyst of `org`
    other_org: Organisation
    other_vendor: Vendor  # of other_org
    other_contact: User
    other_buyer: User


@pytest.fixture
def world(session: Session) -> World:
    org = make_org(session)
    vendor = make_vendor(session, org)
    other_org = make_org(session, "Other Bank")
    other_vendor = make_vendor(session, other_org)
    built = World(
        org=org,
        vendor=vendor,
        contact=make_vendor_user(session, vendor, Role.vendor_contact),
        buyer=make_user(session, org, Role.risk_analyst),
        other_org=other_org,
        other_vendor=other_vendor,
        other_contact=make_vendor_user(session, other_vendor, Role.vendor_admin),
        other_buyer=make_user(session, other_org, Role.risk_analyst),
    )
    session.commit()
    return built


def stored_files(store: LocalEvidenceStore) -> list[str]:
    """Every file under the store root, temporary ones included."""
    if not store.root.exists():
        return []
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
