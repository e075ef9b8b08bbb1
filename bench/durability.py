"""SQLite durability: what `PRAGMA synchronous=FULL` (a save survives a power loss) costs the
autosave goal, measured against NORMAL (the earlier setting: survives a process crash only).

The autosave benchmark's paced run (50 contacts, a save every 2 s on average each, the app under
uvicorn with 1 worker on loopback, bench/loadgen.py in its own process), once per setting on a
fresh SQLite database, 3 runs each; the table shows medians. The app reads the setting from
ASSAY_SQLITE_SYNCHRONOUS.
"""

from __future__ import annotations

import os
import time
from typing import Any

from bench import common, portfolio
from bench.autosave import CONTACTS, GOAL_P95_MS, PAUSE, _median_of, load, server

SETTINGS = ("NORMAL", "FULL")


def _measure(synchronous: str, quick: bool) -> dict[str, Any]:
    repeats = 1 if quick else 3
    duration, warmup = (3, 1) if quick else (6, 2)
    directory = common.scratch(f"durability-{synchronous.lower()}")
    previous = os.environ.get("ASSAY_SQLITE_SYNCHRONOUS")
    os.environ["ASSAY_SQLITE_SYNCHRONOUS"] = synchronous  # the server inherits it
    try:
        with common.database("sqlite", directory) as url:
            portfolio.build(url, CONTACTS + 10, 2)
            from bench import questionnaire as bench_questionnaire

            maturity = [
                q.key for q in bench_questionnaire.definition().questions() if q.type == "maturity"
            ]
            specs = [
                {
                    "email": c.email,
                    "assessment_id": c.assessment_id,
                    "keys": maturity,
                    "answer_ids": {k: c.answer_ids[k] for k in maturity},
                }
                for c in portfolio.add_contacts(url, CONTACTS)
            ]
            with server("app.asgi:app", url, 1, directory) as (base, pid):
                config = {
                    "base_url": base,
                    "mode": "app",
                    "password": portfolio.PASSWORD,
                    "contacts": specs,
                    "duration": duration * 2,
                    "warmup": warmup,
                    "pause": PAUSE,
                }
                row = _median_of([load(config, pid, directory) for _ in range(repeats)])
    finally:
        if previous is None:
            os.environ.pop("ASSAY_SQLITE_SYNCHRONOUS", None)
        else:
            os.environ["ASSAY_SQLITE_SYNCHRONOUS"] = previous
        common.cleanup(directory)
    common.log(
        f"durability synchronous={synchronous}: p95 {row['p95_ms']} ms, {row['errors']} errors"
    )
    return {"synchronous": synchronous, **row}


def _commits(synchronous: str, count: int) -> dict[str, Any]:
    """`count` one-row UPDATE commits on a fresh SQLite file, nothing else: what the setting
    adds to each save's commit, free of the server's CPU work (which a loaded machine inflates)."""
    from sqlalchemy import text

    from app.db import make_engine

    directory = common.scratch(f"commits-{synchronous.lower()}")
    previous = os.environ.get("ASSAY_SQLITE_SYNCHRONOUS")
    os.environ["ASSAY_SQLITE_SYNCHRONOUS"] = synchronous
    try:
        engine = make_engine(common.sqlite_url(directory))
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE answer (id INTEGER PRIMARY KEY, value INTEGER)"))
            conn.execute(text("INSERT INTO answer VALUES (1, 0)"))
        latencies = []
        for n in range(count):
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("UPDATE answer SET value = :v WHERE id = 1"), {"v": n})
            latencies.append(time.perf_counter() - start)
        engine.dispose()
    finally:
        if previous is None:
            os.environ.pop("ASSAY_SQLITE_SYNCHRONOUS", None)
        else:
            os.environ["ASSAY_SQLITE_SYNCHRONOUS"] = previous
        common.cleanup(directory)
    return {
        "synchronous": synchronous,
        "commits": count,
        "p50_ms": common.ms(common.percentile(latencies, 50)),
        "p95_ms": common.ms(common.percentile(latencies, 95)),
    }


def run(quick: bool = False) -> dict[str, Any]:
    commits = [_commits(setting, 50 if quick else 300) for setting in SETTINGS]
    rows = [_measure(setting, quick) for setting in SETTINGS]
    full = next(r for r in rows if r["synchronous"] == "FULL")
    print(
        common.table(
            f"SQLite synchronous, autosave paced ({CONTACTS} contacts, {PAUSE:.0f} s think time)",
            ["synchronous", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors"],
            [
                [r["synchronous"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["rps"], r["errors"]]
                for r in rows
            ],
        )
    )
    return {
        "name": "durability",
        "commits": commits,
        "rows": rows,
        "goal": {
            "text": f"with synchronous=FULL the paced autosave p95 stays under {GOAL_P95_MS:.0f} ms",
            "ok": full["p95_ms"] < GOAL_P95_MS and not full["errors"],
        },
    }
