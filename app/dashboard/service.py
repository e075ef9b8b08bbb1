"""The buyer dashboard: every figure is one aggregate query (GROUP BY or COUNT), so the page
costs the same for twelve vendors or ten thousand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.assessments.reassessment import reviews_due_query
from app.assessments.reminders import AWAITING_VENDOR
from app.evidence.service import EXPIRY_WARNING_DAYS
from app.exports.charts import (
    BLUE,
    LEVEL_COLOURS,
    SEVERITY_COLOURS,
    BarChart,
    HeatMap,
    svg,
)
from app.models import (
    Assessment,
    AssessmentStatus,
    Evidence,
    Finding,
    ScoreResult,
    Vendor,
)
from app.register.service import OPEN, RATINGS, SEVERITIES, TIERS
from app.scoring import LEVEL_NAMES

STATUS_ORDER = tuple(s.value for s in AssessmentStatus)


@dataclass
class Dashboard:
    vendors: int
    by_status: dict[str, int]
    overdue_assessments: int
    reviews_due: int
    maturity: list[int]  # vendors per maturity level 0–5 (current overall score)
    unscored: int
    heat: dict[tuple[str, str], int]  # (tier, residual risk) → vendors
    findings: dict[str, int]  # open findings by severity
    expiring_count: int
    expiring: list[tuple[Evidence, Vendor]] = field(default_factory=list)
    expiry_days: int = EXPIRY_WARNING_DAYS
    provisional: int = 0  # current scores whose residual risk is not yet reviewed

    @property
    def scored(self) -> int:
        return sum(self.maturity)


def dashboard(
    *, session: Session, organisation_id: int, today: date, expiry_days: int = EXPIRY_WARNING_DAYS
) -> Dashboard:
    vendors = session.exec(
        select(func.count()).select_from(Vendor).where(Vendor.organisation_id == organisation_id)
    ).one()
    by_status = {
        str(status): n
        for status, n in session.exec(
            select(Assessment.status, func.count())
            .where(Assessment.organisation_id == organisation_id)
            .group_by(col(Assessment.status))
        ).all()
    }
    overdue = session.exec(
        select(func.count())
        .select_from(Assessment)
        .where(
            Assessment.organisation_id == organisation_id,
            col(Assessment.due_date) < today,
            col(Assessment.status).in_(AWAITING_VENDOR),
        )
    ).one()
    due = reviews_due_query(organisation_id=organisation_id, today=today).subquery()
    reviews_due = session.exec(select(func.count()).select_from(due)).one()

    level = case(*((ScoreResult.overall_maturity < n, n - 1) for n in range(1, 6)), else_=5).label(
        "level"
    )
    current = and_(
        ScoreResult.organisation_id == organisation_id, col(ScoreResult.is_current).is_(True)
    )
    maturity = [0] * 6
    for bucket, n in session.exec(select(level, func.count()).where(current).group_by(level)).all():
        maturity[int(bucket)] = n

    heat: dict[tuple[str, str], int] = {}
    provisional = 0  # in the same query: residual risk not yet reviewed
    for tier, residual, unreviewed, n in session.exec(
        select(Vendor.tier, ScoreResult.residual_risk, ScoreResult.provisional, func.count())
        .join(ScoreResult, col(ScoreResult.vendor_id) == col(Vendor.id))
        .where(current)
        .group_by(col(Vendor.tier), col(ScoreResult.residual_risk), col(ScoreResult.provisional))
    ).all():
        key = (str(tier or "untiered"), str(residual))
        heat[key] = heat.get(key, 0) + n
        provisional += n if unreviewed else 0

    findings = {
        str(severity): n
        for severity, n in session.exec(
            select(Finding.severity, func.count())
            .where(Finding.organisation_id == organisation_id, col(Finding.status).in_(OPEN))
            .group_by(col(Finding.severity))
        ).all()
    }

    expiring_where = (
        Vendor.organisation_id == organisation_id,
        col(Evidence.valid_until).is_not(None),
        col(Evidence.valid_until) <= today + timedelta(days=expiry_days),
    )
    expiring_count = session.exec(
        select(func.count())
        .select_from(Evidence)
        .join(Vendor, col(Vendor.id) == col(Evidence.vendor_id))
        .where(*expiring_where)
    ).one()
    expiring = [
        (evidence, vendor)
        for evidence, vendor in session.exec(
            select(Evidence, Vendor)
            .join(Vendor, col(Vendor.id) == col(Evidence.vendor_id))
            .where(*expiring_where)
            .order_by(col(Evidence.valid_until), col(Evidence.id))
            .limit(10)
        ).all()
    ]
    return Dashboard(
        vendors=vendors,
        by_status=by_status,
        overdue_assessments=overdue,
        reviews_due=reviews_due,
        maturity=maturity,
        unscored=max(0, vendors - sum(maturity)),
        heat=heat,
        findings=findings,
        provisional=provisional,
        expiring_count=expiring_count,
        expiring=expiring,
        expiry_days=expiry_days,
    )


@dataclass
class HomeCounts:
    vendors: int
    by_status: dict[str, int]  # assessments by status


def home_counts(*, session: Session, organisation_id: int | None) -> HomeCounts:
    """The figures of the plain home page, for staff who do not see the portfolio dashboard."""
    vendors = session.exec(
        select(func.count()).select_from(Vendor).where(Vendor.organisation_id == organisation_id)
    ).one()
    by_status = dict(
        session.exec(
            select(Assessment.status, func.count())
            .where(Assessment.organisation_id == organisation_id)
            .group_by(Assessment.status)
        ).all()
    )
    return HomeCounts(vendors=vendors, by_status=by_status)


# --- charts (specs shared with the PDF reports) ---------------------------------------------------


def status_chart(d: Dashboard) -> BarChart:
    statuses = [s for s in STATUS_ORDER if d.by_status.get(s)] or ["sent"]
    return BarChart(
        "Assessments by status",
        [s.replace("_", " ") for s in statuses],
        [d.by_status.get(s, 0) for s in statuses],
        colors=[BLUE] * len(statuses),
    )


def maturity_chart(d: Dashboard) -> BarChart:
    return BarChart(
        "Vendors by AIMS maturity (current score)",
        [str(n) for n in range(6)],
        d.maturity,
        colors=list(LEVEL_COLOURS),
        y_label="Level: "
        + ", ".join(f"{n} {name}" for n, name in enumerate(LEVEL_NAMES[:3]))
        + " …",
    )


def heat_chart(d: Dashboard) -> HeatMap:
    return HeatMap(
        "Inherent tier × residual risk",
        list(TIERS),
        list(reversed(RATINGS)),
        [[d.heat.get((tier, risk), 0) for risk in reversed(RATINGS)] for tier in TIERS],
        row_label="tier",
        column_label="residual risk",
    )


def findings_chart(d: Dashboard) -> BarChart:
    return BarChart(
        "Open findings by severity",
        list(SEVERITIES),
        [d.findings.get(s, 0) for s in SEVERITIES],
        colors=[SEVERITY_COLOURS[s] for s in SEVERITIES],
    )


def chart_svgs(d: Dashboard) -> dict[str, str]:
    return {
        "status": svg(status_chart(d)),
        "maturity": svg(maturity_chart(d)),
        "heat": svg(heat_chart(d), 480, 240),
        "findings": svg(findings_chart(d)),
    }
