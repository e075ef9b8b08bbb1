"""One vendor's page in the register: its row, current score, maturity trend, findings and
history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, cast, func, or_
from sqlmodel import Session, col, select

from app.assessments.decisions import latest_by_vendor
from app.models import Assessment, AuditEvent, Finding, FindingStatus, ReviewDecision, ScoreResult
from app.register.service import SEVERITIES, RegisterRow, ranked, register_row


@dataclass(frozen=True)
class TrendPoint:
    assessment_id: int
    on: date
    overall: float
    claimed: float | None
    verified: float


def maturity_trend(*, session: Session, vendor_id: int) -> list[TrendPoint]:
    """The vendor's maturity across its assessments: the latest score of each, oldest first."""
    latest = (
        select(func.max(ScoreResult.id))
        .where(ScoreResult.vendor_id == vendor_id)
        .group_by(col(ScoreResult.assessment_id))
    )
    rows = session.exec(
        select(ScoreResult, Assessment.completed_at, Assessment.submitted_at)
        .join(Assessment, col(Assessment.id) == col(ScoreResult.assessment_id))
        .where(col(ScoreResult.id).in_(latest))
        .order_by(col(Assessment.id))
    ).all()
    return [
        TrendPoint(
            assessment_id=score.assessment_id,
            on=(completed or submitted or score.computed_at).date(),
            overall=score.overall_maturity,
            claimed=score.claimed_maturity,
            verified=score.verified_maturity,
        )
        for score, completed, submitted in rows
    ]


def vendor_history(
    *, session: Session, organisation_id: int, vendor_id: int, limit: int = 50
) -> list[AuditEvent]:
    """Audit events about the vendor, its findings and its assessments, newest first."""
    finding_ids = select(cast(Finding.id, String)).where(Finding.vendor_id == vendor_id)
    assessment_ids = select(cast(Assessment.id, String)).where(Assessment.vendor_id == vendor_id)
    return list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.organisation_id == organisation_id,
                or_(
                    and_(
                        AuditEvent.object_type == "vendor", AuditEvent.object_id == str(vendor_id)
                    ),
                    and_(
                        AuditEvent.object_type == "finding",
                        col(AuditEvent.object_id).in_(finding_ids),
                    ),
                    and_(
                        AuditEvent.object_type == "assessment",
                        col(AuditEvent.object_id).in_(assessment_ids),
                    ),
                ),
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(limit)
        ).all()
    )


@dataclass
class VendorRegisterDetail:
    row: RegisterRow
    score: ScoreResult | None
    trend: list[TrendPoint]
    findings: list[Finding]
    history: list[AuditEvent]
    decision: ReviewDecision | None = None  # the latest review decision on the vendor


def vendor_detail(
    *, session: Session, organisation_id: int, vendor_id: int
) -> VendorRegisterDetail:
    row = register_row(session=session, organisation_id=organisation_id, vendor_id=vendor_id)
    score = session.exec(
        select(ScoreResult).where(
            ScoreResult.vendor_id == vendor_id, col(ScoreResult.is_current).is_(True)
        )
    ).first()
    findings = list(
        session.exec(
            select(Finding)
            .where(Finding.vendor_id == vendor_id)
            .order_by(
                col(Finding.status) == FindingStatus.closed,
                ranked(Finding.severity, SEVERITIES),
                col(Finding.key),
            )
        ).all()
    )
    return VendorRegisterDetail(
        row=row,
        score=score,
        trend=maturity_trend(session=session, vendor_id=vendor_id),
        findings=findings,
        history=vendor_history(
            session=session, organisation_id=organisation_id, vendor_id=vendor_id
        ),
        decision=latest_by_vendor(
            session=session, organisation_id=organisation_id, vendor_ids=[vendor_id]
        ).get(vendor_id),
    )
