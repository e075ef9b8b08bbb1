"""Demo scores: every submitted or completed demo assessment scored once (get-or-create: an
assessment that already has a score is left alone), and a treatment on the riskiest vendors so
the register shows one. Runs after the assessments demo step."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from app.config import Settings
from app.models import Assessment, Organisation, Role, ScoreResult, User, Vendor, utcnow
from app.scoring.adapter import portfolio_providers, shared_provider_counts
from app.scoring.service import SCORABLE_STATES, score_assessment_and_store


def load(session: Session, organisation: Organisation, settings: Settings) -> None:
    scored = set(
        session.exec(
            select(ScoreResult.assessment_id).where(ScoreResult.organisation_id == organisation.id)
        ).all()
    )
    analyst = session.exec(
        select(User).where(User.organisation_id == organisation.id, User.role == Role.risk_analyst)
    ).first()
    counts = shared_provider_counts(
        portfolio_providers(session=session, organisation_id=organisation.id)
    )
    assessments = session.exec(
        select(Assessment)
        .where(
            Assessment.organisation_id == organisation.id,
            col(Assessment.status).in_(SCORABLE_STATES),
        )
        .order_by(col(Assessment.id))
    ).all()
    for assessment in assessments:
        if assessment.id in scored:
            continue
        score_assessment_and_store(
            session=session,
            assessment=assessment,
            actor=analyst,
            shared_providers=counts.get(assessment.vendor_id, 0),
        )
    if analyst is None:
        return
    risky = session.exec(
        select(Vendor)
        .join(ScoreResult, col(ScoreResult.vendor_id) == col(Vendor.id))
        .where(
            Vendor.organisation_id == organisation.id,
            col(ScoreResult.is_current).is_(True),
            col(ScoreResult.residual_risk).in_(["critical", "high"]),
            col(Vendor.treatment).is_(None),
        )
        .order_by(col(Vendor.legal_name))
        .limit(2)
    ).all()
    for vendor in risky:
        vendor.owner_id = analyst.id
        vendor.treatment = "mitigate"
        vendor.treatment_justification = (
            "Remediation plan agreed with the vendor: evidence for the capped controls and an "
            "exit plan test before the next review."
        )
        vendor.treatment_due = utcnow().date() + timedelta(days=90)
        session.add(vendor)
    session.flush()
