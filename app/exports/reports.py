"""The PDF reports' data, read for one organisation (tenant-scoped), and their export: the report
of one assessment and the portfolio report. Each export is an audit event carrying the file's
SHA-256, so a PDF handed to a committee can be matched to who produced it and when.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, cast, func, or_
from sqlmodel import Session, col, select

from app.assessments import decisions
from app.assessments.sheet import SheetSection, answered_sheet
from app.audit.service import chain_for, record
from app.errors import NotFound
from app.exports.assessment_report import (
    AssessmentReport,
    AuditExcerpt,
    ReportAttestation,
    ReportDomain,
    ReportEvent,
    ReportFinding,
    ReportScore,
    build_assessment_report,
)
from app.exports.portfolio_report import (
    PortfolioReport,
    PortfolioVendor,
    ProviderShare,
    build_portfolio_report,
)
from app.models import (
    Answer,
    Assessment,
    AuditEvent,
    DecisionKind,
    Finding,
    FindingStatus,
    Organisation,
    Questionnaire,
    ScoreResult,
    User,
    Vendor,
    utcnow,
)
from app.register.concentration import concentration
from app.register.service import RegisterFilters, iter_register_rows
from app.scoring import DEFAULT_DOMAINS, FRAMEWORK_LABELS, MODEL_VERSION
from app.scoring.service import latest_result_for, stored_result

PDF = "application/pdf"
MAX_EVENTS = 300  # the assessment's own events in the excerpt (newest kept)
_DOMAIN_ORDER = {d.key: i for i, d in enumerate(DEFAULT_DOMAINS)}


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def file_slug(text: str, limit: int = 40) -> str:
    """ASCII words for a download's file name ("Zürich Société" → "zurich-societe")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "report"


def refs_text(refs: dict[str, list[str]] | None) -> list[str]:
    """{"iso42001": ["A.6.2.6"]} → ["ISO/IEC 42001 A.6.2.6"]."""
    return [
        f"{FRAMEWORK_LABELS.get(framework, framework)} {control}"
        for framework, controls in (refs or {}).items()
        for control in controls
    ]


# --- one assessment ------------------------------------------------------------------------------


def _assessment(session: Session, organisation_id: int, assessment_id: int) -> Assessment:
    assessment = session.exec(
        select(Assessment).where(
            Assessment.id == assessment_id, Assessment.organisation_id == organisation_id
        )
    ).first()
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def assessment_report_data(
    *,
    session: Session,
    organisation_id: int,
    assessment_id: int,
    generated_by: str,
    today: date | None = None,
) -> AssessmentReport:
    """Everything the assessment report shows; NotFound for another organisation's assessment."""
    now = utcnow()
    today = today or now.date()
    assessment = _assessment(session, organisation_id, assessment_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    organisation = session.get(Organisation, assessment.organisation_id)
    questionnaire_row = session.get(Questionnaire, assessment.questionnaire_id)
    assert vendor is not None and organisation is not None and questionnaire_row is not None
    row = latest_result_for(session=session, assessment_id=assessment.id)
    attestation = assessment.attestation
    return AssessmentReport(
        assessment_id=assessment.id,
        vendor=vendor.legal_name,
        vendor_identifier=vendor.identifier,
        vendor_country=vendor.hq_country,
        buyer=organisation.name,
        questionnaire=questionnaire_row.title,
        questionnaire_version=f"{questionnaire_row.key} v{questionnaire_row.version}",
        status=str(assessment.status),
        dates=[
            ("Created", assessment.created_at),
            ("Sent", assessment.sent_at),
            ("Due", assessment.due_date),
            ("Submitted", assessment.submitted_at),
            ("Completed", assessment.completed_at),
        ],
        score=_score(row),
        domains=_domains(row),
        findings=_findings(session, assessment),
        sections=_sections(session, assessment, today),
        decision=_decision(session, assessment),
        attestation=ReportAttestation(
            name=str(attestation.get("name", "")),
            title=str(attestation.get("title", "")),
            email=str(attestation.get("email") or ""),
            at=str(attestation.get("at", ""))[:19].replace("T", " ") + " UTC",
            statement=str(attestation.get("statement", "")),
        )
        if attestation
        else None,
        audit=_audit_excerpt(session, assessment),
        generated_at=now,
        generated_by=generated_by,
    )


def _score(row: ScoreResult | None) -> ReportScore | None:
    if row is None:
        return None
    result = stored_result(row) if row.explanation.get("result") else None
    return ReportScore(
        model_version=row.model_version,
        scored_at=row.computed_at,
        overall=row.overall_maturity,
        level_name=row.level_name,
        claimed=row.claimed_maturity,
        verified=row.verified_maturity,
        inherent_tier=row.inherent_tier,
        target=row.target_maturity,
        residual=row.residual_risk,
        as_of=result.as_of if result else None,
        tier_points=result.tier_points if result else None,
        tier_reasons=list(result.tier_reasons) if result else [],
        residual_basis=result.residual_basis_maturity if result else None,
        residual_gap=result.residual_gap if result else None,
        weakest_link=result.weakest_critical_domain
        if result and result.weakest_link_applied
        else None,
    )


def _domains(row: ScoreResult | None) -> list[ReportDomain]:
    if row is None:
        return []
    keys = sorted(row.domains, key=lambda k: (_DOMAIN_ORDER.get(k, len(_DOMAIN_ORDER)), k))
    return [
        ReportDomain(
            key=key,
            title=str(row.domains[key].get("title", key)),
            framework=str(row.domains[key].get("framework", "")),
            critical=bool(row.domains[key].get("critical")),
            claimed=row.domains[key].get("claimed"),
            level=row.domains[key].get("level"),
            verified=row.domains[key].get("verified"),
        )
        for key in keys
    ]


def _findings(session: Session, assessment: Assessment) -> list[ReportFinding]:
    """The findings this assessment raised (or closed), and the vendor's open manual ones."""
    rows = session.exec(
        select(Finding, User.name)
        .join(User, col(User.id) == col(Finding.owner_id), isouter=True)
        .where(
            Finding.organisation_id == assessment.organisation_id,
            Finding.vendor_id == assessment.vendor_id,
            or_(
                Finding.assessment_id == assessment.id,
                and_(Finding.source == "manual", Finding.status != FindingStatus.closed),
            ),
        )
        .order_by(col(Finding.id))
    ).all()
    return [
        ReportFinding(
            severity=str(f.severity),
            status=str(f.status),
            title=f.title,
            refs=refs_text(f.refs),
            current_level=f.current_level,
            target_level=f.target_level,
            owner=owner,
            due=f.due_date,
            source=f.source,
        )
        for f, owner in rows
    ]


def _decision(session: Session, assessment: Assessment) -> str:
    """The review's decision and any prohibited-practice decision, as one line each."""
    review = decisions.latest(session=session, assessment=assessment, kind=DecisionKind.review)
    practice = decisions.latest(
        session=session, assessment=assessment, kind=DecisionKind.prohibited_practice
    )
    lines = [decisions.decision_summary(review)]
    if practice is not None:
        lines.append("Prohibited AI practice: " + decisions.decision_summary(practice))
    return " · ".join(line for line in lines if line)


def _sections(session: Session, assessment: Assessment, today: date) -> list[SheetSection]:
    """Every section of the answered sheet, each question with its answer, review and files:
    the report prints the shown ones in questionnaire order."""
    return answered_sheet(session=session, assessment=assessment, today=today).sections


def _audit_excerpt(session: Session, assessment: Assessment) -> AuditExcerpt:
    """The assessment's own events (newest MAX_EVENTS, oldest first) and a count of the events
    on its single answers and files."""
    own = and_(
        AuditEvent.organisation_id == assessment.organisation_id,
        AuditEvent.object_type == "assessment",
        AuditEvent.object_id == str(assessment.id),
    )
    total = session.exec(select(func.count()).select_from(AuditEvent).where(own)).one()
    rows = session.exec(
        select(AuditEvent, User.name)
        .join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(own)
        .order_by(col(AuditEvent.sequence).desc())
        .limit(MAX_EVENTS)
    ).all()
    rows = list(reversed(rows))
    answer_ids = select(cast(Answer.id, String)).where(Answer.assessment_id == assessment.id)
    answer_events = {
        action: n
        for action, n in session.exec(
            select(AuditEvent.action, func.count())
            .where(
                AuditEvent.organisation_id == assessment.organisation_id,
                AuditEvent.object_type == "answer",
                or_(
                    col(AuditEvent.object_id).like(f"{assessment.id}:%"),
                    col(AuditEvent.object_id).in_(answer_ids),
                ),
            )
            .group_by(col(AuditEvent.action))
        ).all()
    }
    last = rows[-1][0] if rows else None
    return AuditExcerpt(
        chain=chain_for(assessment.organisation_id),
        events=[
            ReportEvent(
                sequence=event.sequence,
                at=event.at,
                actor=f"{name} <{event.actor_label}>" if name else event.actor_label,
                action=event.action,
            )
            for event, name in rows
        ],
        omitted=total - len(rows),
        answer_events=answer_events,
        last_hash=last.hash if last else None,
        last_sequence=last.sequence if last else None,
    )


def export_assessment_report(
    *,
    session: Session,
    organisation_id: int,
    assessment_id: int,
    actor: User | None,
    generated_by: str,
    ip: str | None = None,
) -> ReportFile:
    """The assessment report as a PDF file, recorded as `assessment.report_exported`."""
    data = assessment_report_data(
        session=session,
        organisation_id=organisation_id,
        assessment_id=assessment_id,
        generated_by=generated_by,
    )
    content = build_assessment_report(data)
    report = ReportFile(
        f"assay-assessment-{assessment_id}-{file_slug(data.vendor)}-{data.generated_at:%Y%m%d}.pdf",
        content,
    )
    record(
        session=session,
        action="assessment.report_exported",
        actor=actor,
        organisation_id=organisation_id,
        object_type="assessment",
        object_id=assessment_id,
        data={"format": "pdf", "sha256": report.sha256, "bytes": len(content)},
        ip=ip,
    )
    return report


# --- the portfolio -------------------------------------------------------------------------------


def portfolio_report_data(
    *,
    session: Session,
    organisation_id: int,
    filters: RegisterFilters,
    generated_by: str,
    today: date | None = None,
) -> PortfolioReport:
    """The register rows matching `filters` and the portfolio's shared providers."""
    now = utcnow()
    today = today or now.date()
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    vendors = [
        PortfolioVendor(
            name=row.vendor.legal_name,
            identifier=row.vendor.identifier,
            tier=str(row.vendor.tier) if row.vendor.tier else None,
            overall=row.overall,
            verified=row.verified,
            residual=row.residual,
            findings=dict(row.findings),
            next_review=row.vendor.next_review_date,
            owner=row.owner_name,
            treatment=str(row.vendor.treatment) if row.vendor.treatment else None,
        )
        for row in iter_register_rows(
            session=session, organisation_id=organisation_id, filters=filters, today=today
        )
    ]
    groups = concentration(session=session, organisation_id=organisation_id)
    return PortfolioReport(
        organisation=organisation.name,
        filters=filters.described(),
        vendors=vendors,
        providers=[
            ProviderShare(
                kind=g.kind,
                name=g.name,
                vendors=[f"{v.name} ({v.tier or 'no tier'})" for v in g.vendors],
                critical_functions=g.critical_functions,
            )
            for g in groups
            if g.shared
        ],
        single_providers=sum(1 for g in groups if not g.shared),
        model_version=MODEL_VERSION,
        today=today,
        generated_at=now,
        generated_by=generated_by,
    )


def export_portfolio_report(
    *,
    session: Session,
    organisation_id: int,
    filters: RegisterFilters,
    actor: User | None,
    generated_by: str,
    ip: str | None = None,
) -> ReportFile:
    """The portfolio report as a PDF file, recorded as `register.exported` (format pdf)."""
    data = portfolio_report_data(
        session=session,
        organisation_id=organisation_id,
        filters=filters,
        generated_by=generated_by,
    )
    content = build_portfolio_report(data)
    organisation = session.get(Organisation, organisation_id)
    slug = file_slug(organisation.slug if organisation else data.organisation)
    report = ReportFile(f"assay-portfolio-{slug}-{data.generated_at:%Y%m%d-%H%M}.pdf", content)
    record(
        session=session,
        action="register.exported",
        actor=actor,
        organisation_id=organisation_id,
        object_type="register",
        object_id="pdf",
        data={
            "format": "pdf",
            "filters": filters.params(),
            "vendors": len(data.vendors),
            "sha256": report.sha256,
            "bytes": len(content),
        },
        ip=ip,
    )
    return report


def attachment_headers(report: ReportFile) -> dict[str, str]:
    """A download, never shown inline (the file name is ASCII by construction)."""
    return {"Content-Disposition": f'attachment; filename="{report.filename}"'}
