"""Migrations tried on existing rows: a database of its own at an earlier revision, with plain
rows in it (SQLite, or PostgreSQL with ASSAY_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine, make_url

from app.db import make_engine
from app.migrations import alembic_config

POSTGRES_URL = os.environ.get("ASSAY_TEST_DATABASE_URL", "")


@contextmanager
def database_at(revision: str, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database migrated up to `revision`, dropped afterwards."""
    admin = None
    name = f"assay_migration_{uuid.uuid4().hex[:8]}"
    if POSTGRES_URL:
        admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'migration.db'}"
    engine = make_engine(url)
    try:
        upgrade_to(engine, revision)
        yield engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def upgrade_to(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), revision)


def downgrade_to(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), revision)


def tables(engine: Engine, *names: str) -> tuple[sa.Table, ...]:
    meta = sa.MetaData()
    meta.reflect(engine, only=list(names))
    return tuple(meta.tables[n] for n in names)


def _value(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime):
        return datetime(2025, 1, 1, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2025, 1, 1)
    if isinstance(kind, sa.JSON):
        return []
    return "x"


def insert_row(conn, table: sa.Table, **values) -> int:
    """A row with the given values and a plain value in every other required column."""
    row = {
        c.name: _value(c)
        for c in table.columns
        if not c.nullable and not c.primary_key and c.name not in values
    }
    result = conn.execute(table.insert().values(**row, **values))
    return result.inserted_primary_key[0]
