"""The second edition's migration on existing rows: an arrangement with named alternatives
becomes "yes", one without becomes "not assessed" (never "no"); the vendor's substitutability,
reason and reintegration become each of its arrangements' starting point. Runs on the test
database engine of the run (SQLite, or PostgreSQL with ASSAY_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrations import alembic_config

POSTGRES_URL = os.environ.get("ASSAY_TEST_DATABASE_URL", "")


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


def _insert(conn, table: sa.Table, **values) -> int:
    """A row with the given values and a plain value in every other required column."""
    row = {
        c.name: _value(c)
        for c in table.columns
        if not c.nullable and not c.primary_key and c.name not in values
    }
    result = conn.execute(table.insert().values(**row, **values))
    return result.inserted_primary_key[0]


def test_existing_arrangements_migrate_without_turning_not_assessed_into_no(tmp_path):
    if POSTGRES_URL:
        name = f"assay_migration_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'migration.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0005")
        meta = sa.MetaData()
        meta.reflect(engine, only=["organisation", "vendor", "contract"])
        org, vendor, contract = (meta.tables[n] for n in ("organisation", "vendor", "contract"))
        with engine.begin() as conn:
            org_id = _insert(conn, org, slug="acme", name="Acme")
            vendor_id = _insert(
                conn, vendor, organisation_id=org_id, identifier="V1", legal_name="Cloudy",
                substitutability="highly_complex", substitutability_reason="x964",
                reintegration="difficult",
            )  # fmt: skip
            for reference, alternatives in (("A-1", "Two EU providers"), ("A-2", None)):
                _insert(
                    conn, contract, organisation_id=org_id, vendor_id=vendor_id,
                    reference=reference, alternatives=alternatives,
                )  # fmt: skip
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT reference, alternatives_identified, substitutability, "
                    "substitutability_reason, reintegration, discontinuation_impact "
                    "FROM contract ORDER BY reference"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("A-1", "yes", "highly_complex", "x964", "difficult", None),
            ("A-2", "not_assessed", "highly_complex", "x964", "difficult", None),
        ]
        with engine.begin() as conn:  # and back down, for a rollback of the release
            command.downgrade(alembic_config(connection=conn), "0005")
    finally:
        engine.dispose()
        if POSTGRES_URL:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
