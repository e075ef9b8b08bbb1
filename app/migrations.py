"""Run Alembic from code: the CLI, the app's start-up and the tests all migrate the same way.

Several servers may start at once against one empty database (replicas behind a load balancer,
or `assay db upgrade` beside `assay serve`): each migration run waits its turn, then finds the
work done. PostgreSQL: a transaction-level advisory lock; SQLite: the write lock taken at BEGIN.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from app.db import writer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The pg_advisory_xact_lock key, fixed forever: b"assa" as an integer (32 bits, so it binds like
# every other parameter; see `app.db.unstorable`).
MIGRATION_LOCK = int.from_bytes(b"assa", "big")


def alembic_config(url: str | None = None, connection: object | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def take_migration_lock(connection: Connection) -> None:
    """Wait for, then hold until this transaction ends, the database's migration lock (also
    taken while the questionnaire library is published at start-up). SQLite needs none: a
    writer's transaction (`app.db.writer`) holds the database's one write lock already."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the database behind `engine` to the latest revision, one process at a time; the
    revisions before and after (read while holding the lock, so they say what this run did)."""
    with writer(engine).begin() as connection:
        take_migration_lock(connection)
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(alembic_config(connection=connection), "head")
        return before, MigrationContext.configure(connection).get_current_revision()
