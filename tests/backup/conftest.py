"""Fixtures of the backup tests: the command's environment and a populated tenant."""

from __future__ import annotations

import pytest

from app.evidence.storage import LocalEvidenceStore
from app.models import Role
from tests.audit.conftest import make_events
from tests.factories import make_org, make_user

EVIDENCE = [b"%PDF-1.7 ISO 42001 policy", b"SOC 2 type II report \xe2\x9c\x93", b"x" * 300_000]


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))


@pytest.fixture
def populated(session, settings):
    """An organisation with a user, three audit events and three evidence files."""
    org = make_org(session, "Harbourvale Bank")
    user = make_user(session, org, Role.admin)
    session.commit()
    make_events(session, user, 3)
    store = LocalEvidenceStore(settings.evidence_dir)
    blobs = [store.put_stream([content]) for content in EVIDENCE]
    (settings.evidence_dir / "incoming").mkdir(exist_ok=True)
    (settings.evidence_dir / "incoming" / "upload-1.part").write_bytes(b"half an upload")
    session.close()
    return {"user": user, "blobs": blobs}
