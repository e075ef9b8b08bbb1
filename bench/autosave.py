"""Autosave as people use it: 50 vendor contacts answering at once, each signed in with a session
of their own, working through their own assessment of the 150-question questionnaire with a think
time of 2 s on average between saves, via the htmx endpoint the page uses
(POST /portal/assessments/{id}/answers/{key}). The goal is the p95 latency they see.

The app runs under uvicorn on loopback (1 worker, the `assay serve` default) against SQLite (WAL)
and PostgreSQL. The floor is bench/floor_app.py — the same single-row UPDATE of the same answer
rows with the same engine settings — on the same server, driven by the same load generator
(bench/loadgen.py, a separate process). Each configuration is measured 3 times (after a
warm-up); the table shows medians. One contact saving alone shows a save's latency without
company. CPU seconds of server and load generator are read from /proc.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench import common, portfolio

CONTACTS = 50
PAUSE = 2.0  # paced runs: each contact thinks 2 s on average between saves (~25 saves/s offered)
GOAL_P95_MS = 50.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextlib.contextmanager
def server(target: str, url: str, workers: int, directory: Path) -> Iterator[tuple[str, int]]:
    """uvicorn serving `target` ("module:app", or "module:factory()") on a free loopback port
    until the block ends."""
    port = _free_port()
    env = {
        **os.environ,
        "ASSAY_DATABASE_URL": url,
        "ASSAY_DATA_DIR": str(directory / "data"),
        "ASSAY_BASE_URL": f"http://127.0.0.1:{port}",
        "ASSAY_BACKGROUND_TASKS": "0",
    }
    factory = target.endswith("()")
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *(["--factory"] if factory else []),
        target.removesuffix("()"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-keep-alive",  # longer than a paced contact's think time
        "60",
    ]
    log = open(directory / f"server-{port}.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=common.ROOT.parent
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code < 500:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"{target} did not start: {(directory / log.name).read_text()}")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def load(config: dict[str, Any], server_pid: int, directory: Path) -> dict[str, Any]:
    """One load-generator run; latency percentiles, throughput and where the CPU went."""
    config_path, out_path = directory / "loadgen.json", directory / "loadgen-out.json"
    common.save_json(config_path, config)
    before = _tree_cpu(server_pid)
    subprocess.run(
        [sys.executable, "-m", "bench.loadgen", str(config_path), str(out_path)],
        check=True,
        cwd=common.ROOT.parent,
    )
    server_cpu = _tree_cpu(server_pid) - before
    raw = json.loads(out_path.read_text())
    latencies = raw["latencies"]
    ok = raw["statuses"].get("200", 0)
    return {
        "requests": len(latencies),
        "errors": len(latencies) - ok,
        "statuses": raw["statuses"],
        "p50_ms": common.ms(common.percentile(latencies, 50)),
        "p95_ms": common.ms(common.percentile(latencies, 95)),
        "p99_ms": common.ms(common.percentile(latencies, 99)),
        "rps": round(ok / raw["window_s"], 1),
        "loadgen_cpu_s": round(raw["loadgen_cpu_s"], 1),
        "server_cpu_s": round(server_cpu, 1),  # includes sign-in and warm-up
    }


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("p50_ms", "p95_ms", "p99_ms", "rps", "loadgen_cpu_s", "server_cpu_s")
    merged: dict[str, Any] = {k: round(common.median([r[k] for r in runs]), 2) for k in keys}
    merged["requests"] = sum(r["requests"] for r in runs)
    merged["errors"] = sum(r["errors"] for r in runs)
    merged["runs"] = len(runs)
    merged["rps_runs"] = [r["rps"] for r in runs]
    merged["statuses"] = {
        code: sum(r["statuses"].get(code, 0) for r in runs)
        for code in sorted({c for r in runs for c in r["statuses"]})
    }
    return merged


def _save_script(contact: dict[str, Any], count: int, floor: bool):
    """An async script of `count` sequential saves (for in-process profiling)."""
    import re

    version_of = re.compile(r'id="ver-[^"]+" value="(\d+)"')
    versions = dict.fromkeys(contact["keys"], 1)
    turn = [0]

    async def script(client: Any) -> list[float]:
        latencies = []
        for _ in range(count):
            keys = contact["keys"]
            key, value = keys[turn[0] % len(keys)], (turn[0] // len(keys) + 1) % 6
            turn[0] += 1
            if floor:
                url = f"/answers/{contact['answer_ids'][key]}"
            else:
                url = f"/portal/assessments/{contact['assessment_id']}/answers/{key}"
            form = {"version": str(versions[key]), "value": str(value), "comment": ""}
            start = time.perf_counter()
            response = await client.post(url, data=form, headers={"HX-Request": "true"})
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text[:300]
            if not floor:
                versions[key] = int(version_of.search(response.text).group(1))
        return latencies

    return script


def _sequential(url: str, contact: dict[str, Any], count: int) -> dict[str, Any]:
    """One contact saving `count` answers in a row, in-process, profiled: the server's own
    cost per save without concurrency, for the app and for the floor."""
    import asyncio

    from bench import floor_app, inprocess, profiling

    stats, latencies, profiled = inprocess.profiled(
        url, contact["email"], _save_script(contact, count, False)
    )

    floor = floor_app.create(url)
    script = _save_script(contact, count, True)

    async def drive() -> list[float]:
        transport = httpx.ASGITransport(app=floor)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await script(client)
            return await script(client)

    with profiling.inline_threads():
        floor_latencies = asyncio.run(drive())
    floor.state.engine.dispose()
    return {
        "saves": count,
        "app_p50_ms": common.ms(common.percentile(latencies, 50)),
        "floor_p50_ms": common.ms(common.percentile(floor_latencies, 50)),
        "app_profiled_p50_ms": common.ms(common.percentile(profiled, 50)),
        "app_max_rps_one_core": round(1 / common.percentile(latencies, 50)),
        "floor_max_rps_one_core": round(1 / common.percentile(floor_latencies, 50)),
        **profiling.summary(stats),
    }


def _measure(kind: str, quick: bool) -> dict[str, Any]:
    repeats = 1 if quick else 3
    duration, warmup = (3, 1) if quick else (6, 2)
    directory = common.scratch(f"autosave-{kind}")
    rows: list[dict[str, Any]] = []
    try:
        with common.database(kind, directory) as url:
            portfolio.build(url, CONTACTS + 10, 2)
            contacts = portfolio.add_contacts(url, CONTACTS + 1)  # the last one: sequential
            from bench import questionnaire as bench_questionnaire

            defn = bench_questionnaire.definition()
            maturity = [q.key for q in defn.questions() if q.type == "maturity"]
            specs = [
                {
                    "email": c.email,
                    "assessment_id": c.assessment_id,
                    "keys": maturity,
                    "answer_ids": {k: c.answer_ids[k] for k in maturity},
                }
                for c in contacts
            ]
            sequential_contact = specs.pop()
            # (server, workers, contacts, think time s): one contact alone, then a room of
            # people answering (the goal), the app beside the floor
            plan = [
                ("app", 1, 1, 0),
                ("app", 1, CONTACTS, PAUSE),
                ("floor", 1, CONTACTS, PAUSE),
            ]
            for mode, workers in dict.fromkeys((p[0], p[1]) for p in plan):
                target = "app.asgi:app" if mode == "app" else "bench.floor_app:from_environment()"
                with server(target, url, workers, directory) as (base, pid):
                    for _, _, clients, pause in [p for p in plan if p[:2] == (mode, workers)]:
                        config = {
                            "base_url": base,
                            "mode": mode,
                            "password": portfolio.PASSWORD,
                            "contacts": specs[:clients],
                            "duration": duration * (2 if pause else 1),
                            "warmup": warmup,
                            "pause": pause,
                        }
                        repeat = repeats if clients == CONTACTS and workers == 1 else 1
                        runs = [load(config, pid, directory) for _ in range(repeat)]
                        row = {
                            "mode": mode,
                            "workers": workers,
                            "contacts": clients,
                            "pause_s": pause,
                            **_median_of(runs),
                        }
                        rows.append(row)
                        common.log(
                            f"autosave {kind} {mode} w{workers} c{clients} pause {pause}: "
                            f"p95 {row['p95_ms']} ms, {row['rps']} req/s, {row['errors']} errors"
                        )
            common.log(f"autosave {kind}: sequential in-process saves, profiled")
            sequential = _sequential(url, sequential_contact, 20 if quick else 60)
    finally:
        common.cleanup(directory)
    return {"database": kind, "rows": rows, "sequential": sequential}


def _row(rows: list[dict[str, Any]], mode: str, workers: int, pause: float = 0.0):
    """The 50-contact run of this server, workers and think time, if measured."""
    wanted = (mode, workers, CONTACTS, pause)
    return next(
        (r for r in rows if (r["mode"], r["workers"], r["contacts"], r["pause_s"]) == wanted),
        None,
    )


def run(quick: bool = False) -> dict[str, Any]:
    kinds = ["sqlite"] + (["postgresql"] if common.postgres_available() else [])
    results = [_measure(kind, quick) for kind in kinds]
    verdicts = []
    for result in results:
        rows = result["rows"]
        paced, floor = _row(rows, "app", 1, PAUSE), _row(rows, "floor", 1, PAUSE)
        if paced and floor:
            verdicts.append(
                {
                    "database": result["database"],
                    "paced_p95_ms": paced["p95_ms"],
                    "floor_p95_ms": floor["p95_ms"],
                    "ok": paced["p95_ms"] < GOAL_P95_MS and not paced["errors"],
                }
            )
    print(
        common.table(
            f"Autosave, {CONTACTS} contacts (medians; pause = mean think time between saves)",
            [
                "database",
                "server",
                "workers",
                "contacts",
                "pause s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "req/s",
                "errors",
            ],
            [
                [
                    result["database"],
                    r["mode"],
                    r["workers"],
                    r["contacts"],
                    r["pause_s"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["p99_ms"],
                    r["rps"],
                    r["errors"],
                ]
                for result in results
                for r in result["rows"]
            ],
        )
    )
    return {
        "name": "autosave",
        "contacts": CONTACTS,
        "pause_s": PAUSE,
        "results": results,
        "verdicts": verdicts,
        "goal": {
            "text": f"p95 under {GOAL_P95_MS:.0f} ms with {CONTACTS} contacts saving as people "
            f"do (a save every {PAUSE:.0f} s on average each); `assay serve` default, 1 worker",
            "ok": bool(verdicts) and all(v["ok"] for v in verdicts),
        },
    }
