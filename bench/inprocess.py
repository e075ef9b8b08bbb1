"""The real app driven in-process (Starlette's TestClient): signed in through the login form like
a browser, timed around each request. Server time here is the whole ASGI stack (middleware,
session cookie, CSRF, authentication, the route, the template) without a network hop."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

from bench import common, portfolio

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextlib.contextmanager
def client_for(url: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from app.config import load_settings
    from app.db import make_engine
    from app.main import create_app

    settings = load_settings(database_url=url, allowed_hosts="bench")  # the client's base_url
    engine = make_engine(url)
    app = create_app(settings, engine)
    app.state.migrate_on_start = False
    try:
        with TestClient(app, base_url="http://bench") as client:
            yield client
    finally:
        engine.dispose()


def sign_in(client: Any, email: str) -> None:
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": portfolio.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    client.headers["X-CSRF-Token"] = CSRF.search(client.get("/").text).group(1)


def time_get(client: Any, path: str, count: int, warmup: int = 3) -> dict[str, Any]:
    """p50/p95 of `count` GETs (after `warmup` untimed ones), with the page size."""
    for _ in range(warmup):
        assert client.get(path).status_code == 200, path
    samples = []
    response = None
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "path": path,
        "count": count,
        "p50_ms": common.ms(common.percentile(samples, 50)),
        "p95_ms": common.ms(common.percentile(samples, 95)),
        "max_ms": common.ms(max(samples)),
        "kb": round(len(response.content) / 1024, 1) if response is not None else 0,
    }


def profiled(url: str, email: str, script) -> tuple[Any, Any]:
    """Sign in as `email`, run `await script(client)` once plainly, then again under cProfile
    with the thread pool inlined (bench/profiling.py). Returns (pstats.Stats, the plain run's
    result, the profiled run's result)."""
    import asyncio
    import cProfile
    import pstats

    import httpx

    from app.config import load_settings
    from app.db import make_engine
    from app.main import create_app
    from bench.profiling import inline_threads

    settings = load_settings(database_url=url, allowed_hosts="bench")  # the client's base_url
    engine = make_engine(url)
    app = create_app(settings, engine)
    app.state.migrate_on_start = False
    profiler = cProfile.Profile()

    async def main() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            token = CSRF.search((await client.get("/login")).text).group(1)
            signed = await client.post(
                "/login",
                data={"email": email, "password": portfolio.PASSWORD, "csrf_token": token},
            )
            assert signed.status_code == 303, signed.text[:300]
            client.headers["X-CSRF-Token"] = CSRF.search((await client.get("/")).text).group(1)
            # warm-up, unprofiled: first-use imports and caches; its result is the timing
            # without the profiler's overhead
            plain = await script(client)
            profiler.enable()
            try:
                return plain, await script(client)
            finally:
                profiler.disable()

    try:
        with inline_threads():
            plain, profiled_outcome = asyncio.run(main())
    finally:
        engine.dispose()
    return pstats.Stats(profiler), plain, profiled_outcome
