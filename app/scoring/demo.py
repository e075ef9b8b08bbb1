"""Demo scores: the Art. 30 clause
checklists of the demo contracts (vendor's statements, most confirmed by the analyst, a few real
gaps), the analyst's acceptance of the fitting files of the answers it accepted, then every
vendor's latest submitted assessment scored. Runs after the assessments demo step; get-or-create:
a portfolio that already has clause checklists is only scored where it has no score yet."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from app.config import Settings
from app.models import (
    Answer,
    AnswerEvidence,
    Assessment,
    Contract,
    ContractClause,
    Evidence,
    Organisation,
    ReviewState,
    Role,
    ScoreResult,
    User,
    Vendor,
    utcnow,
)
from app.questionnaires.service import questionnaire_of
from app.scoring.adapter import portfolio_providers, shared_provider_counts
from app.scoring.clauses import applicable_clauses
from app.scoring.service import SCORABLE_STATES, assessments_to_score, score_assessment_and_store

# Where a demo contract departs from "every clause in the signed contract, confirmed":
# contract reference → {clause code: (vendor's status, reviewer's status or None)}.
CLAUSE_GAPS: dict[str, dict[str, tuple[str, str | None]]] = {
    "HV-ICT-2024-002": {"Art. 30(3)(f)": ("yes", "no")},  # exit clause not in the signed text
    "HV-ICT-2025-001": {"Art. 30(3)(d)": ("partly", "partly")},  # TLPT only pooled
    "HV-ICT-2024-004": {"Art. 30(2)(i)": ("partly", None)},  # not reviewed yet
    "HV-ICT-2025-003": {"Art. 30(2)(i)": ("no", "no")},
}
# Contracts whose checklist the analyst has not confirmed yet (the vendor's word only).
UNCONFIRMED = frozenset({"HV-ICT-2024-004", "HV-ICT-2024-012"})


def load(session: Session, organisation: Organisation, settings: Settings) -> None:
    analyst = session.exec(
        select(User).where(User.organisation_id == organisation.id, User.role == Role.risk_analyst)
    ).first()
    fresh = (
        session.exec(
            select(ContractClause.id).where(ContractClause.organisation_id == organisation.id)
        ).first()
        is None
    )
    if fresh:
        _clause_checklists(session, organisation, analyst)
        _accept_fitting_files(session, organisation)
    scored = set(
        session.exec(
            select(ScoreResult.assessment_id).where(ScoreResult.organisation_id == organisation.id)
        ).all()
    )
    counts = shared_provider_counts(
        portfolio_providers(session=session, organisation_id=organisation.id)
    )
    for assessment_id in assessments_to_score(session=session, organisation_id=organisation.id):
        if assessment_id in scored and not fresh:
            continue
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        score_assessment_and_store(
            session=session,
            assessment=assessment,
            actor=analyst,
            shared_providers=counts.get(assessment.vendor_id, 0),
        )
    if analyst is not None:
        _treat_riskiest(session, organisation, analyst)


def _clause_checklists(session: Session, organisation: Organisation, analyst: User | None) -> None:
    contracts = session.exec(
        select(Contract)
        .where(Contract.organisation_id == organisation.id)
        .order_by(col(Contract.id))
    ).all()
    now = utcnow()
    for contract in contracts:
        gaps = CLAUSE_GAPS.get(contract.reference, {})
        confirmed = analyst is not None and contract.reference not in UNCONFIRMED
        for n, clause in enumerate(applicable_clauses(contract.supports_critical_function), 1):
            vendor_status, reviewer_status = gaps.get(clause.code, ("yes", "yes"))
            session.add(
                ContractClause(
                    organisation_id=organisation.id,
                    contract_id=contract.id,
                    code=clause.code,
                    vendor_status=vendor_status,
                    reference=f"Master agreement clause {n + 4}",
                    stated_at=now - timedelta(days=20),
                    confirmed_status=reviewer_status if confirmed else None,
                    confirmed_by_id=analyst.id if confirmed and reviewer_status else None,
                    confirmed_at=now - timedelta(days=5) if confirmed and reviewer_status else None,
                )
            )
    session.flush()


def _accept_fitting_files(session: Session, organisation: Organisation) -> None:
    """Where the analyst accepted an answer, it accepted the attached files of a kind the
    question asks for (the demo's review step judges answers only)."""
    assessments = session.exec(
        select(Assessment).where(
            Assessment.organisation_id == organisation.id,
            col(Assessment.status).in_(SCORABLE_STATES),
        )
    ).all()
    for assessment in assessments:
        questionnaire = questionnaire_of(session=session, assessment=assessment)
        links = session.exec(
            select(AnswerEvidence, Answer.question_key, Evidence.kind)
            .join(Answer, col(Answer.id) == col(AnswerEvidence.answer_id))
            .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
            .where(
                Answer.assessment_id == assessment.id,
                Answer.review_state == ReviewState.accepted,
            )
        ).all()
        for link, key, kind in links:
            question = questionnaire.by_key.get(key)
            rule = question.evidence if question is not None else None
            if rule is not None and kind in {str(k) for k in rule.kinds}:
                link.review_state = ReviewState.accepted
                session.add(link)
    session.flush()


def _treat_riskiest(session: Session, organisation: Organisation, analyst: User) -> None:
    """A treatment on the two riskiest vendors, so the register shows one."""
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
        vendor.treatment = "mitigate"  # type: ignore[assignment]
        vendor.treatment_justification = (
            "Remediation plan agreed with the vendor: the missing contract clause and evidence "
            "for the weak domains before the next review."
        )
        vendor.treatment_due = utcnow().date() + timedelta(days=90)
        session.add(vendor)
    session.flush()
