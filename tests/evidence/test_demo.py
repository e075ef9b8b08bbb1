"""The demo step fills every named demo vendor's library with real files, once."""

from __future__ import annotations

from sqlmodel import Session, func, select

from app.demo import load_demo
from app.evidence.demo import KIND_NOTES
from app.evidence.service import verify_blobs
from app.evidence.storage import store_for
from app.models import Evidence, Vendor


def test_demo_evidence_is_real_and_idempotent(settings, engine):
    load_demo(engine, settings)
    with Session(engine) as session:
        first = session.exec(select(func.count()).select_from(Evidence)).one()
        vendors = session.exec(select(func.count()).select_from(Vendor)).one()
    load_demo(engine, settings)

    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Evidence)).one() == first
        assert first == (4 + len(KIND_NOTES)) * vendors  # and one file of each missing kind
        media = set(session.exec(select(Evidence.media_type)).all())
        certificates = session.exec(select(Evidence).where(Evidence.kind == "certificate")).all()
        report = verify_blobs(session=session, store=store_for(settings))
    assert media == {"application/pdf", "text/plain; charset=utf-8", "image/png"}
    assert certificates and all(c.valid_until is not None for c in certificates)
    assert report.ok and not report.unreferenced
