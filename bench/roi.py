"""Register of Information: the xBRL-CSV package for growing numbers of arrangements, against a
raw CSV dump of the same cells (the floor).

The product builds the templates from the register's facts, validates them (keys, references,
closed lists, LEIs, text) and writes the zipped package. The floor takes the finished cells and
only writes them: one `csv.writer` per template into a zip with the same compression, no
building, no validation. Facts are made in memory (the loading queries are measured by the
export benchmark's database side and the RoI query-count test), so both sides time the same
work on the same cells. Times are medians of repeated runs in this process, after one
untimed package (imports, caches), with Python's cycle collector on as in the app.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

from bench import common

SIZES = (1_000, 10_000)
QUICK_SIZES = (200, 1_000)
GOAL_SIZE = 10_000
GOAL_RATIO = 2.0
ARRANGEMENTS_PER_VENDOR = 5


def register(arrangements: int):
    """A register of `arrangements` arrangements: a vendor per five, each with a two-link
    supply chain, four storage/processing countries and its own assessment."""
    from app.register.roi.data import (
        ContractFacts,
        EntityFacts,
        FunctionFacts,
        RegisterData,
        SubcontractorFacts,
        VendorFacts,
    )
    from app.vendors.identifiers import lei_with_check_digits

    vendors = [
        VendorFacts(
            id=v, legal_name=f"Provider {v} Ltd", identifier=lei_with_check_digits(f"5299{v:014d}"),
            hq_country="DE", annual_expense=Decimal(100_000 + v),
        )
        for v in range(1, arrangements // ARRANGEMENTS_PER_VENDOR + 2)
    ]  # fmt: skip
    host = lei_with_check_digits("635400HOSTINGBENCH")
    lab = lei_with_check_digits("635400MODELLABBENC")
    functions = tuple(
        FunctionFacts(
            id=f, code=f"F{f}", name=f"Function {f}", licensed_activity="x222",
            critical="yes" if f % 2 else "no", criticality_reasons="Stops a service.",
            last_assessed=date(2025, 6, 1), rto_hours=4, rpo_hours=1,
            discontinuation_impact="high",
        )
        for f in range(1, 21)
    )  # fmt: skip
    contracts = tuple(
        ContractFacts(
            id=c, vendor_id=1 + c // ARRANGEMENTS_PER_VENDOR, reference=f"BENCH-{c:06d}",
            ict_service_type="S19", function_code=f"F{1 + c % 20}",
            supports_critical_function=bool(c % 2), start_date=date(2024, 1, 1),
            notice_days_entity=90, notice_days_provider=180, governing_law_country="DE",
            service_country="DE", stores_data=True, storage_countries=("DE", "IE"),
            processing_countries=("DE", "FR"), data_sensitivity="high", reliance="x796",
            annual_cost=Decimal(20_000 + c), exit_plan=True, alternatives_identified="yes",
            alternatives="Two EU providers", substitutability="medium",
            reintegration="difficult", discontinuation_impact="medium",
            subcontractors=(
                SubcontractorFacts(id=2 * c, name="Hosting Ltd", identifier=host, country="IE"),
                SubcontractorFacts(id=2 * c + 1, name="Model Lab Ltd", identifier=lab, rank=3,
                                   country="IE", recipient_identifier=host),
            ),
        )
        for c in range(arrangements)
    )  # fmt: skip
    return RegisterData(
        entity=EntityFacts(
            id=1, name="Bench Bank AG", lei=lei_with_check_digits("529900BENCHBANK000"),
            country="DE", entity_type="x12", competent_authority="BaFin",
            total_assets=Decimal(10**9), integrated_on=date(2025, 1, 1),
        ),
        ref_date=date(2025, 12, 31), report_date=date(2026, 1, 15), functions=functions,
        vendors=tuple(vendors), contracts=contracts,
    )  # fmt: skip


def product(data) -> tuple[bytes, int, int]:
    """Build, validate and write the package; (bytes, cells, blocking problems)."""
    from app.register.roi.builder import build
    from app.register.roi.checks import check_facts
    from app.register.roi.validator import validate
    from app.register.roi.writers import write_package

    built = build(data)
    problems = check_facts(data) + validate(built.tables, built.filing_indicators)
    out = io.BytesIO()
    write_package(out, built, name="bench.zip")
    cells = sum(len(t.template.columns) * len(t) for t in built.tables.values())
    return out.getvalue(), cells, sum(p.blocking for p in problems)


def floor(tables: list[tuple[str, list[str], list[list[str]]]]) -> bytes:
    """The same cells, only written: a CSV per template in a deflated zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, header, rows in tables:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
            package.writestr(f"bench/reports/{name}", buffer.getvalue().encode("utf-8"))
    return out.getvalue()


def run(quick: bool = False) -> dict[str, Any]:
    from app.register.roi.builder import build

    series = []
    for size in QUICK_SIZES if quick else SIZES:
        data = register(size)
        built = build(data)
        cells = [
            (
                t.template.file_name,
                [c.code for c in t.template.columns],
                [list(line) for line in t.cells()],
            )
            for t in built.tables.values()
        ]
        repeats = 2 if quick else 5
        product(data)  # warm: the first package also imports the validator and the writers
        products, floors = [], []
        blocking = count = 0
        for _ in range(repeats):
            start = time.perf_counter()
            _, count, blocking = product(data)
            products.append(time.perf_counter() - start)
            start = time.perf_counter()
            floor(cells)
            floors.append(time.perf_counter() - start)
        p, f = common.median(products), common.median(floors)
        common.log(f"roi {size:,}: product {p:.2f} s, floor {f:.2f} s")
        series.append(
            {
                "arrangements": size,
                "cells": count,
                "blocking": blocking,
                "product_s": round(p, 2),
                "floor_s": round(f, 2),
                "ratio": common.ratio(p, f),
                "repeats": repeats,
            }
        )
    goal_row = next((s for s in series if s["arrangements"] == GOAL_SIZE), series[-1])
    result = {
        "name": "roi",
        "series": series,
        "goal": {
            "text": f"the package for {GOAL_SIZE:,} arrangements within {GOAL_RATIO}x a raw CSV "
            "dump of the same cells",
            "ratio": goal_row["ratio"],
            "ok": goal_row["ratio"] <= GOAL_RATIO and goal_row["blocking"] == 0,
        },
    }
    print(
        common.table(
            "Register of Information package",
            ["arrangements", "cells", "product s", "floor s", "ratio"],
            [
                [s["arrangements"], s["cells"], s["product_s"], s["floor_s"], s["ratio"]]
                for s in series
            ],
        )
    )
    return result
