"""The demo portfolio reads like a register an analyst would act on: few findings per scored
vendor, residual risk on more than one level, and dashboard headline numbers that add up."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.dashboard.service import dashboard
from app.demo import load_demo
from app.models import ContractClause, Finding, Organisation, ScoreResult, utcnow
from app.register.service import OPEN


def test_demo_portfolio_findings_residual_spread_and_dashboard(session, engine, settings):
    load_demo(engine, settings)
    org = session.exec(select(Organisation)).first()
    scores = session.exec(select(ScoreResult).where(col(ScoreResult.is_current).is_(True))).all()
    assert len(scores) >= 6
    open_findings = session.exec(
        select(func.count()).select_from(Finding).where(col(Finding.status).in_(OPEN))
    ).one()
    assert open_findings / len(scores) < 10
    residuals = {s.residual_risk for s in scores}
    assert len(residuals & {"low", "medium", "high", "critical"}) >= 3, residuals
    tiers = [s.inherent_tier for s in scores]
    assert 0 < tiers.count("critical") < len(tiers) / 2 + 1, tiers  # a few, not nearly all
    assert {"high", "medium"} <= set(tiers), tiers
    # The strongest reviewed vendor (its high-risk system's duties answered with accepted
    # evidence) ends low or medium, with no critical or high finding.
    strongest = max((s for s in scores if not s.provisional), key=lambda s: s.verified_maturity)
    assert strongest.residual_risk in ("low", "medium")
    assert not session.exec(
        select(Finding).where(
            Finding.vendor_id == strongest.vendor_id,
            col(Finding.status).in_(OPEN),
            col(Finding.severity).in_(["critical", "high"]),
        )
    ).all()
    assert any(s.provisional for s in scores) and not all(s.provisional for s in scores)
    assert session.exec(select(func.count()).select_from(ContractClause)).one() > 100
    veridian = session.exec(
        select(Finding.key).where(Finding.key == "ai_act:classification:CreditLens")
    ).all()
    assert veridian  # the credit-scoring system its vendor calls minimal

    d = dashboard(session=session, organisation_id=org.id, today=utcnow().date())
    assert d.scored == len(scores)
    assert sum(d.heat.values()) == len(scores)
    assert d.provisional == sum(1 for s in scores if s.provisional)
    assert sum(d.findings.values()) == open_findings
    critical = session.exec(
        select(func.count())
        .select_from(Finding)
        .where(col(Finding.status).in_(OPEN), Finding.severity == "critical")
    ).one()
    assert d.findings.get("critical", 0) == critical
    assert all(
        f.severity_reason
        for f in session.exec(select(Finding)).all()
        if f.source == "scoring" and f.status != "closed"
    )
