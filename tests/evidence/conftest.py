"""Evidence fixtures: a store in the test's data directory, and a buyer with a vendor (`world`)
to keep apart from the `rival` tenant."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.config import Settings
from app.evidence.storage import LocalEvidenceStore
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor


@pytest.fixture
def store(settings: Settings) -> LocalEvidenceStore:
    return LocalEvidenceStore(settings.evidence_dir)


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    built = make_buyer_with_vendor(session)
    session.commit()
    return built


def stored_files(store: LocalEvidenceStore) -> list[str]:
    """Every file under the store root, temporary ones included."""
    if not store.root.exists():
        return []
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
