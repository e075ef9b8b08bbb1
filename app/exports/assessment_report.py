"""The PDF report of one assessment, for the risk committee and the auditors (pure: an
`AssessmentReport` in, PDF bytes out).

Order of the document: summary (who, what, when, the score), maturity by domain, residual risk,
findings, every answer with its evidence (file name, SHA-256, validity), the vendor's attestation
and an excerpt of the audit trail ending with the chain hash an auditor can verify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from app.exports import pdf
from app.exports.charts import (
    AMBER,
    GREEN,
    GRID,
    INK,
    LEVEL_COLOURS,
    MUTED,
    RED,
    SEVERITY_COLOURS,
    BarChart,
)
from app.exports.pdf import CONTENT_WIDTH, data_table, para, rating, rich, styles

if TYPE_CHECKING:  # the builder stays free of the database: it only reads what it is given
    from app.assessments.sheet import SheetFile, SheetSection

SEVERITY_ORDER = ("critical", "high", "medium", "low")
REVIEW_COLOURS = {"accepted": GREEN, "clarification": AMBER, "rejected": RED, "pending": MUTED}
VALIDITY_COLOURS = {"expired": RED, "expiring": AMBER, "valid": GREEN}
MATURITY_NOTE = (
    "Maturity is on the 0–5 scale of an ISO/IEC 42001 AI management system. Scored: what counts "
    "after the evidence rules (a level that needs evidence without a current, unrejected file "
    "counts less). Claimed: the vendor's own answers. Verified: only answers and files the "
    "reviewer accepted."
)


@dataclass(frozen=True)
class ReportDomain:
    key: str
    title: str
    framework: str
    critical: bool
    claimed: float | None
    level: float | None
    verified: float | None


@dataclass(frozen=True)
class ReportFinding:
    severity: str
    status: str
    title: str
    refs: list[str]  # "ISO/IEC 42001 A.6.2.6", "DORA Art. 30(2)(c)"
    current_level: float | None = None
    target_level: int | None = None
    owner: str | None = None
    due: date | None = None
    source: str = "scoring"  # scoring | manual


@dataclass(frozen=True)
class ReportScore:
    model_version: str
    scored_at: datetime
    overall: float
    level_name: str
    claimed: float | None
    verified: float
    inherent_tier: str
    target: int
    residual: str
    as_of: date | None = None
    tier_points: int | None = None
    tier_reasons: list[str] = field(default_factory=list)
    residual_basis: float | None = None
    residual_gap: float | None = None
    weakest_link: str | None = None  # the weakest critical domain, when it capped the mean
    provisional: bool = False  # not yet reviewed: the residual stands on the vendor's word


@dataclass(frozen=True)
class ReportAttestation:
    name: str
    title: str
    email: str
    at: str
    statement: str


@dataclass(frozen=True)
class ReportEvent:
    sequence: int
    at: datetime
    actor: str
    action: str


@dataclass(frozen=True)
class AuditExcerpt:
    chain: str
    events: list[ReportEvent]  # the assessment's own events, oldest first
    omitted: int = 0  # older events of the assessment left out of the table
    answer_events: dict[str, int] = field(default_factory=dict)  # answer-level events by action
    last_hash: str | None = None  # hash of the newest event listed
    last_sequence: int | None = None


@dataclass(frozen=True)
class AssessmentReport:
    assessment_id: int
    vendor: str
    vendor_identifier: str
    vendor_country: str
    buyer: str
    questionnaire: str
    questionnaire_version: str
    status: str
    dates: list[tuple[str, date | datetime | None]]
    score: ReportScore | None
    domains: list[ReportDomain]
    findings: list[ReportFinding]
    sections: list[SheetSection]  # the answered sheet's: each section's shown items are printed
    attestation: ReportAttestation | None
    audit: AuditExcerpt
    generated_at: datetime
    generated_by: str
    decision: str = ""  # the review's recorded decision, with its rationale


def natural_key(text: str) -> tuple:
    """Sort "Art. 28(4)" before "Art. 28(10)" and "A.6.2.2" before "A.10.2"."""
    return tuple(
        (0, int(part), "") if part.isdecimal() else (1, 0, part)
        for part in re.split(r"(\d+)", text.lower())
        if part
    )


def domain_label(key: str, title: str) -> str:
    """A short axis label: "A.6", "Cl. 8", "DORA 30", "AI Act" (the table gives the full title)."""
    framework, _, code = key.partition(":")
    if framework == "iso42001":
        return code if code.startswith("A.") else f"Cl. {code}"
    if framework == "dora":
        if "(" in title and "Art." in title:
            return "DORA " + title.split("Art.", 1)[1].strip(" ()")
        return "DORA"
    if framework == "ai_act":
        return "AI Act"
    return code or title[:8]


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + " UTC"
    return value.isoformat()


def _level(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def build_assessment_report(report: AssessmentReport) -> bytes:
    """A4 PDF of the report, with "Page X of Y" and the vendor's name on every page."""
    story: list = []
    story += _summary(report)
    story += _domains(report)
    story += _residual(report)
    story += _findings(report)
    story += _answers(report)
    story += _attestation(report)
    story += _audit(report)
    return pdf.build(
        story,
        title=f"Assessment report #{report.assessment_id} – {report.vendor}",
        subject=f"{report.questionnaire} ({report.questionnaire_version})",
        header=f"Assessment report #{report.assessment_id} · {report.vendor}",
        header_right=f"{report.buyer} · confidential",
        footer=(
            f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC by {report.generated_by} "
            "with Assay"
        ),
    )


def _summary(report: AssessmentReport) -> list:
    s = styles()
    score = report.score
    vendor = report.vendor
    if report.vendor_identifier:
        vendor += f"  ({report.vendor_identifier}, {report.vendor_country})"
    facts: list[tuple[str, object]] = [
        ("Vendor", vendor),
        ("Buyer", report.buyer),
        ("Questionnaire", f"{report.questionnaire} · {report.questionnaire_version}"),
        ("Assessment", f"#{report.assessment_id} · {report.status.replace('_', ' ')}"),
        *((label, _when(value)) for label, value in report.dates),
    ]
    if report.decision:
        facts.append(("Decision", report.decision))
    if score is not None:
        facts.append(
            (
                "Scoring",
                f"model {score.model_version} · scored {_when(score.scored_at)}"
                + (f" · evidence judged as of {score.as_of.isoformat()}" if score.as_of else ""),
            )
        )
    story: list = [
        para("Vendor AI assessment report", s.title),
        para(report.vendor, s.subtitle),
        pdf.facts_table(facts),
        Spacer(1, 5 * mm),
    ]
    if score is None:
        story.append(
            para(
                "This assessment has not been scored yet: maturity, residual risk and findings "
                "appear once the vendor has submitted and the assessment is scored.",
                s.body,
            )
        )
        return story
    story += [
        pdf.key_figures(
            [
                (_level(score.overall), f"overall maturity: {score.level_name}"),
                (
                    f"{_level(score.claimed)} / {_level(score.verified)}",
                    "claimed by the vendor / verified by reviewers",
                ),
                (rating(score.inherent_tier, s.figure), "inherent risk tier"),
                (str(score.target), "target maturity for the tier"),
                (
                    rating(score.residual, s.figure),
                    "residual risk (provisional: not yet reviewed)"
                    if score.provisional
                    else "residual risk",
                ),
            ]
        ),
        Spacer(1, 2 * mm),
        para(MATURITY_NOTE, s.muted),
    ]
    return story


def _domains(report: AssessmentReport) -> list:
    s = styles()
    scored = [d for d in report.domains if d.level is not None]
    if not scored:
        return []
    spec = BarChart(
        "Scored maturity by domain (0–5)",
        [domain_label(d.key, d.title) for d in scored],
        [round(d.level or 0.0, 2) for d in scored],
        colors=[LEVEL_COLOURS[min(5, int(d.level or 0))] for d in scored],
        max_value=5,
    )
    rows = [
        [
            para(d.title, s.cell),
            _level(d.level, 2),
            _level(d.claimed, 2),
            _level(d.verified, 2),
            "yes" if d.critical else "",
        ]
        for d in scored
    ]
    target = report.score.target if report.score else None
    story: list = [
        CondPageBreak(90 * mm),
        para("Maturity by domain", s.h1),
        pdf.chart(spec, CONTENT_WIDTH, 62 * mm, scale=0.72),
    ]
    if target is not None:
        story.append(para(f"Target maturity for this vendor's tier: {target}.", s.muted))
    story += [
        Spacer(1, 2 * mm),
        data_table(
            ["Domain", "Scored", "Claimed", "Verified", "Critical"],
            rows,
            [CONTENT_WIDTH - 4 * 20 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm],
        ),
    ]
    return story


def _residual(report: AssessmentReport) -> list:
    s = styles()
    score = report.score
    if score is None:
        return []
    story: list = [
        CondPageBreak(40 * mm),
        para("Residual risk", s.h1),
        rich(
            [
                ("Residual risk is ", ""),
                (score.residual, SEVERITY_COLOURS.get(score.residual, INK)),
                (
                    f": the vendor's inherent tier is {score.inherent_tier}, which sets a target "
                    f"maturity of {score.target}",
                    "",
                ),
                (
                    f"; the residual rating compares that target with {score.residual_basis:.2f}"
                    f" (a gap of {score.residual_gap:.2f} levels)."
                    if score.residual_basis is not None and score.residual_gap is not None
                    else ".",
                    "",
                ),
                (
                    " It is provisional: we have not reviewed every answer, so it stands on the "
                    "vendor's word as far as its evidence allows."
                    if score.provisional
                    else "",
                    "",
                ),
            ]
        ),
    ]
    if score.weakest_link:
        story.append(
            para(
                "Weakest link: the overall maturity is capped at one level above the weakest "
                f"critical domain ({score.weakest_link}).",
                s.body,
            )
        )
    if score.tier_reasons:
        points = f" ({score.tier_points} points)" if score.tier_points is not None else ""
        story.append(para(f"Why tier {score.inherent_tier}{points}:", s.h3))
        story += [para(f"•  {reason}", s.indented) for reason in score.tier_reasons]
    return story


def _findings(report: AssessmentReport) -> list:
    s = styles()
    story: list = [CondPageBreak(40 * mm), para("Findings", s.h1)]
    if not report.findings:
        text = (
            "No findings: every scored control is at or above target."
            if report.score
            else "No findings yet: findings are raised when the assessment is scored."
        )
        story.append(para(text, s.body))
        return story
    ordered = sorted(
        report.findings,
        key=lambda f: (
            f.status == "closed",
            SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else 9,
            natural_key(f.title),
        ),
    )
    counts = {sev: 0 for sev in SEVERITY_ORDER}
    for finding in report.findings:
        if finding.status != "closed" and finding.severity in counts:
            counts[finding.severity] += 1
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items())
    closed = sum(1 for f in report.findings if f.status == "closed")
    story.append(
        para(
            f"Open: {summary}." + (f" Closed since: {closed}." if closed else ""),
            s.body,
        )
    )
    story.append(Spacer(1, 2 * mm))
    rows = []
    for f in ordered:
        detail = ["raised manually"] if f.source == "manual" else []
        if f.owner:
            detail.append(f"owner {f.owner}")
        if f.due:
            detail.append(f"due {f.due.isoformat()}")
        rows.append(
            [
                rating(f.severity),
                rich(
                    [(f.title, ""), *([("\n" + " · ".join(detail), "muted")] if detail else [])],
                    s.cell,
                ),
                "\n".join(f.refs) or "—",
                f"{_level(f.current_level, 2)} → {f.target_level if f.target_level is not None else '—'}",
                f.status.replace("_", " "),
            ]
        )
    story.append(
        data_table(
            ["Severity", "Finding", "References", "Level → target", "Status"],
            rows,
            [16 * mm, CONTENT_WIDTH - 96 * mm, 40 * mm, 20 * mm, 20 * mm],
        )
    )
    return story


def _evidence_table(files: list[SheetFile]) -> Table:
    s = styles()
    rows = []
    for f in files:
        e = f.evidence
        if e.valid_until:
            validity = [
                (f"\nvalid until {e.valid_until.isoformat()} ", "muted"),
                (f"({f.validity})", VALIDITY_COLOURS.get(f.validity or "", MUTED)),
            ]
        else:
            validity = [("\nno expiry date", "muted")]
        verdict = (f.status.value, REVIEW_COLOURS.get(f.status.value, MUTED))
        rows.append(
            [
                rich([(e.filename, "b"), *validity, (" · verdict ", "muted"), verdict], s.cell),
                para(e.sha256, s.mono),
            ]
        )
    table = Table(rows, colWidths=[CONTENT_WIDTH - 100 * mm, 95 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), pdf.ZEBRA),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _answers(report: AssessmentReport) -> list:
    s = styles()
    story: list = [PageBreak(), para("Answers and evidence", s.h1)]
    if not any(section.shown for section in report.sections):
        story.append(para("No questions to show.", s.body))
    for section in report.sections:
        if not section.shown:
            continue
        story.append(CondPageBreak(30 * mm))
        story.append(para(section.title, s.h2))
        for item in section.shown:
            answered = item.answer is not None
            block: list = [
                rich([(item.question.text, "b"), (f"  {item.key}", "muted")], s.body),
                rich(
                    [("Answer: ", "muted"), (item.display if answered else "not answered", "")],
                    s.indented,
                ),
            ]
            if item.verdict is not None:
                state = item.verdict.value
                review = [("Review: ", "muted"), (state, REVIEW_COLOURS.get(state, INK))]
                if item.reason:
                    review.append((f" – {item.reason}", ""))
                block.append(rich(review, s.indented))
            if item.comment:
                block.append(rich([("Vendor's note: ", "muted"), (item.comment, "")], s.indented))
            if item.files:
                block += [Spacer(1, 1 * mm), _evidence_table(item.files)]
            block.append(Spacer(1, 2.5 * mm))
            story.append(KeepTogether(block))
    return story


def _attestation(report: AssessmentReport) -> list:
    s = styles()
    story: list = [CondPageBreak(45 * mm), para("Attestation", s.h1)]
    a = report.attestation
    if a is None:
        story.append(para("The vendor has not attested these answers (not submitted yet).", s.body))
        return story
    story += [
        pdf.facts_table(
            [
                ("Attested by", a.name),
                ("Job title", a.title),
                ("Email", a.email or "—"),
                ("Attested at", a.at),
            ]
        ),
        Spacer(1, 2 * mm),
        rich([("Statement: ", "muted"), (a.statement, "i")], s.body),
    ]
    return story


def _audit(report: AssessmentReport) -> list:
    s = styles()
    audit = report.audit
    story: list = [CondPageBreak(50 * mm), para("Audit excerpt", s.h1)]
    if not audit.events:
        story.append(para("No audit events recorded for this assessment.", s.body))
    else:
        if audit.omitted:
            story.append(
                para(
                    f"The {audit.omitted} oldest event(s) are left out; the trail has them.",
                    s.muted,
                )
            )
        story.append(
            data_table(
                ["#", "Time (UTC)", "Actor", "Action"],
                [
                    [str(e.sequence), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action]
                    for e in audit.events
                ],
                [16 * mm, 34 * mm, 62 * mm, CONTENT_WIDTH - 112 * mm],
            )
        )
    if audit.answer_events:
        counts = ", ".join(f"{action} × {n}" for action, n in sorted(audit.answer_events.items()))
        story += [
            Spacer(1, 2 * mm),
            para(f"Events on single answers and files (on the audit trail): {counts}.", s.small),
        ]
    if audit.last_hash:
        story += [
            Spacer(1, 3 * mm),
            rich(
                [
                    (f"Chain {audit.chain}, event #{audit.last_sequence}, SHA-256 ", "muted"),
                ],
                s.small,
            ),
            para(audit.last_hash, s.mono),
            para(
                "Every event is linked to the one before it by SHA-256; “assay audit verify” "
                "recomputes the chain, so this hash shows the trail was not changed after this "
                "report was made.",
                s.muted,
            ),
        ]
    return story
