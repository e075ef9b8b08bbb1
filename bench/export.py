"""Register export: the risk register workbook (app/register/workbook.py) for portfolios of
growing size, against a raw openpyxl write-only dump of the same cells (the floor).

The floor reads the same data with one plain SQL query per sheet (the register's per-vendor
lists and counts as correlated subqueries) and appends the values as they come: no cell
objects, styles, dropdowns or formula-injection escaping. Its date columns are typed as dates,
like the product's: SQLite hands text() columns back as text, and a text cell is cheaper to write
than the date cell it stands for. Both run in a fresh child process that writes to a file;
time is wall-clock, memory is the child's peak resident set (VmHWM) and its growth over the
resident set just before writing started.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import common, portfolio

SIZES = (1_000, 10_000, 50_000)
QUICK_SIZES = (200, 1_000)
FINDINGS_PER_VENDOR = 10
GOAL_RATIO = 1.5
GOAL_SIZE = 10_000
FINDINGS_HEADER = [
    "Vendor",
    "Key",
    "Source",
    "Framework",
    "Title",
    "Severity",
    "Status",
    "Level",
    "Target",
    "Owner",
    "Due",
    "Treatment",
    "Description",
    "Note",
    "Updated (UTC)",
]
SYSTEMS_HEADER = [
    "Vendor",
    "AI system",
    "Purpose",
    "AI Act class",
    "Vendor role",
    "Affects natural persons",
    "Model provider",
    "Foundation model",
    "Human oversight",
    "Contract",
]
EVIDENCE_HEADER = [
    "File name",
    "SHA-256",
    "Valid until",
    "Vendor",
    "Assessment",
    "Question",
    "Question text",
    "Reviewer verdict",
    "Uploaded (UTC)",
]


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    import resource

    return round(pages * resource.getpagesize() / 1024 / 1024, 1)


def product(url: str, path: str) -> dict[str, Any]:
    """The product's workbook for the whole benchmark organisation (runs in a child)."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.register.service import RegisterFilters
    from app.register.workbook import write_register_workbook

    engine = make_engine(url)
    with Session(engine) as session:
        org, _ = portfolio.organisation(session)
        start_rss = _rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        with open(path, "wb") as out:
            vendors = write_register_workbook(
                out,
                session=session,
                organisation_id=org.id,
                filters=RegisterFilters(),
                generated_by="bench",
            )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return {"seconds": seconds, "cpu_s": cpu, "vendors": vendors, "start_rss_mb": start_rss}


def floor(url: str, path: str) -> dict[str, Any]:
    """The same sheets and cells, written raw (runs in a child)."""
    from openpyxl import Workbook
    from sqlalchemy import Date, DateTime, text

    from app.db import make_engine
    from app.models import FindingStatus, VendorStatus
    from app.questionnaires.service import compiled
    from app.register.workbook import REGISTER_COLUMNS
    from app.scoring import DEFAULT_DOMAINS
    from app.vendors.codes import ICT_SERVICE_TYPES

    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"

    def joined(expression: str, order: str) -> str:
        if postgres:
            return f"string_agg({expression}, E'\\n' ORDER BY {order})"
        return f"group_concat({expression}, char(10))"

    def day(expression: str) -> str:
        return f"({expression})::date" if postgres else f"date({expression})"

    with engine.connect() as conn:
        org_id, org_name = conn.execute(
            text("SELECT id, name FROM organisation WHERE slug = :s"), {"s": portfolio.ORG_SLUG}
        ).one()
        start_rss = _rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        workbook = Workbook(write_only=True)
        owners = [
            r[0]
            for r in conn.execute(
                text('SELECT name FROM "user" WHERE organisation_id = :o ORDER BY name'),
                {"o": org_id},
            )
        ]
        lists = workbook.create_sheet("Lists")
        columns = (
            owners,
            ["accept", "mitigate", "transfer", "avoid"],
            [s.value for s in VendorStatus],
            [s.value for s in FindingStatus],
        )
        for i in range(max(len(c) for c in columns)):
            lists.append([c[i] if i < len(c) else None for c in columns])
        register = workbook.create_sheet("Register")
        domains = workbook.create_sheet("Domain maturity")
        register.append([name for name, _ in REGISTER_COLUMNS])
        domains.append(["Vendor", *(d.title for d in DEFAULT_DOMAINS)])
        service_case = "CASE c.ict_service_type " + " ".join(
            f"WHEN '{k}' THEN '{k} {v}'" for k, v in ICT_SERVICE_TYPES.items()
        )
        critical_function = (
            "b.code || ' ' || b.name || CASE WHEN b.critical = 'yes' THEN ' (critical)' ELSE '' END"
        )
        open_count = (
            "(SELECT count(*) FROM finding f WHERE f.vendor_id = v.id AND f.severity = '{}' "
            "AND f.status IN ('open', 'in_progress', 'risk_accepted'))"
        )
        query = f"""
            SELECT v.id, v.legal_name, v.identifier, v.hq_country, v.status, v.tier,
              (SELECT {joined(service_case + " END", "c.id")} FROM contract c
                 WHERE c.vendor_id = v.id),
              (SELECT {joined(critical_function, "c.id")} FROM contract c
                 JOIN businessfunction b ON b.id = c.function_id WHERE c.vendor_id = v.id),
              (SELECT {joined("a.name || ' (' || a.ai_act_class || ')'", "a.name")}
                 FROM aisystem a WHERE a.vendor_id = v.id),
              s.overall_maturity, s.claimed_maturity, s.verified_maturity, s.target_maturity,
              s.residual_risk,
              {open_count.format("critical")}, {open_count.format("high")},
              {open_count.format("medium")}, {open_count.format("low")},
              (SELECT {day("max(coalesce(x.completed_at, x.submitted_at))")} FROM assessment x
                 WHERE x.vendor_id = v.id AND x.status IN
                 ('submitted', 'under_review', 'clarification_requested', 'completed'))
                 AS last_assessed,
              v.next_review_date, u.name, v.treatment, v.treatment_justification,
              v.treatment_due, s.domains
            FROM vendor v
            LEFT JOIN scoreresult s ON s.vendor_id = v.id AND s.is_current
            LEFT JOIN "user" u ON u.id = v.owner_id
            WHERE v.organisation_id = :o
            ORDER BY lower(v.legal_name), v.id
        """
        vendors = 0
        keys = [d.key for d in DEFAULT_DOMAINS]
        for row in conn.execution_options(yield_per=2000).execute(
            text(query).columns(last_assessed=Date, next_review_date=Date, treatment_due=Date),
            {"o": org_id},
        ):
            vendors += 1
            values = list(row[1:-1])
            register.append(values)
            levels = row[-1] if isinstance(row[-1], dict) else {}
            if not postgres and isinstance(row[-1], str):
                import json

                levels = json.loads(row[-1])
            domains.append([row[1], *((levels.get(k) or {}).get("level") for k in keys)])
        vendor_ids = "SELECT id FROM vendor WHERE organisation_id = :o"
        findings = workbook.create_sheet("Findings")
        findings.append(FINDINGS_HEADER)
        for row in conn.execution_options(yield_per=2000).execute(
            text(f"""
                SELECT v.legal_name, f.key, f.source, f.framework, f.title, f.severity,
                  f.status, f.current_level, f.target_level, u.name, f.due_date, f.treatment,
                  f.description, f.note, f.updated_at
                FROM finding f JOIN vendor v ON v.id = f.vendor_id
                LEFT JOIN "user" u ON u.id = f.owner_id
                WHERE f.vendor_id IN ({vendor_ids}) ORDER BY v.legal_name, f.id
            """).columns(due_date=Date, updated_at=DateTime),
            {"o": org_id},
        ):
            findings.append(list(row))
        systems = workbook.create_sheet("AI systems")
        systems.append(SYSTEMS_HEADER)
        for row in conn.execution_options(yield_per=2000).execute(
            text(f"""
                SELECT v.legal_name, a.name, a.purpose, a.ai_act_class, a.vendor_role,
                  CASE WHEN a.affects_natural_persons THEN 'yes' ELSE 'no' END,
                  a.model_provider, a.foundation_model, a.human_oversight, c.reference
                FROM aisystem a JOIN vendor v ON v.id = a.vendor_id
                LEFT JOIN contract c ON c.id = a.contract_id
                WHERE a.vendor_id IN ({vendor_ids}) ORDER BY v.legal_name, a.name
            """),
            {"o": org_id},
        ):
            systems.append(list(row))
        evidence = workbook.create_sheet("Evidence index")
        evidence.append(EVIDENCE_HEADER)
        texts: dict[int, Any] = {}
        for row in conn.execution_options(yield_per=2000).execute(
            text(f"""
                SELECT e.filename, e.sha256, e.valid_until, v.legal_name, an.assessment_id,
                  an.question_key, ae.review_state, e.uploaded_at, x.questionnaire_id
                FROM evidence e JOIN vendor v ON v.id = e.vendor_id
                LEFT JOIN answerevidence ae ON ae.evidence_id = e.id
                LEFT JOIN answer an ON an.id = ae.answer_id
                LEFT JOIN assessment x ON x.id = an.assessment_id
                WHERE e.vendor_id IN ({vendor_ids}) ORDER BY v.legal_name, e.filename, e.id
            """).columns(valid_until=Date, uploaded_at=DateTime),
            {"o": org_id},
        ):
            question_text = None
            if row[8] is not None and row[5]:
                if row[8] not in texts:
                    from sqlmodel import Session

                    from app.models import Questionnaire

                    with Session(engine) as session:
                        texts[row[8]] = compiled(session.get(Questionnaire, row[8])).by_key
                found = texts[row[8]].get(row[5])
                question_text = found.text if found else None
            evidence.append([*row[:6], question_text, row[6], row[7]])
        about = workbook.create_sheet("About")
        for pair in (
            ("Assay risk register", org_name),
            ("Generated at (UTC)", time.strftime("%Y-%m-%d %H:%M")),
            ("Generated by", "bench floor"),
            ("Filters", "none (whole portfolio)"),
            ("Scoring model version", "-"),
            ("Vendors", vendors),
            ("Sheets", "Register, Findings, Domain maturity, AI systems, Evidence index"),
            ("Notes", "The same cells, written raw."),
        ):
            about.append(list(pair))
        workbook.save(path)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return {"seconds": seconds, "cpu_s": cpu, "vendors": vendors, "start_rss_mb": start_rss}


def _sheet_rows(path: str) -> dict[str, int]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return {ws.title: sum(1 for _ in ws.iter_rows(values_only=True)) for ws in workbook}
    finally:
        workbook.close()


def _measure(target: str, url: str, path: Path) -> dict[str, Any]:
    outcome = common.in_child(f"bench.export:{target}", url=url, path=str(path))
    outcome["file_mb"] = round(path.stat().st_size / 1024 / 1024, 2)
    outcome["growth_mb"] = round(outcome["peak_rss_mb"] - outcome["start_rss_mb"], 1)
    return outcome


def run(quick: bool = False) -> dict[str, Any]:
    sizes = QUICK_SIZES if quick else SIZES
    directory = common.scratch("export")
    series = []
    same_cells = None
    profile = None
    try:
        with common.database("sqlite", directory) as url:
            built = 0
            for size in sizes:
                common.log(f"export: building {size:,} vendors")
                grown = portfolio.build(url, size - built, FINDINGS_PER_VENDOR, seed=size)
                built = size
                repeats = 1 if size >= 50_000 else (2 if quick else 3)
                products, floors = [], []
                with_floor = size <= GOAL_SIZE  # 50k: the product only (memory, growth)
                for _ in range(repeats):
                    products.append(_measure("product", url, directory / "product.xlsx"))
                    if with_floor:
                        floors.append(_measure("floor", url, directory / "floor.xlsx"))
                    common.log(
                        f"export {size:,}: product {products[-1]['seconds']:.2f} s"
                        + (f", floor {floors[-1]['seconds']:.2f} s" if with_floor else "")
                    )
                if profile is None:  # where the product's time goes, at the smallest size
                    from bench import profiling

                    stats = profiling.profile(lambda: product(url, str(directory / "p.xlsx")))
                    profile = {"vendors": size, **profiling.summary(stats)}
                if same_cells is None and floors:
                    mine, raw = (
                        _sheet_rows(str(directory / "product.xlsx")),
                        _sheet_rows(str(directory / "floor.xlsx")),
                    )
                    same_cells = {"product": mine, "floor": raw, "same_rows": mine == raw}
                p = common.median([r["seconds"] for r in products])
                f = common.median([r["seconds"] for r in floors]) if floors else float("nan")
                series.append(
                    {
                        "vendors": size,
                        "findings": size * FINDINGS_PER_VENDOR,
                        "build_seconds": round(grown.seconds, 1),
                        "repeats": repeats,
                        "product_s": round(p, 2),
                        "floor_s": round(f, 2),
                        "ratio": common.ratio(p, f),
                        "product_cpu_s": round(common.median([r["cpu_s"] for r in products]), 2),
                        "floor_cpu_s": round(common.median([r["cpu_s"] for r in floors]), 2)
                        if floors
                        else None,
                        "product_peak_mb": max(r["peak_rss_mb"] for r in products),
                        "product_growth_mb": max(r["growth_mb"] for r in products),
                        "floor_peak_mb": max((r["peak_rss_mb"] for r in floors), default=None),
                        "floor_growth_mb": max((r["growth_mb"] for r in floors), default=None),
                        "file_mb": products[0]["file_mb"],
                        "vendors_per_s": round(size / p),
                    }
                )
    finally:
        common.cleanup(directory)
    goal_row = next((s for s in series if s["vendors"] == GOAL_SIZE), series[-1])
    growth = [s["product_growth_mb"] for s in series]
    result = {
        "name": "export",
        "series": series,
        "same_cells": same_cells,
        "profile": profile,
        "goal": {
            "text": f"{GOAL_SIZE:,} vendors / {GOAL_SIZE * 10:,} findings within "
            f"{GOAL_RATIO}x the floor; memory flat as the portfolio grows",
            "ratio": goal_row["ratio"],
            "ok": goal_row["ratio"] <= GOAL_RATIO and max(growth) - min(growth) < 50,
        },
    }
    print(
        common.table(
            "Register export (SQLite)",
            [
                "vendors",
                "findings",
                "product s",
                "floor s",
                "ratio",
                "product peak MB (+growth)",
                "floor peak MB (+growth)",
            ],
            [
                [
                    s["vendors"],
                    s["findings"],
                    s["product_s"],
                    s["floor_s"],
                    s["ratio"],
                    f"{s['product_peak_mb']} (+{s['product_growth_mb']})",
                    f"{s['floor_peak_mb']} (+{s['floor_growth_mb']})",
                ]
                for s in series
            ],
        )
    )
    return result
