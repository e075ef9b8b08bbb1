"""Scoring an assessment and storing the result: the ScoreResult row, the vendor's tier and the
findings register, in the caller's transaction.

`score_assessment_and_store` is called when an assessment is submitted or completed (by the
workflow), by the analysts' "Re-score" action and by `assay score --all`. A stored result keeps
every input the model read (`explanation["inputs"]`), so `recompute` reproduces it exactly with
the same model version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import InvalidInput
from app.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    FindingStatus,
    Organisation,
    Questionnaire,
    ScoreResult,
    User,
    Vendor,
    utcnow,
)
from app.questionnaires.service import questionnaire_of
from app.scoring import DEFAULT_DOMAINS, MODEL_VERSION, Scorecard, score_assessment
from app.scoring.adapter import (
    ai_system_inputs,
    answer_inputs,
    compiled_model,
    contract_inputs,
    declared_classes,
    inputs_from_json,
    inputs_to_json,
    portfolio_providers,
    risk_profile,
    scoring_config,
    shared_provider_counts,
)
from app.scoring.clauses import CLAUSE_BY_CODE
from app.scoring.config import CLAUSE_DOMAIN, DUTY_DOMAIN
from app.scoring.findings import AIMS_CLAUSE_DOMAINS, AIMS_FINDING

# Assessments whose answers are final enough to score.
SCORABLE_STATES = (
    AssessmentStatus.submitted,
    AssessmentStatus.under_review,
    AssessmentStatus.clarification_requested,
    AssessmentStatus.completed,
)
TITLE_MAX = 300
DESCRIPTION_MAX = 5000
REASON_MAX = 500
# Keys of model 2026.2: anything else from the scoring source is a per-control key of 2026.1.
NEW_KEY_PREFIXES = (
    "gap:",
    "evidence:",
    "ai_act:prohibited",
    "ai_act:classification:",
    "ai_act:high_risk",
)


@dataclass(frozen=True)
class FindingChanges:
    opened: int = 0
    updated: int = 0
    reopened: int = 0
    closed: int = 0


def score_assessment_and_store(
    *,
    session: Session,
    assessment: Assessment,
    actor: User | None,
    today: date | None = None,
    shared_providers: int | None = None,
    ip: str | None = None,
) -> ScoreResult:
    """Score `assessment` as of `today`, store the result as the vendor's current one, set the
    vendor's tier and bring its scoring findings up to date (same control → same finding).

    Flushes, never commits. `shared_providers` spares the portfolio query when scoring many.
    """
    today = today or utcnow().date()
    vendor = session.get(Vendor, assessment.vendor_id)
    organisation = session.get(Organisation, assessment.organisation_id)
    questionnaire_row = session.get(Questionnaire, assessment.questionnaire_id)
    assert vendor is not None and questionnaire_row is not None  # foreign keys
    questionnaire = questionnaire_of(session=session, assessment=assessment)

    systems = ai_system_inputs(session=session, vendor=vendor)
    answers, hidden = answer_inputs(
        session=session,
        assessment=assessment,
        questionnaire=questionnaire,
    )
    declared = declared_classes(answers)
    profile = risk_profile(session=session, vendor=vendor, shared_providers=shared_providers)
    contracts = contract_inputs(session=session, vendor=vendor, profile=profile)
    config = scoring_config(organisation, as_of=today)
    model = compiled_model(questionnaire_row, config, hidden)
    result = score_assessment(
        model,
        answers,
        profile,
        config,
        contracts=contracts,
        ai_systems=systems,
        declared_classes=declared,
    )

    session.execute(
        update(ScoreResult)
        .where(col(ScoreResult.vendor_id) == vendor.id, col(ScoreResult.is_current).is_(True))
        .values(is_current=False)
    )
    row = ScoreResult(
        organisation_id=assessment.organisation_id,
        vendor_id=vendor.id,
        assessment_id=assessment.id,
        model_version=result.model_version,
        overall_maturity=result.overall_maturity,
        verified_maturity=result.verified_maturity,
        claimed_maturity=result.claimed_maturity,
        level_name=result.level_name,
        inherent_tier=result.inherent_tier,
        target_maturity=result.target_maturity,
        residual_risk=result.residual_risk,
        provisional=result.provisional,
        domains=domain_summary(result),
        explanation={
            "result": result.to_json(),
            "inputs": inputs_to_json(
                questionnaire=questionnaire_row,
                hidden=hidden,
                answers=answers,
                profile=profile,
                config=config,
                contracts=contracts,
                ai_systems=systems,
                declared=declared,
            ),
        },
        is_current=True,
    )
    session.add(row)
    tier_before = vendor.tier
    vendor.tier = result.inherent_tier
    session.add(vendor)
    session.flush()
    changes = _sync_findings(session=session, vendor=vendor, assessment=assessment, result=result)
    record(
        session=session,
        action="assessment.scored",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={
            "vendor_id": vendor.id,
            "score_result_id": row.id,
            "model_version": result.model_version,
            "as_of": today,
            "overall": result.overall_maturity,
            "claimed": result.claimed_maturity,
            "verified": result.verified_maturity,
            "residual_risk": result.residual_risk,
            "provisional": result.provisional,
            "tier": {"from": tier_before, "to": result.inherent_tier},
            "findings": changes.__dict__,
        },
        ip=ip,
    )
    return row


def domain_summary(result: Scorecard) -> dict[str, dict[str, Any]]:
    """The small per-domain view the register reads without opening the explanation."""
    return {
        d.key: {
            "title": d.title,
            "framework": d.framework,
            "critical": d.critical,
            "claimed": d.claimed,
            "level": d.level,
            "verified": d.verified,
        }
        for d in result.domains
        if d.level is not None
    }


def _sync_findings(
    *, session: Session, vendor: Vendor, assessment: Assessment, result: Scorecard
) -> FindingChanges:
    """Upsert one finding per actionable gap (same key → same row); close the vendor's scoring
    findings the run no longer raises. Findings under a key of the previous model (one per
    control) are first moved to the key of the gap that now covers them (`rekey_findings`), so
    their owner, treatment and history carry over. Manual findings are never touched."""
    now = utcnow()
    rekey_findings(session=session, vendor_id=vendor.id or 0, result=result)
    existing = {
        f.key: f
        for f in session.exec(
            select(Finding).where(Finding.vendor_id == vendor.id, Finding.source == "scoring")
        ).all()
    }
    opened = updated = reopened = closed = 0
    raised = set()
    basis = "provisional" if result.provisional else "verified"
    for item in result.findings:
        raised.add(item.key)
        finding = existing.get(item.key)
        if finding is None:
            finding = Finding(
                organisation_id=vendor.organisation_id,
                vendor_id=vendor.id,
                key=item.key,
                source="scoring",
                title="",
            )
            opened += 1
        elif finding.status == FindingStatus.closed:
            finding.status = FindingStatus.open
            finding.closed_at = None
            finding.note = (
                f"Reopened on {result.as_of.isoformat()}: assessment #{assessment.id} raised "
                f"the gap again ({basis})."
            )
            reopened += 1
        else:
            updated += 1
        finding.assessment_id = assessment.id
        finding.framework = item.framework
        finding.title = item.title[:TITLE_MAX]
        finding.description = item.description[:DESCRIPTION_MAX]
        finding.refs = {fw: list(ids) for fw, ids in item.refs.items()}
        finding.severity = item.severity
        finding.severity_reason = item.severity_reason[:REASON_MAX] or None
        finding.current_level = item.current_level
        finding.target_level = item.target_level
        finding.updated_at = now
        session.add(finding)

    for key, finding in existing.items():
        if key in raised or finding.status == FindingStatus.closed:
            continue
        finding.status = FindingStatus.closed
        finding.closed_at = now
        finding.assessment_id = assessment.id
        finding.updated_at = now
        finding.note = (
            f"Closed automatically on {result.as_of.isoformat()}: assessment #{assessment.id} "
            f"no longer shows this gap (scoring model {result.model_version}, {basis})."
        )
        session.add(finding)
        closed += 1
    session.flush()
    return FindingChanges(opened, updated, reopened, closed)


def rekey_findings(*, session: Session, vendor_id: int, result: Scorecard) -> int:
    """Move findings of the per-control model (key "iso42001:A.6.2.6") to the key of the gap
    that covers the control now ("gap:iso42001:A.6"), keeping id, owner, treatment, due date and
    audit history. When several old findings land on one key, the most worked-on survives (an
    owner, a treatment, not closed) and takes the first owner, due date and treatment found; the
    others are closed with a note naming it. Returns how many findings were re-keyed."""
    rows = session.exec(
        select(Finding)
        .where(Finding.vendor_id == vendor_id, Finding.source == "scoring")
        .order_by(col(Finding.id))
    ).all()
    taken = {f.key for f in rows}
    groups: dict[str, list[Finding]] = {}
    for finding in rows:
        new_key = legacy_key(finding.key, result)
        if new_key is not None and new_key != finding.key:
            groups.setdefault(new_key, []).append(finding)
    moved = 0
    for new_key, old in groups.items():
        if new_key in taken:
            continue  # already re-keyed once; leave the rest to be closed as no longer raised
        old.sort(key=_worked_on, reverse=True)
        survivor = old[0]
        for other in old[1:]:
            survivor.owner_id = survivor.owner_id or other.owner_id
            survivor.due_date = survivor.due_date or other.due_date
            survivor.treatment = survivor.treatment or other.treatment
        survivor.key = new_key
        session.add(survivor)
        session.flush()
        for other in old[1:]:
            other.key = f"{other.key} (merged #{survivor.id})"[:120]
            if other.status != FindingStatus.closed:
                other.status = FindingStatus.closed
                other.closed_at = utcnow()
            other.note = (
                f"Merged into finding #{survivor.id} ({new_key}) by scoring model "
                f"{result.model_version}: one finding per gap, its weak controls listed inside."
            )
            session.add(other)
        moved += len(old)
    session.flush()
    return moved


def _worked_on(finding: Finding) -> tuple[bool, bool, bool, int]:
    return (
        finding.status != FindingStatus.closed,
        finding.owner_id is not None,
        bool(finding.treatment),
        -(finding.id or 0),
    )


def legacy_key(key: str, result: Scorecard) -> str | None:
    """The key a finding of an older model has now; None when it is a key of this model
    already. Art. 30 clauses keep their key; a high-risk duty (`ai_act:Art. 9`, one finding per
    duty until 2026.3) goes to the finding of the first high-risk system that lists it; other
    controls go to their domain's gap (2026.1 had one finding per control)."""
    if key.startswith(NEW_KEY_PREFIXES) or ":" not in key:
        return None
    framework, control_id = key.split(":", 1)
    if framework == "dora" and control_id in CLAUSE_BY_CODE:
        return None
    domain = next(
        (d for d in DEFAULT_DOMAINS if d.matches(framework, control_id)),
        None,
    )
    if domain is None:
        return None
    if domain.key == DUTY_DOMAIN:
        return next(
            (
                f.key
                for f in result.findings
                if f.kind == "ai_duty" and control_id in f.refs.get("ai_act", ())
            ),
            None,
        )
    if domain.key == CLAUSE_DOMAIN:
        return None  # Art. 30(1), (4), (5): no gap of their own now; closed if not raised
    if domain.key in AIMS_CLAUSE_DOMAINS:
        return f"gap:{AIMS_FINDING}"
    return f"gap:{domain.key}"


def stored_result(row: ScoreResult) -> Scorecard:
    """The full result (controls, contributions, evidence) of a stored score."""
    return Scorecard.from_json(row.explanation["result"])


def recompute(*, session: Session, row: ScoreResult) -> Scorecard:
    """Score again from the stored inputs: equal to `stored_result(row)` when the running model
    is the version that produced it. Another version raises: check out the release tagged with
    that model version (docs/scoring.md) to reproduce an old score."""
    if row.model_version != MODEL_VERSION:
        raise InvalidInput(
            f"Score #{row.id} was computed by scoring model {row.model_version}; this is "
            f"{MODEL_VERSION}. Recompute it with a release of model {row.model_version}."
        )
    inputs = row.explanation["inputs"]
    questionnaire = session.get(Questionnaire, inputs["questionnaire_id"])
    if questionnaire is None or questionnaire.content_hash != inputs["content_hash"]:
        raise InvalidInput(f"The questionnaire version score #{row.id} used is gone.")
    stored = inputs_from_json(inputs)
    model = compiled_model(questionnaire, stored.config, stored.hidden)
    return score_assessment(
        model,
        stored.answers,
        stored.profile,
        stored.config,
        contracts=stored.contracts,
        ai_systems=stored.ai_systems,
        declared_classes=stored.declared,
    )


def verify_scores(*, session: Session) -> tuple[int, list[int], list[int]]:
    """Recompute every current score of this model version from its stored inputs: (how many
    were checked, ids that differ, ids of older model versions left as they are)."""
    rows = session.exec(
        select(ScoreResult).where(col(ScoreResult.is_current).is_(True)).order_by(ScoreResult.id)
    ).all()
    current = [row for row in rows if row.model_version == MODEL_VERSION]
    differ = [
        row.id or 0 for row in current if recompute(session=session, row=row) != stored_result(row)
    ]
    older = [row.id or 0 for row in rows if row.model_version != MODEL_VERSION]
    return len(current), differ, older


def current_result(*, session: Session, vendor_id: int) -> ScoreResult | None:
    return session.exec(
        select(ScoreResult).where(
            ScoreResult.vendor_id == vendor_id, col(ScoreResult.is_current).is_(True)
        )
    ).first()


def latest_result_for(*, session: Session, assessment_id: int) -> ScoreResult | None:
    return session.exec(
        select(ScoreResult)
        .where(ScoreResult.assessment_id == assessment_id)
        .order_by(col(ScoreResult.id).desc())
        .limit(1)
    ).first()


def assessments_to_score(*, session: Session, organisation_id: int | None = None) -> list[int]:
    """Each vendor's latest scorable assessment (submitted or later): what `score --all` scores."""
    latest = (
        select(Assessment.vendor_id, func.max(Assessment.id).label("assessment_id"))
        .where(col(Assessment.status).in_(SCORABLE_STATES))
        .group_by(col(Assessment.vendor_id))
    )
    if organisation_id is not None:
        latest = latest.where(Assessment.organisation_id == organisation_id)
    sub = latest.subquery()
    return list(session.exec(select(sub.c.assessment_id).order_by(sub.c.assessment_id)).all())


def score_all(
    *,
    session: Session,
    actor: User | None = None,
    organisation_ids: Sequence[int] | None = None,
    today: date | None = None,
) -> int:
    """Re-score every vendor's latest scorable assessment, organisation by organisation (the
    portfolio concentration is computed once per organisation). Returns how many were scored."""
    today = today or utcnow().date()
    if organisation_ids is None:
        organisation_ids = list(session.exec(select(Organisation.id).order_by(Organisation.id)))
    scored = 0
    for organisation_id in organisation_ids:
        counts = shared_provider_counts(
            portfolio_providers(session=session, organisation_id=organisation_id)
        )
        for assessment_id in assessments_to_score(session=session, organisation_id=organisation_id):
            assessment = session.get(Assessment, assessment_id)
            assert assessment is not None
            score_assessment_and_store(
                session=session,
                assessment=assessment,
                actor=actor,
                today=today,
                shared_providers=counts.get(assessment.vendor_id, 0),
            )
            scored += 1
    return scored
