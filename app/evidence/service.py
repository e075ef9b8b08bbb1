"""Evidence libraries: storing uploads once per vendor, linking them to answers, validity dates.

Functions take the session and flush, never commit. A stored blob and its Evidence row belong
together: when recording the row fails, the blob is removed again unless a committed row of any
vendor still uses it. Reads of tenant data go through `visible_vendor` / `visible_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, func, select

from app.assessments.lifecycle import EDITABLE_STATES
from app.audit.service import record
from app.auth.permissions import Permission, has_permission
from app.auth.tenancy import is_vendor_user, scope_buyer, scope_for, scope_vendor, vendor_ids_for
from app.errors import NotFound
from app.evidence.schemas import EvidenceCreate, EvidenceKind
from app.evidence.storage import EvidenceStore, hash_blob
from app.evidence.upload import ReceivedFile, receive_upload
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    Evidence,
    Questionnaire,
    User,
    Vendor,
)

EXPIRY_WARNING_DAYS = 30
NO_EVIDENCE = "There is no such evidence, or you do not have access to it."
NO_VENDOR = "There is no such vendor, or you do not have access to it."


# --- tenant scoping ---------------------------------------------------------------------------


def is_contact(*, session: Session, user: User, vendor_id: int) -> bool:
    """Whether a vendor-side user acts for this vendor (through VendorContact.user_id)."""
    return has_permission(user.role, Permission.answer_assessments) and vendor_id in (
        vendor_ids_for(session=session, user=user)
    )


def contact_vendors(*, session: Session, user: User) -> list[Vendor]:
    """The vendors a vendor-side user is a contact for (one per buyer relationship)."""
    query = scope_vendor(select(Vendor), Vendor, user).order_by(col(Vendor.legal_name))
    return list(session.exec(query).all())


def contact_vendor(*, session: Session, user: User, vendor_id: int) -> Vendor:
    """A vendor the user acts for as a contact; anything else is a 404."""
    if not is_contact(session=session, user=user, vendor_id=vendor_id):
        raise NotFound(NO_VENDOR)
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(NO_VENDOR)
    return vendor


def visible_vendor(*, session: Session, user: User, vendor_id: int) -> Vendor:
    """A vendor the user may see: its own contacts, or buyer users of its organisation."""
    vendor = session.exec(
        scope_for(select(Vendor).where(Vendor.id == vendor_id), Vendor, user)
    ).first()
    if vendor is None:
        raise NotFound(NO_VENDOR)
    return vendor


def visible_evidence(*, session: Session, user: User, evidence_id: int) -> Evidence:
    """A library item of a vendor the user may see; anything else is a 404."""
    query = (
        select(Evidence)
        .join(Vendor, col(Vendor.id) == col(Evidence.vendor_id))
        .where(Evidence.id == evidence_id)
    )
    if is_vendor_user(user):
        query = scope_vendor(query, Evidence, user)
    else:
        query = scope_buyer(query, Vendor, user)
    evidence = session.exec(query).first()
    if evidence is None:
        raise NotFound(NO_EVIDENCE)
    return evidence


# --- storing ----------------------------------------------------------------------------------


def store_evidence(
    *,
    session: Session,
    store: EvidenceStore,
    actor: User | None,
    vendor_id: int,
    filename: str,
    chunks: Iterable[bytes],
    kind: EvidenceKind | str | None = None,
    title: str | None = None,
    valid_until: date | None = None,
    limit: int | None = None,
    ip: str | None = None,
) -> Evidence:
    """Check and store an upload and add it to the vendor's library (or return the existing item
    with the same bytes). Nothing is kept when any step fails."""
    if limit is None:
        from app.config import get_settings

        limit = get_settings().upload_limit_bytes
    if session.get(Vendor, vendor_id) is None:
        raise NotFound(NO_VENDOR)
    received = receive_upload(store=store, filename=filename, chunks=chunks, limit=limit)
    try:
        evidence, _ = record_upload(
            session=session,
            actor=actor,
            vendor_id=vendor_id,
            received=received,
            kind=kind,
            title=title,
            valid_until=valid_until,
            ip=ip,
        )
    except BaseException:
        discard_unreferenced_blob(
            bind=session.get_bind(), store=store, storage_key=received.blob.storage_key
        )
        raise
    return evidence


def record_upload(
    *,
    session: Session,
    actor: User | None,
    vendor_id: int,
    received: ReceivedFile,
    kind: EvidenceKind | str | None = None,
    title: str | None = None,
    valid_until: date | None = None,
    ip: str | None = None,
) -> tuple[Evidence, bool]:
    """Add a received file to the library; (evidence, False) when the vendor already has it.

    The vendor row is locked first (PostgreSQL) so two uploads of the same bytes cannot both
    create an item; SQLite writers are serialised already.
    """
    vendor = session.exec(select(Vendor).where(Vendor.id == vendor_id).with_for_update()).first()
    if vendor is None:
        raise NotFound(NO_VENDOR)
    existing = session.exec(
        select(Evidence)
        .where(Evidence.vendor_id == vendor_id, Evidence.sha256 == received.blob.sha256)
        .order_by(col(Evidence.id))
    ).first()
    if existing is not None:
        return existing, False
    data = EvidenceCreate(
        vendor_id=vendor_id,
        sha256=received.blob.sha256,
        filename=received.filename,
        size=received.blob.size,
        media_type=received.media_type,
        storage_key=received.blob.storage_key,
        kind=kind or None,
        title=title or None,
        valid_until=valid_until,
        uploaded_by_id=actor.id if actor else None,
    )
    evidence = Evidence.model_validate(data.model_dump())
    session.add(evidence)
    session.flush()
    record(
        session=session,
        action="evidence.uploaded",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="evidence",
        object_id=evidence.id,
        data={
            "vendor_id": vendor_id,
            "filename": evidence.filename,
            "sha256": evidence.sha256,
            "size": evidence.size,
            "media_type": evidence.media_type,
            "kind": evidence.kind,
            "valid_until": evidence.valid_until.isoformat() if evidence.valid_until else None,
        },
        ip=ip,
    )
    return evidence, True


def discard_unreferenced_blob(
    *, bind: Engine | Connection, store: EvidenceStore, storage_key: str
) -> bool:
    """After a failed recording: delete the blob unless a committed Evidence row still uses it."""
    with Session(bind) as check:
        used = check.exec(select(Evidence.id).where(Evidence.storage_key == storage_key)).first()
    if used is not None:
        return False
    store.delete(storage_key)
    return True


# --- answers ----------------------------------------------------------------------------------


def attach_evidence(
    *,
    session: Session,
    actor: User | None,
    answer: Answer,
    evidence: Evidence,
    ip: str | None = None,
) -> AnswerEvidence:
    """Link a library item to an answer of the same vendor's assessment (idempotent)."""
    assessment = session.get(Assessment, answer.assessment_id)
    if assessment is None or assessment.vendor_id != evidence.vendor_id:
        raise NotFound(NO_EVIDENCE)
    link = session.get(AnswerEvidence, (answer.id, evidence.id))
    if link is not None:
        return link
    link = AnswerEvidence(
        answer_id=answer.id, evidence_id=evidence.id, linked_by_id=actor.id if actor else None
    )
    session.add(link)
    session.flush()
    record(
        session=session,
        action="evidence.attached",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="answer",
        object_id=answer.id,
        data={
            "assessment_id": assessment.id,
            "question_key": answer.question_key,
            "evidence_id": evidence.id,
            "filename": evidence.filename,
        },
        ip=ip,
    )
    return link


def detach_evidence(
    *,
    session: Session,
    actor: User | None,
    answer: Answer,
    evidence: Evidence,
    ip: str | None = None,
) -> bool:
    """Unlink a library item from an answer; False when it was not linked. The file stays."""
    link = session.get(AnswerEvidence, (answer.id, evidence.id))
    if link is None:
        return False
    assessment = session.get(Assessment, answer.assessment_id)
    session.delete(link)
    session.flush()
    record(
        session=session,
        action="evidence.detached",
        actor=actor,
        organisation_id=assessment.organisation_id if assessment else None,
        object_type="answer",
        object_id=answer.id,
        data={"question_key": answer.question_key, "evidence_id": evidence.id},
        ip=ip,
    )
    return True


# --- validity ---------------------------------------------------------------------------------


def set_valid_until(
    *,
    session: Session,
    actor: User | None,
    evidence: Evidence,
    valid_until: date | None,
    ip: str | None = None,
) -> Evidence:
    """Record (or clear) the date a certificate or report stops being valid."""
    previous = evidence.valid_until
    if previous == valid_until:
        return evidence
    evidence.valid_until = valid_until
    session.add(evidence)
    session.flush()
    vendor = session.get(Vendor, evidence.vendor_id)
    record(
        session=session,
        action="evidence.valid_until_set",
        actor=actor,
        organisation_id=vendor.organisation_id if vendor else None,
        object_type="evidence",
        object_id=evidence.id,
        data={
            "from": previous.isoformat() if previous else None,
            "to": valid_until.isoformat() if valid_until else None,
        },
        ip=ip,
    )
    return evidence


def validity(
    valid_until: date | None, *, today: date, within_days: int = EXPIRY_WARNING_DAYS
) -> str | None:
    """ "expired", "expiring" (within the warning window), "valid", or None without a date."""
    if valid_until is None:
        return None
    if valid_until < today:
        return "expired"
    if valid_until <= today + timedelta(days=within_days):
        return "expiring"
    return "valid"


# --- reading ----------------------------------------------------------------------------------


def evidence_library(*, session: Session, vendor_id: int) -> list[Evidence]:
    """A vendor's library, newest first. Callers scope `vendor_id` with `visible_vendor`."""
    return list(
        session.exec(
            select(Evidence)
            .where(Evidence.vendor_id == vendor_id)
            .order_by(col(Evidence.uploaded_at).desc(), col(Evidence.id).desc())
        ).all()
    )


def uses_of(*, session: Session, vendor_id: int) -> dict[int, int]:
    """How many answers each of the vendor's library files is attached to, by evidence id."""
    return dict(
        session.exec(
            select(AnswerEvidence.evidence_id, func.count())
            .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
            .where(Evidence.vendor_id == vendor_id)
            .group_by(col(AnswerEvidence.evidence_id))
        ).all()
    )


def open_assessments(*, session: Session, vendor_id: int) -> list[tuple[int, str]]:
    """The vendor's assessments open for answers, as (id, questionnaire title): where a library
    file can be attached now."""
    return list(
        session.exec(
            select(Assessment.id, Questionnaire.title)
            .join(Questionnaire, col(Questionnaire.id) == col(Assessment.questionnaire_id))
            .where(
                Assessment.vendor_id == vendor_id,
                col(Assessment.status).in_(list(EDITABLE_STATES)),
            )
            .order_by(col(Assessment.id))
        ).all()
    )


def expiring_evidence(
    *,
    session: Session,
    organisation_id: int | None = None,
    vendor_ids: Sequence[int] | None = None,
    within_days: int = EXPIRY_WARNING_DAYS,
    today: date,
) -> list[tuple[Evidence, Vendor]]:
    """Evidence whose validity ended or ends within `within_days`, soonest first, with its vendor.

    Scoped to one buyer organisation and/or a set of vendors; with neither, every vendor (jobs).
    """
    query = (
        select(Evidence, Vendor)
        .join(Vendor, col(Vendor.id) == col(Evidence.vendor_id))
        .where(
            col(Evidence.valid_until).is_not(None),
            col(Evidence.valid_until) <= today + timedelta(days=within_days),
        )
        .order_by(col(Evidence.valid_until), col(Evidence.id))
    )
    if organisation_id is not None:
        query = query.where(Vendor.organisation_id == organisation_id)
    if vendor_ids is not None:
        query = query.where(col(Evidence.vendor_id).in_(list(vendor_ids)))
    return [(evidence, vendor) for evidence, vendor in session.exec(query).all()]


# --- integrity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlobProblem:
    storage_key: str
    problem: str  # "missing" or "altered"
    evidence_ids: tuple[int, ...]
    detail: str = ""

    def __str__(self) -> str:
        ids = ", ".join(str(i) for i in self.evidence_ids)
        return f"evidence {ids}: file {self.problem} ({self.storage_key}){self.detail}"


@dataclass
class BlobReport:
    checked: int = 0
    problems: list[BlobProblem] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_blobs(*, session: Session, store: EvidenceStore) -> BlobReport:
    """Re-hash every blob an Evidence row points to; report missing and altered files."""
    rows = session.exec(
        select(Evidence.id, Evidence.storage_key, Evidence.sha256, Evidence.size).order_by(
            col(Evidence.storage_key), col(Evidence.id)
        )
    ).all()
    by_key: dict[str, list[tuple[int, str, int]]] = {}
    for evidence_id, key, sha256, size in rows:
        by_key.setdefault(key, []).append((evidence_id, sha256, size))
    report = BlobReport()
    for key, items in by_key.items():
        ids = tuple(i for i, _, _ in items)
        report.checked += 1
        try:
            present = store.exists(key)
        except ValueError:
            present = False
        if not present:
            report.problems.append(BlobProblem(key, "missing", ids))
            continue
        actual, actual_size = hash_blob(store, key)
        expected = {sha for _, sha, _ in items} | {key}
        if expected != {actual} or any(size != actual_size for _, _, size in items):
            report.problems.append(
                BlobProblem(key, "altered", ids, f": now {actual_size} bytes, sha256 {actual}")
            )
    report.unreferenced = [key for key in store.iter_keys() if key not in by_key]
    return report
