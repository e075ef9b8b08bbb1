"""Servers starting together: two `assay db upgrade` at once on one empty database both succeed
(PostgreSQL: an advisory lock; SQLite: the write lock), and the schema is built once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import make_url, text

from app.db import make_engine
from app.migrations import current_revision
from tests.conftest import POSTGRES_URL


def _fresh_database(tmp_path) -> tuple[str, Callable[[], None]]:
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'fresh.db'}", lambda: None
    name = f"assay_lock_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from app.migrations import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_two_upgrades_started_together_on_an_empty_database_both_succeed(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {**os.environ, "ASSAY_DATABASE_URL": url, "ASSAY_DATA_DIR": str(tmp_path / "data")}
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "app.cli", "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        for code, out, err in outcomes:
            assert code == 0, err[-2000:]
            assert "Traceback" not in err
        said = sorted(out.strip() for _, out, _ in outcomes)
        head = head_revision()
        assert said == sorted(
            [
                f"Created the database schema (revision {head}).",
                f"Database is at the latest revision ({head}); nothing to do.",
            ]
        )
        engine = make_engine(url)
        assert current_revision(engine) == head
        engine.dispose()
    finally:
        drop()


@pytest.mark.postgres_only
def test_an_upgrade_waits_for_the_advisory_lock(engine):
    from app.migrations import MIGRATION_LOCK, upgrade

    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    done = threading.Event()
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        waiting = threading.Thread(target=lambda: (upgrade(engine), done.set()), daemon=True)
        waiting.start()
        assert not done.wait(1.0)  # held elsewhere: the upgrade waits
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
        holder.commit()
    assert done.wait(30)
    waiting.join()
