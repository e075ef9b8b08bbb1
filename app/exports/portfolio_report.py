"""The PDF report of the whole third-party portfolio (pure: a `PortfolioReport` in, PDF bytes
out): a one-page summary with four charts, the register table (one row per vendor, header
repeated on every page, any number of vendors) and the AI supply-chain concentration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle

from app.exports import pdf
from app.exports.charts import GREY, LEVEL_COLOURS, RED, SEVERITY_COLOURS, BarChart, HeatMap
from app.exports.pdf import CONTENT_WIDTH, data_table, para, rating, rich, styles

TIERS = ("critical", "high", "medium", "low")
RESIDUALS = ("low", "medium", "high", "critical")  # heat-map columns, mildest first
SEVERITIES = ("critical", "high", "medium", "low")
MATURITY_BANDS = ("0–1", "1–2", "2–3", "3–4", "4–5")
MAX_NAMES = 30  # vendors named per provider; the rest are counted


@dataclass(frozen=True)
class PortfolioVendor:
    name: str
    identifier: str = ""
    tier: str | None = None
    overall: float | None = None
    verified: float | None = None
    residual: str | None = None
    provisional: bool = False  # the residual risk is not yet reviewed
    findings: dict[str, int] = field(default_factory=dict)  # open findings by severity
    next_review: date | None = None
    owner: str | None = None
    treatment: str | None = None

    @property
    def open_findings(self) -> int:
        return sum(self.findings.values())


@dataclass(frozen=True)
class ProviderShare:
    kind: str  # "model" | "cloud"
    name: str
    vendors: list[str]  # "Vendor name (tier)"
    critical_functions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PortfolioReport:
    organisation: str
    filters: str
    vendors: list[PortfolioVendor]
    providers: list[ProviderShare]  # the providers more than one vendor relies on
    single_providers: int  # providers behind one vendor only (not listed)
    model_version: str
    today: date
    generated_at: datetime
    generated_by: str


# --- the numbers of the summary ------------------------------------------------------------------


def tier_counts(vendors: Sequence[PortfolioVendor]) -> dict[str, int]:
    counts = {tier: 0 for tier in (*TIERS, "not tiered")}
    for v in vendors:
        counts[v.tier if v.tier in TIERS else "not tiered"] += 1
    return counts


def heat_map(vendors: Sequence[PortfolioVendor]) -> list[list[int]]:
    """Vendors per tier (rows, critical first) × residual risk (columns, low first)."""
    grid = [[0] * len(RESIDUALS) for _ in TIERS]
    for v in vendors:
        if v.tier in TIERS and v.residual in RESIDUALS:
            grid[TIERS.index(v.tier)][RESIDUALS.index(v.residual)] += 1
    return grid


def severity_totals(vendors: Sequence[PortfolioVendor]) -> dict[str, int]:
    return {sev: sum(v.findings.get(sev, 0) for v in vendors) for sev in SEVERITIES}


def maturity_distribution(vendors: Sequence[PortfolioVendor]) -> dict[str, int]:
    """Scored vendors per maturity band (0–1 … 4–5; 5.0 is in 4–5) and the unscored ones."""
    counts = {band: 0 for band in (*MATURITY_BANDS, "not scored")}
    for v in vendors:
        if v.overall is None:
            counts["not scored"] += 1
        else:
            counts[MATURITY_BANDS[min(4, max(0, int(v.overall)))]] += 1
    return counts


# --- the document --------------------------------------------------------------------------------


def axis_max(value: float) -> float:
    """The smallest round top (5, 10, 20, 25, 50, 100, …) leaving room above the tallest bar
    for its label; the axis ticks are fifths of it."""
    needed = max(value * 1.1, value + 1)
    magnitude = 1.0
    while True:
        for step in (1, 2, 2.5, 5):
            top = step * magnitude
            if top >= 5 and top >= needed:
                return top
        magnitude *= 10


def build_portfolio_report(report: PortfolioReport) -> bytes:
    story = _summary(report) + _register(report) + _concentration(report)
    return pdf.build(
        story,
        title=f"AI third-party risk portfolio – {report.organisation}",
        subject="Risk register summary",
        header=f"AI third-party risk portfolio · {report.organisation}",
        header_right=f"as of {report.today.isoformat()} · confidential",
        footer=(
            f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC by {report.generated_by} "
            "with Assay"
        ),
    )


def _summary(report: PortfolioReport) -> list:
    s = styles()
    vendors = report.vendors
    tiers = tier_counts(vendors)
    severities = severity_totals(vendors)
    maturity = maturity_distribution(vendors)
    overdue = sum(1 for v in vendors if v.next_review and v.next_review < report.today)
    elevated = sum(1 for v in vendors if v.residual in ("high", "critical"))
    provisional = sum(1 for v in vendors if v.residual and v.provisional)
    story: list = [
        para("AI third-party risk portfolio", s.title),
        para(report.organisation, s.subtitle),
        pdf.facts_table(
            [
                ("Organisation", report.organisation),
                ("Vendors in this report", str(len(vendors))),
                ("Filters", report.filters),
                ("As of", report.today.isoformat()),
                ("Scoring model", report.model_version),
            ]
        ),
        Spacer(1, 5 * mm),
        pdf.key_figures(
            [
                (str(len(vendors)), "vendors"),
                (str(tiers["critical"]), "critical-tier vendors"),
                (
                    str(elevated),
                    "with high or critical residual risk"
                    + (f" ({provisional} provisional)" if provisional else ""),
                ),
                (
                    str(sum(severities.values())),
                    f"open findings ({severities['critical']} critical)",
                ),
                (str(overdue), "reviews overdue"),
                (str(maturity["not scored"]), "not scored yet"),
            ]
        ),
        Spacer(1, 5 * mm),
    ]
    half = CONTENT_WIDTH / 2
    height = 62 * mm
    tier_chart = BarChart(
        "Vendors by inherent tier",
        list(tiers),
        list(tiers.values()),
        colors=[SEVERITY_COLOURS.get(t, GREY) for t in tiers],
        y_label="vendors",
        max_value=axis_max(max(tiers.values())),
    )
    residual_map = HeatMap(
        "Residual risk by tier",
        list(TIERS),
        list(RESIDUALS),
        heat_map(vendors),
        row_label="inherent tier",
        column_label="residual risk",
        color=RED,
    )
    findings_chart = BarChart(
        "Open findings by severity",
        list(severities),
        list(severities.values()),
        colors=[SEVERITY_COLOURS[sev] for sev in severities],
        y_label="findings",
        max_value=axis_max(max(severities.values())),
    )
    maturity_chart = BarChart(
        "Overall maturity (0–5)",
        list(maturity),
        list(maturity.values()),
        colors=[*LEVEL_COLOURS[:5], GREY],
        y_label="vendors",
        max_value=axis_max(max(maturity.values())),
    )
    charts = Table(
        [
            [
                pdf.chart(tier_chart, half - 4, height, scale=0.8),
                pdf.chart(residual_map, half - 4, height, scale=0.8),
            ],
            [
                pdf.chart(findings_chart, half - 4, height, scale=0.8),
                pdf.chart(maturity_chart, half - 4, height, scale=0.8),
            ],
        ],
        colWidths=[half, half],
        hAlign="LEFT",
    )
    charts.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
            ]
        )
    )
    unrated = len(vendors) - sum(sum(row) for row in heat_map(vendors))
    story += [charts]
    if unrated:
        story.append(
            para(
                f"{unrated} vendor(s) without a tier or a residual rating are not in the heat map.",
                s.muted,
            )
        )
    return story


def _register(report: PortfolioReport) -> list:
    s = styles()
    story: list = [CondPageBreak(60 * mm), para("Register", s.h1)]
    if not report.vendors:
        story.append(para("No vendors match.", s.body))
        return story
    rows = []
    for v in report.vendors:
        name = [(v.name, "b")]
        details = [d for d in (v.identifier, v.owner and f"owner {v.owner}") if d]
        if v.treatment:
            details.append(f"treatment {v.treatment}")
        if details:
            name.append(("\n" + " · ".join(details), "muted"))
        if v.overall is None:
            maturity = para("not scored", s.cell_muted)
        else:
            verified = f"\nverified {v.verified:.1f}" if v.verified is not None else ""
            maturity = rich([(f"{v.overall:.1f}", "b"), (verified, "muted")], s.cell)
        if v.open_findings:
            parts = [f"{v.findings[sev]} {sev}" for sev in SEVERITIES if v.findings.get(sev)]
            findings = rich(
                [(str(v.open_findings), "b"), ("\n" + ", ".join(parts), "muted")], s.cell
            )
        else:
            findings = para("0", s.cell)
        if v.next_review is None:
            review = para("—", s.cell)
        elif v.next_review < report.today:
            review = rich([(v.next_review.isoformat(), ""), ("\noverdue", RED)], s.cell)
        else:
            review = para(v.next_review.isoformat(), s.cell)
        rows.append(
            [
                rich(name, s.cell),
                rating(v.tier),
                maturity,
                rich(
                    [(v.residual, SEVERITY_COLOURS.get(v.residual, GREY)), ("\nprovisional", "")],
                    s.cell,
                )
                if v.residual and v.provisional
                else rating(v.residual),
                findings,
                review,
            ]
        )
    story.append(
        data_table(
            ["Vendor", "Tier", "Maturity", "Residual risk", "Open findings", "Next review"],
            rows,
            [CONTENT_WIDTH - 118 * mm, 18 * mm, 20 * mm, 20 * mm, 36 * mm, 24 * mm],
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(
        para(
            "Maturity: the scored ISO/IEC 42001 AIMS maturity (0–5) of the vendor's current "
            "assessment; verified counts only answers and files the reviewer accepted.",
            s.muted,
        )
    )
    return story


def _concentration(report: PortfolioReport) -> list:
    s = styles()
    story: list = [
        CondPageBreak(50 * mm),
        para("AI supply-chain concentration", s.h1),
        para(
            "Model and cloud providers that more than one vendor relies on (DORA Art. 29: ICT "
            "concentration risk). Across the whole portfolio, whatever the filters.",
            s.small,
        ),
        Spacer(1, 2 * mm),
    ]
    if not report.providers:
        story.append(para("No provider is shared by two or more vendors.", s.body))
    else:
        rows = []
        for p in report.providers:
            names = p.vendors[:MAX_NAMES]
            more = len(p.vendors) - len(names)
            listed = "; ".join(names) + (f"; and {more} more" if more else "")
            rows.append(
                [
                    rich(
                        [
                            (p.name, "b"),
                            ("\n" + ("model" if p.kind == "model" else "cloud"), "muted"),
                        ],
                        s.cell,
                    ),
                    str(len(p.vendors)),
                    listed,
                    "; ".join(p.critical_functions) or "—",
                ]
            )
        story.append(
            data_table(
                ["Provider", "Vendors", "Vendors relying on it", "Critical functions"],
                rows,
                [34 * mm, 16 * mm, CONTENT_WIDTH - 100 * mm, 50 * mm],
            )
        )
    if report.single_providers:
        story += [
            Spacer(1, 2 * mm),
            para(
                f"{report.single_providers} other provider(s) serve a single vendor each.", s.muted
            ),
        ]
    return story
