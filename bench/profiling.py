"""Where the time goes: cProfile over a block, attributed to the layers of the stack.

Requests are profiled in-process with the thread pool inlined (sync routes and dependencies run
on the event loop's thread, one request at a time), so one profiler sees the whole request:
middleware, dependencies, the route, SQL, templates. Shares are of the profiled time (cProfile
adds overhead to Python calls, so they are a guide to proportions, not timings).
"""

from __future__ import annotations

import contextlib
import cProfile
import pstats
from collections.abc import Callable, Iterator
from typing import Any

LAYERS = (
    ("database driver", ("sqlite3", "psycopg", "_sqlite")),
    ("SQLAlchemy", ("sqlalchemy", "sqlmodel")),
    ("openpyxl", ("openpyxl", "et_xmlfile")),
    ("templates (Jinja2)", ("jinja2", "/templates/", ".html")),
    ("validation (pydantic)", ("pydantic",)),
    ("web stack (Starlette/FastAPI/anyio)", ("starlette", "fastapi", "anyio", "multipart")),
    ("Assay code", ("/app/",)),
    ("JSON", ("json/",)),
)


def _layer(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    for name, needles in LAYERS:
        if any(needle in where for needle in needles):
            return name
    return "other (Python, stdlib)"


def shares(stats: pstats.Stats) -> dict[str, float]:
    """Percent of own (tottime) profiled time per layer, largest first."""
    totals: dict[str, float] = {}
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[_layer(filename, function)] = totals.get(_layer(filename, function), 0) + row[2]
    whole = sum(totals.values()) or 1.0
    return dict(
        sorted(((k, round(100 * v / whole, 1)) for k, v in totals.items()), key=lambda kv: -kv[1])
    )


def hot_spots(stats: pstats.Stats, count: int = 6) -> list[str]:
    """The Assay functions with the most cumulative time (where to look first)."""
    rows = []
    for (filename, line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if "/app/" in filename:
            short = filename.split("/app/", 1)[1]
            rows.append((row[3], f"app/{short}:{line} {function}"))
    rows.sort(reverse=True)
    return [name for _, name in rows[:count]]


def profile(fn: Callable[[], Any]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    return pstats.Stats(profiler)


@contextlib.contextmanager
def inline_threads() -> Iterator[None]:
    """Run `anyio.to_thread.run_sync` calls inline, so the profiler sees sync routes."""
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def inline(func, *args, **_kwargs):
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original  # type: ignore[assignment]


def summary(stats: pstats.Stats) -> dict[str, Any]:
    return {"shares": shares(stats), "hot_spots": hot_spots(stats)}
