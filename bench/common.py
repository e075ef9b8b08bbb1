"""What every benchmark shares: scratch paths, the settings the app reads, statistics, the
benchmark databases (a SQLite file, a PostgreSQL database created and dropped per run), child
processes that report their peak memory, and the machine description.

Importing this module sets the ASSAY_* variables the app reads at import time (scratch data dir,
no background jobs), so import it before anything from `app`.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import platform
import resource
import secrets
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
OUT = Path(os.environ.get("ASSAY_BENCH_OUT", ROOT / "out"))
POSTGRES_ADMIN_URL = os.environ.get(
    "ASSAY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Separate names let two benchmark runs share one PostgreSQL server.
POSTGRES_DATABASE = os.environ.get("ASSAY_BENCH_POSTGRES_DATABASE", "assay_bench")

os.environ.setdefault("ASSAY_DATA_DIR", str(OUT / "data"))
os.environ.setdefault("ASSAY_SECRET_KEY", "bench-" + secrets.token_hex(24))
os.environ["ASSAY_BACKGROUND_TASKS"] = "0"


# --- statistics -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 2) if baseline else math.nan


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table for the terminal (RESULTS.md gets the Markdown version)."""
    cells = [[str(c) for c in header], *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- databases ------------------------------------------------------------------------------------


def scratch(name: str) -> Path:
    """An empty scratch directory under bench/out/ (removed again by `cleanup`)."""
    path = OUT / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def sqlite_url(directory: Path, name: str = "bench.db") -> str:
    return f"sqlite:///{directory / name}"


def postgres_available() -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh `assay_bench` database on the benchmark server, dropped on the way out."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=POSTGRES_DATABASE)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        from app.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


@contextlib.contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    """A migrated, empty benchmark database of `kind` ("sqlite" or "postgresql")."""
    from app.db import make_engine
    from app.migrations import upgrade

    with contextlib.ExitStack() as stack:
        if kind == "postgresql":
            url = stack.enter_context(postgres_database())
        else:
            url = sqlite_url(directory)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


def server_version(url: str) -> str:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + conn.execute(text("select sqlite_version()")).scalar_one()
            return "PostgreSQL " + conn.execute(text("show server_version")).scalar_one()
    finally:
        engine.dispose()


# --- child processes ------------------------------------------------------------------------------


def _child_main(target: str, kwargs: dict[str, Any], queue: Any) -> None:
    try:
        module, _, name = target.partition(":")
        import importlib

        result = getattr(importlib.import_module(module), name)(**kwargs)
        queue.put({"ok": True, "result": result, "peak_rss_mb": peak_rss_mb()})
    except BaseException as exc:  # reported to the parent, which raises
        queue.put({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not ru_maxrss: Linux carries that across
    exec, so a spawned child would report the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def in_child(target: str, **kwargs: Any) -> dict[str, Any]:
    """Run "module:function"(**kwargs) in a fresh (spawned) interpreter; its result plus the
    child's peak resident set, so one measurement cannot inflate the next."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child_main, args=(target, kwargs, queue))
    process.start()
    outcome = queue.get()
    process.join()
    if not outcome["ok"]:
        raise RuntimeError(f"{target} failed in a child process: {outcome['error']}")
    return {**outcome["result"], "peak_rss_mb": outcome["peak_rss_mb"]}


# --- the machine ----------------------------------------------------------------------------------


def machine(postgres_url: str | None = None) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": _memory_gb(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "packages": _packages(),
    }
    if postgres_url:
        info["postgresql"] = server_version(postgres_url).removeprefix("PostgreSQL ")
    return info


def _memory_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def _packages() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "openpyxl", "httpx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def save_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))


def statements(client: Any, path: str) -> int:
    """SQL statements one GET of `path` sends (the N+1 check beside each timing)."""
    from sqlalchemy import event

    engine = client.app.state.engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)
