"""`python -m bench [--quick] [NAME ...]`: run benchmarks, print their tables, write the results.

With no NAME every benchmark runs (the order below). The full run rewrites bench/RESULTS.md;
results are also kept as JSON in bench/out/results/ (a run of some benchmarks rewrites
RESULTS.md from the newest JSON of each). `--quick` is a smoke run on small sizes: its report
goes to bench/out/RESULTS-quick.md and never replaces bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time

from bench import common

BENCHMARKS = ("scoring", "page", "pages", "export", "roi", "autosave", "durability", "review")
MODULES = {
    "scoring": "bench.scoring",
    "page": "bench.page",
    "pages": "bench.pages",
    "export": "bench.export",
    "roi": "bench.roi",
    "autosave": "bench.autosave",
    "durability": "bench.durability",
    "review": "bench.review",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer repeats")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the stored results"
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}: choose from {', '.join(BENCHMARKS)}")
    names = [] if args.report_only else args.names or list(BENCHMARKS)
    results_dir = common.OUT / ("results-quick" if args.quick else "results")
    started = time.perf_counter()
    postgres = common.POSTGRES_ADMIN_URL if common.postgres_available() else None
    machine = common.machine(postgres)
    machine_path = results_dir / "machine.json"
    if args.report_only and machine_path.exists():
        machine = json.loads(machine_path.read_text())
    for name in names:
        common.log(f"== {name}")
        begin, load_before = time.perf_counter(), os.getloadavg()[0]
        result = importlib.import_module(MODULES[name]).run(quick=args.quick)
        result["seconds"] = round(time.perf_counter() - begin, 1)
        result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        common.save_json(results_dir / f"{name}.json", result)
        common.log(f"== {name} done in {result['seconds']:.0f} s")
    from bench import report

    if not args.report_only:
        machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        machine["run_seconds"] = round(time.perf_counter() - started)
        common.save_json(machine_path, machine)
    results = {}
    for name in BENCHMARKS:
        path = results_dir / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text())
    target = common.OUT / "RESULTS-quick.md" if args.quick else common.ROOT / "RESULTS.md"
    target.write_text(report.render(machine, results, quick=args.quick))
    common.cleanup(common.OUT / "data")
    shown = (
        target.relative_to(common.ROOT.parent)
        if target.is_relative_to(common.ROOT.parent)
        else target
    )
    common.log(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
