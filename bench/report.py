"""bench/RESULTS.md from the benchmarks' JSON results: the machine, a summary against the goals,
then per benchmark its table beside the same-run baseline, how the cost grows, and what limits
it (the profile shares and numbers the paragraph cites are from the same run)."""

from __future__ import annotations

import math
from typing import Any

ORDER = ("autosave", "durability", "page", "scoring", "export", "roi", "pages", "review")
TITLES = {
    "autosave": "Autosave",
    "durability": "SQLite durability (synchronous=FULL)",
    "page": "Section page",
    "scoring": "Scoring",
    "export": "Register export",
    "roi": "Register of Information package",
    "pages": "Portfolio pages",
    "review": "Review page and bulk accept",
}


def _n(value: Any, digits: int | None = None) -> str:
    """A number as the tables show it: thousands separated, about three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += [
        "| " + " | ".join(_n(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return "\n".join(lines)


def _verdict(goal: dict[str, Any] | None) -> str:
    if not goal:
        return "–"
    return "**PASS**" if goal.get("ok") else "**MISS**"


def _shares(shares: dict[str, float], top: int = 5) -> str:
    return ", ".join(f"{name} {share:.0f}%" for name, share in list(shares.items())[:top])


# --- sections -------------------------------------------------------------------------------------


def _machine(machine: dict[str, Any], results: dict[str, Any], quick: bool) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items())
    rows = [
        ["Date", machine.get("date", "–")],
        ["Cores", str(machine.get("cores"))],
        ["CPU", machine.get("cpu", "–")],
        ["Memory", f"{machine.get('memory_gb')} GB"],
        ["Python", machine.get("python", "–")],
        ["SQLite", machine.get("sqlite", "–")],
        ["PostgreSQL", machine.get("postgresql") or "not reachable (skipped)"],
        ["Packages", packages],
    ]
    for name in ORDER:
        result = results.get(name)
        if result:
            load = result.get("load_average")
            rows.append(
                [
                    f"{TITLES[name]} ran",
                    f"{result.get('date', '–')}, {result.get('seconds', 0) / 60:.1f} min"
                    + (f", 1-min load average {load[0]} → {load[1]}" if load else ""),
                ]
            )
    total = sum(r.get("seconds", 0) for r in results.values())
    rows.append(["All benchmarks", f"{total / 60:.1f} min" + (" (quick)" if quick else "")])
    return "## Machine\n\n" + _table(["", ""], rows)


def _summary(results: dict[str, Any]) -> str:
    rows = []
    autosave = results.get("autosave")
    if autosave:
        contacts, pause = autosave["contacts"], autosave.get("pause_s", 2.0)
        for result in autosave["results"]:
            rows_ = result["rows"]
            paced = _pick(rows_, "app", 1, contacts, pause)
            paced_floor = _pick(rows_, "floor", 1, contacts, pause)
            if not (paced and paced_floor):
                continue
            ok = paced["p95_ms"] < 50 and not paced["errors"]
            rows.append(
                [
                    f"Autosave, {contacts} contacts, {result['database']}, 1 worker",
                    f"p95 < 50 ms (a save every {pause:.0f} s each)",
                    f"p50 {_n(paced['p50_ms'])} ms, p95 {_n(paced['p95_ms'])} ms",
                    f"floor p95 {_n(paced_floor['p95_ms'])} ms",
                    f"{paced['p95_ms'] / paced_floor['p95_ms']:.1f}× (p95)",
                    "**PASS**" if ok else "**MISS**",
                ]
            )
    page = results.get("page")
    if page:
        for r in page["results"]:
            rows.append(
                [
                    f"Section page, largest of 300 questions, {r['database']}",
                    "p95 < 50 ms, < 150 KB",
                    f"p50 {_n(r['page']['p50_ms'])} ms, p95 {_n(r['page']['p95_ms'])} ms, "
                    f"{_n(r['page']['kb'])} KB",
                    f"trivial page p50 {_n(r['baseline']['p50_ms'])} ms",
                    f"{_n(r['ratio_p50'])}× (p50)",
                    "**PASS**"
                    if r["page"]["p95_ms"] < 50 and r["page"]["kb"] < 150
                    else "**MISS**",
                ]
            )
    scoring = results.get("scoring")
    if scoring:
        rows.append(
            [
                f"Scoring, {scoring['scored_questions']} scored questions",
                "10,000 assessments < 10 s",
                f"{_n(scoring['seconds_for_10000'], 2)} s on 1 process "
                f"({_n(scoring['one_process_per_s'])}/s); "
                f"{_n(scoring['two_processes_s'] * 10_000 / scoring['assessments'], 2)} s on 2",
                f"bare loop {_n(scoring['baseline_s'], 3)} s",
                f"{_n(scoring['ratio'])}×",
                _verdict(scoring["goal"]),
            ]
        )
    export = results.get("export")
    if export:
        goal = next((s for s in export["series"] if s["vendors"] == 10_000), export["series"][-1])
        growth = [s["product_growth_mb"] for s in export["series"]]
        rows.append(
            [
                f"Register export, {goal['vendors']:,} vendors / {goal['findings']:,} findings",
                "≤ 1.5× the floor; memory flat (1k → 50k)",
                f"{_n(goal['product_s'])} s; +{_n(min(growth))} … +{_n(max(growth))} MB",
                f"raw openpyxl dump {_n(goal['floor_s'])} s",
                f"{_n(goal['ratio'], 2)}×",
                _verdict(export["goal"]),
            ]
        )
    pages = results.get("pages")
    if pages:
        for database in dict.fromkeys(r["database"] for r in pages["rows"]):
            size = max(r["vendors"] for r in pages["rows"] if r["database"] == database)
            size = 10_000 if any(r["vendors"] == 10_000 for r in pages["rows"]) else size
            at = [
                r
                for r in pages["rows"]
                if r["database"] == database
                and r["vendors"] == size
                and r["page"] in ("register", "dashboard")
            ]
            if not at:
                continue
            worst = max(r["p95_ms"] for r in at)
            rows.append(
                [
                    f"Register and dashboard, {size:,} vendors, {database}",
                    "p95 < 300 ms; statements constant",
                    ", ".join(f"{r['page']} p95 {_n(r['p95_ms'])} ms" for r in at),
                    f"trivial page p50 {_n(at[0]['baseline_p50_ms'])} ms",
                    ", ".join(f"{_n(r['ratio_p50'])}×" for r in at) + " (p50)",
                    "**PASS**" if worst < 300 else "**MISS**",
                ]
            )
    return "## Summary\n\n" + _table(
        ["Benchmark", "Goal", "Measured", "Baseline (same run)", "Ratio", ""], rows
    )


def _pick(rows: list[dict[str, Any]], mode: str, workers: int, contacts: int, pause: float = 0):
    wanted = (mode, workers, contacts, pause)
    return next(
        (
            r
            for r in rows
            if (r["mode"], r["workers"], r["contacts"], r.get("pause_s", 0)) == wanted
        ),
        None,
    )


def _review(result: dict[str, Any]) -> str:
    goal = result["goal"]
    rows = [
        f"| {r['database']} | {_n(r['page']['p50_ms'])} | {_n(r['page']['p95_ms'])} | "
        f"{_n(r['page']['kb'])} | {r['statements']} | {_n(r['all_sections']['p95_ms'])} | "
        f"{_n(r['all_sections']['kb'])} | {_n(r['bulk_median_ms'])} | {_n(r['bulk_ms'])} |"
        for r in result["results"]
    ]
    return "\n".join(
        [
            "## Review page and bulk accept",
            "",
            "The analyst's review page of a 300-question assessment answered in full, as it opens "
            "(the first section, with the section list and filters) and with every section shown; "
            "and one bulk accept of 150 answers with their 150 audit events, commit included.",
            "",
            "| database | page p50 ms | page p95 ms | KB | statements | all sections p95 ms | "
            "all sections KB | bulk median ms | bulk worst ms |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Goal: {goal['text']}: {'met' if goal['ok'] else 'not met'}.",
        ]
    )


def _autosave(result: dict[str, Any]) -> str:
    contacts, pause = result["contacts"], result.get("pause_s", 2.0)
    out = [
        "## Autosave",
        "",
        f"{contacts} vendor contacts, each signed in with their own session and CSRF token, save "
        "maturity answers of their own 150-question assessment through the htmx endpoint the "
        "page uses (`POST /portal/assessments/{id}/answers/{key}`, HX-Request), each save "
        f"after the previous one has answered and a random think time of {pause:.0f} s on "
        "average: about 25 saves/s offered, how a room of people clicking through questions "
        "loads the server, what the latency goal is about. One contact saving with no think "
        "time shows a save's latency without company. The app runs "
        "under uvicorn on loopback; the floor (`bench/floor_app.py`) is a bare FastAPI "
        "endpoint doing the same single-row UPDATE of the same answer rows with the same "
        "engine settings, on the same server and workers, driven by the same load generator "
        "(`bench/loadgen.py`, httpx, its own process). 50-contact rows are medians of 3 runs "
        "(12 s each, after 2 s of warm-up). The 2 cores are shared by server, "
        "database and load generator; the CPU columns say where they went.",
        "",
    ]
    header = [
        "Database",
        "Server",
        "Workers",
        "Contacts",
        "Think time s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "req/s",
        "Errors",
        "Server CPU s",
        "Load-gen CPU s",
    ]
    rows = []
    for r in result["results"]:
        for row in r["rows"]:
            rows.append(
                [
                    r["database"],
                    row["mode"],
                    row["workers"],
                    row["contacts"],
                    row["pause_s"],
                    row["p50_ms"],
                    row["p95_ms"],
                    row["p99_ms"],
                    row["rps"],
                    row["errors"],
                    row["server_cpu_s"],
                    row["loadgen_cpu_s"],
                ]
            )
    out.append(_table(header, rows))
    out += [
        "",
        "One contact saving 60 answers in a row, in-process (no network, no concurrency): the "
        "server's own cost per save, and where the app's time goes (a second pass under "
        "cProfile, whose overhead inflates the Python-heavy app more than the floor):",
        "",
    ]
    seq_rows = []
    for r in result["results"]:
        s = r.get("sequential")
        if s:
            seq_rows.append(
                [
                    r["database"],
                    s["app_p50_ms"],
                    s["floor_p50_ms"],
                    f"{s['app_p50_ms'] / s['floor_p50_ms']:.1f}×",
                    s["app_max_rps_one_core"],
                    s["floor_max_rps_one_core"],
                    _shares(s["shares"]),
                ]
            )
    when = {r["sequential"].get("measured") for r in result["results"] if r.get("sequential")}
    if when - {None}:
        out[-2] += f" (measured {', '.join(sorted(when - {None}))}, after the load runs)"
    out.append(
        _table(
            [
                "Database",
                "App p50 ms/save",
                "Floor p50 ms/save",
                "App ÷ floor",
                "App saves/s on one core",
                "Floor saves/s on one core",
                "Where the app's time goes",
            ],
            seq_rows,
        )
    )
    out += ["", "**What limits it.** " + _autosave_limits(result)]
    return "\n".join(out)


def _autosave_limits(result: dict[str, Any]) -> str:
    parts = []
    for r in result["results"]:
        s = r.get("sequential") or {}
        paced = _pick(r["rows"], "app", 1, result["contacts"], result.get("pause_s", 2.0))
        if not (s and paced):
            continue
        parts.append(
            f"On {r['database']} one save costs the app {_n(s['app_p50_ms'])} ms of server time "
            f"against {_n(s['floor_p50_ms'])} ms for the floor, so one worker process (one core, "
            f"one GIL) tops out near {_n(s['app_max_rps_one_core'])} saves/s against "
            f"{_n(s['floor_max_rps_one_core'])}. Paced, p50 {_n(paced['p50_ms'])} ms and "
            f"p95 {_n(paced['p95_ms'])} ms: a save's own cost plus waiting behind the saves "
            "that arrived together."
        )
    parts.append(
        "A save is not one write. Besides BEGIN and COMMIT it runs 7 statements: the caller "
        "(the session's epoch check); the assessment, the caller's right to it and its pinned "
        "questionnaire's hash, with the row locked for the status check (one statement; the "
        "parsed definition is shared by hash); every answer's value, version and whether it "
        "has files (visibility and progress need them, and the saved answer's version and "
        "value spare the save a read of its row); the compare-and-set UPDATE … RETURNING; the "
        "audit chain head locked, the hash-chained event and the new head. The saved "
        "question's files are read only if it has any. Then it renders the fragment: the save "
        "state, the evidence box, any card that appeared or disappeared, section and overall "
        "progress. The floor does one "
        "UPDATE. So the ceiling is CPU in Python, per worker: SQLAlchemy's per-statement work "
        "(building, cache lookup, result processing) is about half of a save, FastAPI's "
        "routing and dependency resolution and Starlette's session middleware a sixth, the "
        "rest the product's own Python. Under concurrency queueing comes on top: on SQLite "
        "every writing request waits its turn for the one write lock (on the event loop, not "
        "in a worker thread), and on PostgreSQL the organisation's audit-chain head row is "
        "locked from a save's audit event to its commit."
    )
    return " ".join(parts)


def _durability(result: dict[str, Any]) -> str:
    rows = [
        [
            r["synchronous"],
            _n(r["p50_ms"]),
            _n(r["p95_ms"]),
            _n(r["p99_ms"]),
            _n(r["rps"]),
            r["errors"],
        ]
        for r in result["rows"]
    ]
    return "\n".join(
        [
            f"## {TITLES['durability']}",
            "",
            "The autosave goal's paced run (50 contacts, a save every 2 s on average each, 1 "
            "worker) on SQLite with `PRAGMA synchronous=NORMAL` (before: an acknowledged save "
            "survived a process crash, not a power loss) and `FULL` (now: it survives both). "
            "Medians of 3 runs; each setting on a fresh database.",
            "",
            _table(["synchronous", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors"], rows),
            "",
            "What the setting adds to one commit, free of the server's CPU work: one-row UPDATE "
            "commits on a fresh file, one after another.",
            "",
            _table(
                ["synchronous", "commits", "p50 ms", "p95 ms"],
                [
                    [c["synchronous"], c["commits"], _n(c["p50_ms"]), _n(c["p95_ms"])]
                    for c in result.get("commits", [])
                ],
            ),
            "",
            _verdict(result.get("goal")),
        ]
    )


def _page(result: dict[str, Any]) -> str:
    first = result["results"][0]
    key, size = first["section"]
    out = [
        "## Section page",
        "",
        "The vendor answers one section per page. Server time to render the largest section "
        f"(`{key}`, {size} questions) of a contact's assessment of the 300-question "
        "questionnaire (the library's 124 questions grown to 300, the group questions "
        "included), every question answered, last year's answers offered beside each, files on "
        "every fifth answer: in-process through the whole stack (session, CSRF, sign-in, route, "
        "template), p50/p95 of 60 renders. The page also carries the whole questionnaire's "
        "progress and section list. Baseline: the contact's home page through the same stack.",
        "",
    ]
    rows = [
        [
            r["database"],
            r["page"]["p50_ms"],
            r["page"]["p95_ms"],
            r["baseline"]["p50_ms"],
            f"{_n(r['ratio_p50'])}×",
            r["page"]["kb"],
            r["statements"],
            r["view_ms"],
            r["render_ms"],
        ]
        for r in result["results"]
    ]
    out.append(
        _table(
            [
                "Database",
                "p50 ms",
                "p95 ms",
                "Trivial page p50 ms",
                "× trivial",
                "Page KB",
                "SQL statements",
                "Build the page ms",
                "Render the template ms",
            ],
            rows,
        )
    )
    out += ["", "The largest section as the questionnaire grows (p50/p95 ms, page size):", ""]
    series = []
    for r in result["results"]:
        for s in r["series"]:
            series.append(
                [r["database"], s["questions"], s["size"], s["p50_ms"], s["p95_ms"], s["kb"]]
            )
    out.append(
        _table(["Database", "Questions", "In the section", "p50 ms", "p95 ms", "KB"], series)
    )
    out += [
        "",
        "**What limits it.** The page grows with its own section's questions (about "
        f"{first['page']['kb'] / size:.1f} KB of HTML per card) and, much more slowly, with "
        "the whole questionnaire: a summary of plain columns (every answer's value and verdict, "
        "every file's verdict and dates) gives progress, the section list and the next links, "
        "and only the section shown is built in full. The SQL is a fixed handful of statements "
        f"({first['statements']}), so the cost is Python: building the page "
        f"({_n(first['view_ms'])} ms) and rendering the Jinja2 template "
        f"({_n(first['render_ms'])} ms).",
    ]
    return "\n".join(out)


def _scoring(result: dict[str, Any]) -> str:
    n = result["assessments"]
    rows = [
        ["Bare loop (sum the levels)", result["baseline_s"], result["baseline_per_s"], "1.0×"],
        [
            "Score, 1 process",
            result["one_process_s"],
            result["one_process_per_s"],
            f"{_n(result['ratio'])}×",
        ],
        [
            "Score, 2 processes (wall of the slower)",
            result["two_processes_s"],
            result["two_processes_per_s"],
            f"{_n(result['two_processes_s'] / result['baseline_s'])}×",
        ],
    ]
    series = [
        [s["questions"], s["scored_questions"], s["assessments"], s["ms_per_assessment"]]
        for s in result["series"]
    ]
    return "\n".join(
        [
            "## Scoring",
            "",
            f"{n:,} assessments of the 150-question questionnaire ({result['scored_questions']} "
            "scored questions, built into model inputs by the service's own adapter), random "
            "valid answers with review verdicts and 0–2 files each, about "
            f"{_n(result['findings_per_assessment'])} findings per assessment; compile once "
            f"({_n(result['compile_ms'], 2)} ms), then score each. The model is pure, no database.",
            "",
            _table(["", "Seconds", "Assessments/s", "× bare loop"], rows),
            "",
            "How it grows with the questionnaire:",
            "",
            _table(["Questions", "Scored", "Assessments", "ms per assessment"], series),
            "",
            "**What limits it.** Scoring is linear in answers and controls; per assessment it "
            "builds an explanation for every answer and control (outcomes, evidence notes, caps) "
            "as immutable tuples, the domains, and the findings with their text (random answers "
            "leave most controls below target, so about 118 findings each: a realistic "
            "portfolio has fewer): that is the "
            f"{_n(result['ratio'])}× over the bare loop, all Python on one core. What does "
            "not depend on the answers is compiled once per questionnaire (each control's "
            "finding text, each tier's severity table, the outcome of every plain answer), so "
            "what is left per assessment is building the result tuples and the findings' text. "
            "Two processes split the assessments (the model is pure, nothing is shared), so "
            "the batch job scales with free cores when the machine has them (load average "
            f"{_n(result.get('load_average', [0, 0])[0])} when this benchmark began).",
        ]
    )


def _export(result: dict[str, Any]) -> str:
    rows = [
        [
            s["vendors"],
            s["findings"],
            s["repeats"],
            s["product_s"],
            s["floor_s"],
            f"{_n(s['ratio'], 2)}×",
            f"{_n(s.get('product_cpu_s'))} / {_n(s.get('floor_cpu_s'))}",
            s["product_peak_mb"],
            f"+{_n(s['product_growth_mb'])}",
            s["floor_peak_mb"],
            f"+{_n(s['floor_growth_mb'])}",
            s["file_mb"],
            s["vendors_per_s"],
        ]
        for s in result["series"]
    ]
    same = result.get("same_cells") or {}
    profile = result.get("profile") or {}
    last, first = result["series"][-1], result["series"][0]
    per_k = (last["product_s"] - first["product_s"]) / ((last["vendors"] - first["vendors"]) / 1000)
    text = [
        "## Register export",
        "",
        "The risk register workbook (`app/register/workbook.py`: Register, Domain maturity, "
        "Findings, AI systems, Evidence index, About, the hidden Lists) for the whole portfolio, "
        "on SQLite, against the floor: the same sheets and cells from one plain SQL query per "
        "sheet, appended raw to an openpyxl write-only workbook (no styles, dropdowns or "
        "formula-injection escaping). Each runs in a fresh child process writing a file; time "
        "is wall clock, memory is the child's peak resident set (VmHWM) and its growth "
        "over the resident set when writing began. "
        + (
            "Both workbooks have the same sheets and row counts "
            f"({', '.join(f'{k} {v:,}' for k, v in same.get('product', {}).items())})."
            if same.get("same_rows")
            else "Row counts differ between product and floor: see the JSON."
        ),
        "",
        _table(
            [
                "Vendors",
                "Findings",
                "Runs",
                "Product s",
                "Floor s",
                "Ratio",
                "CPU s product / floor",
                "Product peak MB",
                "Growth",
                "Floor peak MB",
                "Growth",
                "File MB",
                "Vendors/s",
            ],
            rows,
        ),
        "",
        "At 50,000 vendors only the product ran, once (the floor is for the 10,000 goal; "
        "keeping the run short). **What limits it.** Both grow linearly (about "
        f"{per_k:.2f} s per 1,000 vendors with their 10,000 findings) and both stay flat in "
        "memory: write-only sheets stream rows to a temporary file, the register rows come "
        "from one streamed, sorted query in batches of 500 and the findings stream with "
        "`yield_per`. "
        + (
            f"Profile of the product at {profile.get('vendors', 0):,} vendors: "
            f"{_shares(profile.get('shares', {}))}. "
            if profile
            else ""
        )
        + "openpyxl's XML serialisation is most of the time for product and floor alike "
        "(through et_xmlfile in pure Python; lxml, measured from a side directory, cut the "
        "product's CPU by only 15–19% and the floor's by more, so the ratio grew: the project "
        "does not install it). The floor writes the same cells, dates as date cells. What the "
        "product adds above it: a styled cell (a level, a date, a heat-map fill: about 40 per "
        "vendor) goes through openpyxl's cell binding and style lookup (the product reuses one "
        "styled cell per column and style), formula-injection escaping of every text cell "
        "(a printable-text check first, the regular expression only for the rest), a Vendor "
        "object per register row and four related queries per batch of 500.",
    ]
    return "\n".join(text)


def _pages(result: dict[str, Any]) -> str:
    rows = [
        [
            r["database"],
            r["vendors"],
            r["page"],
            r["p50_ms"],
            r["p95_ms"],
            r["kb"],
            r["statements"],
            f"{_n(r['ratio_p50'])}×",
        ]
        for r in result["rows"]
    ]
    statements: dict[tuple[str, str], set[int]] = {}
    for r in result["rows"]:
        statements.setdefault((r["database"], r["page"]), set()).add(r["statements"])
    constant = all(len(v) == 1 for v in statements.values())
    return "\n".join(
        [
            "## Portfolio pages",
            "",
            "First page of each list (the register 50 rows, findings 50, vendors and "
            "assessments 25) and the dashboard, signed in as a risk analyst, in-process through "
            "the whole stack, p50/p95 of 40 requests (20 at 50,000 vendors); portfolios of 10 findings, one contract, "
            "0–2 AI systems, a completed assessment and a current score per vendor. Baseline: a "
            "trivial signed-in page (a vendor contact's home) through the same stack.",
            "",
            _table(
                [
                    "Database",
                    "Vendors",
                    "Page",
                    "p50 ms",
                    "p95 ms",
                    "KB",
                    "SQL statements",
                    "× trivial (p50)",
                ],
                rows,
            ),
            "",
            "**What limits it.** "
            + (
                "The number of SQL statements per page is the same at every size (no N+1; "
                "tests/register/test_query_counts.py holds it). "
                if constant
                else "The number of SQL statements changes with the size on some page: see the "
                "table. "
            )
            + "What grows is the work inside those statements: the register sorts every "
            "vendor by name (there is no index on `lower(legal_name)`) before taking a page; "
            "the findings register sorts every finding by a severity rank (a CASE expression, "
            "not indexable); the dashboard's figures are aggregates over all vendors, scores "
            "and findings (GROUP BY and COUNT). Each of these is a linear scan of the "
            "organisation's rows, so these pages grow linearly with the portfolio, several "
            "times more slowly than a page that loaded the rows would. The findings page and "
            "the assessment list also carry a vendor picker (up to 2,000 vendors on the "
            "findings page, every vendor on the assessment list), which is what their page "
            "size grows with.",
        ]
    )


CHANGES = """## Changes made because of these measurements

Each is its own commit, with the numbers measured before and after:

- **Assessment list** (`app/assessments/listing.py`): the page query joined whole questionnaire
  rows, so SQLite carried each row's ~120 kB definition through the sort of every assessment.
  10,000 vendors: the query went from 1,514 ms to 42 ms.
- **Register page** (`app/register/service.py`): without table statistics SQLite answered
  "open findings of these 50 vendors" by walking the status index instead of the vendor index;
  the count joined the scores for nothing. Open-findings query 73–537 ms → 2.7 ms; count
  25–30 ms → 0.3 ms (10,000 vendors, 100,000 findings).
- **Register export** (`app/register/service.py`): the rows came in OFFSET pages of 500, each
  re-running the sorted query (quadratic). One streamed query: 50,000 vendors 47.9 s → 9.2 s
  to iterate the register.
- **Register workbook** (`app/register/workbook.py`): openpyxl hashed the fill and font
  objects again for every level cell; each style combination is now built once per sheet
  (profiled on 1,000 vendors: 2.8 s → 0.75 s in the cell factory). The Findings sheet reads
  plain columns instead of building a Finding object per row: 1,000 vendors / 10,000 findings,
  3.32 s → 2.40 s for the whole workbook (floor 1.60 s).
- **Portal page** (`app/portal/service.py`): one evidence query per earlier answer offered (an
  N+1): 166 statements per page for the 150-question questionnaire, now 17.
- **Autosave** (`app/assessments/service.py`, `app/portal/`): the questionnaire row dropped out
  of the identity map after each use, so its ~120 kB definition was read and decoded five
  times per save (now once per request); and the save's response built earlier-answer offers
  for all 150 questions to redraw one or a few cards (now only those). One contact, in-process
  p50: SQLite 43 → 20 ms, PostgreSQL 79 → 51 ms per save.
- **Concurrent writes on SQLite** (`app/deps.py`): a writing request waited for SQLite's write
  lock inside a worker thread; with 40 or more writers at once (50 contacts autosaving, or
  signing in) the thread pool starved, the request holding the lock could not run its route,
  and every waiter failed after the 10 s busy timeout (a 500). Writers now queue for their turn
  on the event loop. `tests/foundation/test_concurrent_writes.py` holds it (60 sign-ins at
  once).
- **Questionnaire row per request** (`app/assessments/service.py`): every request read and
  decoded the pinned questionnaire's ~120 kB definition; it now reads the row's content hash
  and parses the definition once per process (about a fifth of an autosave's server time).
- **Autosave fragment** (`app/portal/autosave.py`): a save rebuilt the whole page's view (150
  answer rows, every file, thread and earlier answer, contacts, assignments, the library) to
  draw one state span. It now reads every answer's value as plain columns and the rows, files,
  threads and offers of the redrawn questions only; visibility is worked out once when the
  saved answer is tested by no show_if. With RETURNING instead of a refresh, the chain head
  locked in one statement, the vendor and library no longer read and the caller read once:
  24 → 12 statements per save besides BEGIN and COMMIT. One contact in-process, loaded machine: 43 → 10 ms per save.
- **Autosave statements, 12 → 7** (`app/assessments/service.py`, `app/portal/autosave.py`):
  the access check reads the vendor's contact rows as a subquery and the questionnaire's hash
  in the same statement, and locks the row (so the save does not read it again); the save
  knows the answer's version and value from the visibility read, so its compare-and-set runs
  without reading the row first; files are read only for a question that has any. One
  contact in-process, quiet machine: SQLite 5.8 → 4.8 ms per save.
- **Visibility and routing** (`app/questionnaires/service.py`, `app/main.py`): which questions
  show depends only on the answers some show_if tests, so the outcome is remembered per
  questionnaire and combination of those answers; the portal's routes are matched first
  (FastAPI tries every route listed before a request's own). SQLite 4.8 → 4.5 ms per save.
- **Trips through the thread pool** (`app/deps.py`): the permission check and settings are
  async dependencies, and the unit of work opens without I/O and only its end runs in a
  thread — outside the pool's limit, as FastAPI runs a dependency's exit (inside it, 50
  sign-ins at once on PostgreSQL deadlocked on the audit chain's row lock). Three trips per
  save instead of six; one contact over HTTP on a loaded machine: p50 20 → 12 ms.
- **Questionnaire page** (`templates/portal/`, `app/portal/service.py`): the macros were
  imported with the page's context inside the card loop, so the macros module ran 150 times
  per page; the evidence library's picker is drawn once per page instead of in every card, the
  earlier-answer offer is a button of the answer form; the earlier-answers query reads ids and
  names instead of whole rows. Template time roughly halved; 735 → 569 KB.
- **Scoring** (`app/scoring/model.py`): result tuples built positionally, and everything that
  does not depend on the answers (finding text per control, severity tables per tier, the
  outcome of every plain answer) compiled once per questionnaire: 1.18 → 0.71 ms per
  assessment (same run), byte-identical results.
- **Register workbook** (`app/exports/`): printable text skips the formula-escaping regular
  expression; one styled cell per column and style, reused row after row. The floor now
  writes date cells where the product does (it wrote text, which openpyxl writes faster).

## Devices removed when the flat-out autosave goal was retired

The flat-out throughput goal (60% of the floor's requests/s) was retired; the paced p95 goal
stays. So the devices that served only the former went: the routers are included by domain
(the portal is no longer matched first), the compare-and-set sits behind `AnswerStore`
(`app/assessments/answer_store.py`) instead of a `seen=` parameter, the pinned questionnaire
and the row lock travel in `OpenedAssessment` instead of `session.info`, one
`ContentHashCache` replaces five hand-rolled caches, and the scoring model builds its results
with keywords except the per-answer and per-control tuples (keywords there made 10,000
assessments take about 16 s). A save still runs 7 statements. Measured in-process (one contact,
200 saves through the app, medians, old and new code alternating on the same machine): SQLite
9.5 and 10.4 → 11.0 and 12.2 ms, PostgreSQL 12.3 and 9.8 → 13.8 and 12.8 ms, about 15% more per
save; the paced p95 above stays under its goal on both databases."""


def _roi(result: dict[str, Any]) -> str:
    rows = [
        [s["arrangements"], s["cells"], s["product_s"], s["floor_s"], f"{_n(s['ratio'])}×"]
        for s in result["series"]
    ]
    return "\n".join(
        [
            "## Register of Information package",
            "",
            "`bench/roi.py`: build, validate and write the xBRL-CSV package (`app/register/roi/`) "
            "from register facts held in memory, against a raw CSV dump of the same finished "
            "cells into the same deflated zip (no building, no validation). "
            f"Goal: {result['goal']['text']} — {_verdict(result['goal'])}.",
            "",
            _table(["arrangements", "cells", "product s", "floor s", "ratio"], rows),
            "",
            "The floor only writes; the product also builds every row (B_02.02 multiplies by "
            "storage and processing countries) and checks each cell against keys, references, "
            "closed lists, mandatory rules and text rules. Tables are held a list per column "
            "(`app/register/roi/table.py`): the builder fills them a column at a time, each "
            "arrangement's values coded once and spread over its rows, and each rule of the "
            "validator reads a column once (the rules on single values on its distinct values). "
            "Where the time goes, in CPU seconds at 10,000 with the cycle collector off: writing "
            "the CSV files 0.22 (the floor itself), building 0.10, validating 0.05, the facts' "
            "own checks 0.006; the collector adds about 0.02 (it was 0.8 when each row was an "
            "object with its own dict). Row objects and a row-by-row validator took 10×, row "
            "objects with a column-wise validator 6×.",
        ]
    )


def render(machine: dict[str, Any], results: dict[str, Any], *, quick: bool = False) -> str:
    header = [
        "# Benchmarks" + (" (quick smoke run — not the reference figures)" if quick else ""),
        "",
        "`make bench` (`python -m bench`) measures each cost beside a baseline taken in the same "
        "run, on portfolios built by `bench/portfolio.py` (bulk inserts of the app's own tables). "
        "**Figures are medians of repeated runs on a shared 2-core machine**: other engineers' "
        "test runs used the same cores during the run (see the load average), so absolute "
        "times move between runs by tens of percent; the ratios to the same-run baselines move "
        "less. `python -m bench NAME` runs one benchmark (scoring, page, pages, export, roi, "
        "autosave, durability, review); `python -m bench --quick` is a smoke run.",
        "",
        _machine(machine, results, quick),
        "",
        _summary(results),
    ]
    sections = {
        "autosave": _autosave,
        "durability": _durability,
        "page": _page,
        "scoring": _scoring,
        "export": _export,
        "roi": _roi,
        "pages": _pages,
        "review": _review,
    }
    body = []
    for name in ORDER:
        if name in results:
            body += ["", sections[name](results[name])]
        else:
            body += ["", f"## {TITLES[name]}", "", "Not run in this report's run."]
    return "\n".join([*header, *body, "", CHANGES, ""])
