"""Evidence services: one library item per content, audit on every change, nothing half-stored."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from app.errors import InvalidInput, NotFound
from app.evidence import service
from app.evidence.service import (
    attach_evidence,
    detach_evidence,
    evidence_library,
    expiring_evidence,
    set_valid_until,
    store_evidence,
    validity,
    verify_blobs,
)
from app.models import Answer, AnswerEvidence, AuditEvent, Evidence
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_assessment, make_vendor

TODAY = date(2026, 11, 22)


def upload(session, store, world, name="policy.pdf", data=None, vendor=None, **extra):
    return store_evidence(
        session=session,
        store=store,
        actor=world.contact,
        vendor_id=(vendor or world.vendor).id,
        filename=name,
        chunks=[data if data is not None else samples.pdf_bytes()],
        limit=1024 * 1024,
        **extra,
    )


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def actions(session: Session) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.action.startswith("evidence."))
    return list(session.exec(query.order_by(AuditEvent.id)).all())


def test_store_evidence_adds_a_library_item_with_an_audit_event(session, store, world):
    evidence = upload(
        session, store, world, kind="certificate", title="ISO 42001", valid_until=TODAY
    )
    session.commit()

    assert evidence.id is not None
    assert (evidence.filename, evidence.media_type, evidence.kind) == (
        "policy.pdf",
        "application/pdf",
        "certificate",
    )
    assert evidence.uploaded_by_id == world.contact.id
    assert store.exists(evidence.storage_key)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded")).one()
    assert event.organisation_id == world.org.id  # the buyer's chain, though the actor is a vendor
    assert event.object_id == str(evidence.id)
    assert event.data["sha256"] == evidence.sha256
    assert evidence_library(session=session, vendor_id=world.vendor.id) == [evidence]


def test_the_same_bytes_again_return_the_existing_item(session, store, world):
    first = upload(session, store, world, name="policy.pdf")
    second = upload(session, store, world, name="policy-copy.pdf")
    session.commit()

    assert second.id == first.id
    assert count(session, Evidence) == 1
    assert actions(session) == ["evidence.uploaded"]
    assert len(list(store.iter_keys())) == 1


def test_two_vendors_share_one_blob_but_have_their_own_items(session, store, world, rival):
    ours = upload(session, store, world)
    theirs = upload(session, store, world, vendor=rival.vendor)
    session.commit()

    assert ours.id != theirs.id
    assert ours.storage_key == theirs.storage_key
    assert len(list(store.iter_keys())) == 1


def test_a_refused_upload_leaves_no_row_and_no_blob(session, store, world):
    with pytest.raises(InvalidInput):
        upload(session, store, world, name="chart.pdf", data=samples.image_bytes())
    session.rollback()

    assert count(session, Evidence) == 0
    assert stored_files(store) == []


def test_when_recording_fails_the_new_blob_is_removed(session, store, world, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(service, "record", broken_audit)
    with pytest.raises(RuntimeError):
        upload(session, store, world)
    session.rollback()

    assert count(session, Evidence) == 0
    assert stored_files(store) == []


def test_when_recording_fails_a_blob_another_item_uses_is_kept(
    session, store, world, rival, monkeypatch
):
    theirs = upload(session, store, world, vendor=rival.vendor)
    session.commit()

    monkeypatch.setattr(service, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError()))
    with pytest.raises(RuntimeError):
        upload(session, store, world)
    session.rollback()

    assert count(session, Evidence) == 1
    assert store.exists(theirs.storage_key)


def test_unknown_vendor_is_not_found_and_nothing_is_stored(session, store, world):
    with pytest.raises(NotFound):
        store_evidence(
            session=session,
            store=store,
            actor=world.contact,
            vendor_id=999_999,
            filename="a.txt",
            chunks=[b"a"],
            limit=100,
        )
    assert stored_files(store) == []


def test_attach_and_detach_evidence_on_an_answer(session, store, world):
    assessment = make_assessment(session, world.org, world.vendor, world.analyst)
    answer = Answer(assessment_id=assessment.id, question_key="gov.role", value="provider")
    session.add(answer)
    session.flush()
    evidence = upload(session, store, world)

    link = attach_evidence(session=session, actor=world.contact, answer=answer, evidence=evidence)
    again = attach_evidence(session=session, actor=world.contact, answer=answer, evidence=evidence)
    session.commit()

    assert again is link
    assert count(session, AnswerEvidence) == 1
    assert detach_evidence(session=session, actor=world.contact, answer=answer, evidence=evidence)
    assert not detach_evidence(
        session=session, actor=world.contact, answer=answer, evidence=evidence
    )
    session.commit()
    assert count(session, AnswerEvidence) == 0
    assert store.exists(evidence.storage_key)  # the library keeps the file
    assert actions(session) == ["evidence.uploaded", "evidence.attached", "evidence.detached"]


def test_evidence_of_another_vendor_cannot_be_attached(session, store, world, rival):
    assessment = make_assessment(session, world.org, world.vendor, world.analyst)
    answer = Answer(assessment_id=assessment.id, question_key="gov.role", value="provider")
    session.add(answer)
    session.flush()
    foreign = upload(session, store, world, vendor=rival.vendor)

    with pytest.raises(NotFound):
        attach_evidence(session=session, actor=world.contact, answer=answer, evidence=foreign)
    assert count(session, AnswerEvidence) == 0


def test_set_valid_until_is_audited(session, store, world):
    evidence = upload(session, store, world, kind="certificate")
    set_valid_until(session=session, actor=world.contact, evidence=evidence, valid_until=TODAY)
    set_valid_until(session=session, actor=world.contact, evidence=evidence, valid_until=TODAY)
    session.commit()

    assert session.get(Evidence, evidence.id).valid_until == TODAY
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "evidence.valid_until_set")
    ).all()
    assert [e.data for e in events] == [{"from": None, "to": "2026-11-22"}]


def test_expiring_evidence_is_scoped_and_sorted(session, store, world, rival):
    second_vendor = make_vendor(session, world.org)
    expired = upload(session, store, world, name="a.txt", data=b"a", valid_until=date(2026, 11, 1))
    soon = upload(session, store, world, name="b.txt", data=b"b", valid_until=date(2026, 12, 10))
    upload(session, store, world, name="c.txt", data=b"c", valid_until=date(2027, 6, 1))
    upload(session, store, world, name="d.txt", data=b"d")
    other = upload(
        session,
        store,
        world,
        name="e.txt",
        data=b"e",
        vendor=second_vendor,
        valid_until=date(2026, 11, 30),
    )
    upload(
        session,
        store,
        world,
        name="f.txt",
        data=b"f",
        vendor=rival.vendor,
        valid_until=date(2026, 11, 30),
    )

    mine = expiring_evidence(session=session, organisation_id=world.org.id, today=TODAY)
    assert [e.id for e, _ in mine] == [expired.id, other.id, soon.id]
    one_vendor = expiring_evidence(session=session, vendor_ids=[world.vendor.id], today=TODAY)
    assert [e.id for e, _ in one_vendor] == [expired.id, soon.id]
    narrow = expiring_evidence(
        session=session, organisation_id=world.org.id, within_days=0, today=TODAY
    )
    assert [e.id for e, _ in narrow] == [expired.id]


def test_validity():
    assert validity(None, today=TODAY) is None
    assert validity(date(2026, 11, 21), today=TODAY) == "expired"
    assert validity(TODAY, today=TODAY) == "expiring"
    assert validity(date(2026, 12, 22), today=TODAY) == "expiring"
    assert validity(date(2026, 12, 23), today=TODAY) == "valid"


def test_verify_blobs_finds_missing_and_altered_files(session, store, world, rival):
    intact = upload(session, store, world, name="a.txt", data=b"intact")
    missing = upload(session, store, world, name="b.txt", data=b"will vanish")
    altered = upload(session, store, world, name="c.txt", data=b"will change")
    shared = upload(session, store, world, name="c.txt", data=b"will change", vendor=rival.vendor)
    session.commit()
    assert verify_blobs(session=session, store=store).ok

    store.delete(missing.storage_key)
    store.path_for(altered.storage_key).write_bytes(b"will chang3")
    report = verify_blobs(session=session, store=store)

    assert not report.ok
    assert report.checked == 3
    found = {(p.problem, p.evidence_ids) for p in report.problems}
    assert found == {
        ("missing", (missing.id,)),
        ("altered", tuple(sorted((altered.id, shared.id)))),
    }
    assert intact.storage_key not in {p.storage_key for p in report.problems}
