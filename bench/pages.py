"""Portfolio pages: the register and the dashboard (the goals) plus the findings register, the
vendor list and the assessment list, for portfolios of 1,000, 10,000 and 50,000 vendors
(10 findings each), signed in as a risk analyst, in-process through the whole stack.

The baseline is a trivial signed-in page through the same stack (a vendor contact's home).
Each page's SQL statements are counted too: the number must not grow with the portfolio
(tests/register/test_query_counts.py asserts it for 5 against 50 vendors).
"""

from __future__ import annotations

from typing import Any

from bench import common, inprocess, portfolio

PAGES = {
    "register": "/register",
    "dashboard": "/dashboard",
    "findings": "/register/findings",
    "vendors": "/vendors",
    "assessments": "/assessments",
}
GOAL_PAGES = ("register", "dashboard")
GOAL_P95_MS = 300.0
GOAL_SIZE = 10_000


def _measure(kind: str, sizes: tuple[int, ...], count: int) -> list[dict[str, Any]]:
    directory = common.scratch(f"pages-{kind}")
    rows = []
    try:
        with common.database(kind, directory) as url:
            built = 0
            contact = None
            for size in sizes:
                common.log(f"portfolio pages {kind}: building {size:,} vendors")
                portfolio.build(url, size - built, 10, seed=size)
                built = size
                if contact is None:
                    contact = portfolio.add_contacts(url, 1)[0]
                samples = count if size < 50_000 else count // 2
                with inprocess.client_for(url) as client:
                    inprocess.sign_in(client, contact.email)
                    baseline = inprocess.time_get(client, "/", samples)
                    inprocess.sign_in(client, portfolio.ANALYST)
                    for name, path in PAGES.items():
                        timing = inprocess.time_get(client, path, samples)
                        rows.append(
                            {
                                "database": kind,
                                "vendors": size,
                                "page": name,
                                **timing,
                                "statements": common.statements(client, path),
                                "baseline_p50_ms": baseline["p50_ms"],
                                "ratio_p50": common.ratio(timing["p50_ms"], baseline["p50_ms"]),
                            }
                        )
    finally:
        common.cleanup(directory)
    return rows


def run(quick: bool = False) -> dict[str, Any]:
    rows = []
    count = 10 if quick else 40
    rows += _measure("sqlite", (200, 1_000) if quick else (1_000, 10_000, 50_000), count)
    if common.postgres_available():
        rows += _measure("postgresql", (200, 1_000) if quick else (1_000, 10_000), count)
    goal_size = max(r["vendors"] for r in rows) if quick else GOAL_SIZE
    at_goal = [r for r in rows if r["vendors"] == goal_size and r["page"] in GOAL_PAGES]
    worst = max((r["p95_ms"] for r in at_goal), default=float("nan"))
    print(
        common.table(
            "Portfolio pages, in-process (risk analyst)",
            ["database", "vendors", "page", "p50 ms", "p95 ms", "KB", "statements", "× trivial"],
            [
                [
                    r["database"],
                    r["vendors"],
                    r["page"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["kb"],
                    r["statements"],
                    r["ratio_p50"],
                ]
                for r in rows
            ],
        )
    )
    return {
        "name": "pages",
        "rows": rows,
        "goal": {
            "text": f"register and dashboard for {goal_size:,} vendors under "
            f"{GOAL_P95_MS:.0f} ms p95 (SQLite and PostgreSQL)",
            "value": worst,
            "ok": worst < GOAL_P95_MS,
        },
    }
