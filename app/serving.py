"""Whether an Assay server is using the database, so `assay restore` never replaces a database
under a running server (it would half-restore SQLite and lose uploads made meanwhile).

SQLite: every serving process holds a shared `flock` on `<database>.serving` for its lifetime
(the kernel drops it when the process ends, so a crash leaves nothing stale); a restore takes
it exclusively, and a server cannot start while a restore holds it. PostgreSQL: any other
client session on the database counts (`pg_stat_activity`).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app.db import dispose_engines

SETTLE_SECONDS = 3.0


class DatabaseInUse(RuntimeError):
    """A server (or a restore) is using the database; the message says what to do."""


def _lock_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(f"{url.database}.serving")


@contextmanager
def _flock(path: Path, mode: int) -> Iterator[bool]:
    """Yield whether the lock was taken (without waiting); released when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextmanager
def serving(database_url: str) -> Iterator[None]:
    """Held by a server process while it serves (the app's lifespan)."""
    path = _lock_path(database_url)
    if path is None:
        yield
        return
    with _flock(path, fcntl.LOCK_SH) as taken:
        if not taken:
            raise DatabaseInUse(f"a restore is replacing the database ({path.with_suffix('')})")
        yield


def _postgres_sessions(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ).scalar_one()


@contextmanager
def database_to_myself(database_url: str, engine: Engine) -> Iterator[None]:
    """For a restore: refuse while anyone serves the database, and keep servers from starting
    until the block ends (SQLite)."""
    path = _lock_path(database_url)
    if path is None:
        engine.dispose()  # this process's own pooled sessions are not "someone else"
        dispose_engines()
        others = _postgres_sessions(engine)
        deadline = time.monotonic() + SETTLE_SECONDS
        while others and time.monotonic() < deadline:  # a client that just left (pg_dump)
            time.sleep(0.1)  # stays listed until its backend process has exited
            others = _postgres_sessions(engine)
        engine.dispose()
        if others:
            raise DatabaseInUse(
                f"{others} other session(s) are connected to the database (an Assay server, a "
                "worker or a console): stop them, then restore"
            )
        yield
        return
    with _flock(path, fcntl.LOCK_EX) as taken:
        if not taken:
            raise DatabaseInUse(
                "an Assay server is using this database: stop every `assay serve` (and uvicorn "
                "worker) on it, then restore"
            )
        yield
