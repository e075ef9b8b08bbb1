"""The real server in a subprocess (`assay serve`), killed with SIGKILL mid-request.

The server uses the test's database (SQLite file or the run's PostgreSQL database) and data
directory, so the test can look at both after the kill. `write_in_progress` tells, from outside
the process, that the server is inside a writing transaction: SQLite's write lock is taken, or a
PostgreSQL backend of this database holds a transaction id (it has written rows).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text

from app.db import make_engine

ASSAY = Path(sys.executable).with_name("assay")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database_url: str, data_dir: Path, secret_key: str, log: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.secret_key = secret_key
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {
            **os.environ,
            "ASSAY_DATABASE_URL": self.database_url,
            "ASSAY_DATA_DIR": str(self.data_dir),
            "ASSAY_SECRET_KEY": self.secret_key,
            "ASSAY_BASE_URL": self.url,
            "ASSAY_PASSWORD_HASH_FAST": "1",
            "ASSAY_BACKGROUND_TASKS": "0",
        }
        self.process = subprocess.Popen(
            [str(ASSAY), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no finally block, no rollback by the process."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def browser(self, email: str, password: str) -> httpx.Client:
        """A signed-in client with the CSRF header set, like htmx sends it."""
        client = httpx.Client(base_url=self.url, timeout=60)
        token = CSRF.search(client.get("/login").text).group(1)
        signed_in = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert signed_in.status_code == 303, signed_in.text[-1000:]
        client.headers["X-CSRF-Token"] = CSRF.search(client.get("/").text).group(1)
        return client


@pytest.fixture
def server(database_url, settings, tmp_path) -> Iterator[Server]:
    running = Server(database_url, settings.data_dir, settings.secret_key, tmp_path / "server.log")
    yield running
    running.stop()


def write_in_progress(database_url: str) -> bool:
    """Whether another process is inside a writing transaction on this database right now."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": a writer holds the lock
            return True
        finally:
            probe.close()
    return bool(writing_backends(database_url))


def writing_backends(database_url: str) -> list[int]:
    """PostgreSQL backends of this database holding a transaction id (they wrote rows)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()


def wait_until(condition, timeout: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_backends_to_go(database_url: str) -> None:
    """After the kill, PostgreSQL rolls the dead backend's transaction back: wait for it."""
    if make_url(database_url).get_backend_name() == "postgresql":
        wait_until(lambda: not writing_backends(database_url), what="the rollback")
