"""The second edition's migration on existing rows: an arrangement with named alternatives
becomes "yes", one without becomes "not assessed" (never "no"); the vendor's substitutability,
reason and reintegration become each of its arrangements' starting point. Runs on the test
database engine of the run (SQLite, or PostgreSQL with ASSAY_TEST_DATABASE_URL)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.register.migrations import database_at, downgrade_to, insert_row, tables, upgrade_to


def test_existing_arrangements_migrate_without_turning_not_assessed_into_no(tmp_path):
    with database_at("0005", tmp_path) as engine:
        org, vendor, contract = tables(engine, "organisation", "vendor", "contract")
        with engine.begin() as conn:
            org_id = insert_row(conn, org, slug="acme", name="Acme")
            vendor_id = insert_row(
                conn, vendor, organisation_id=org_id, identifier="V1", legal_name="Cloudy",
                substitutability="highly_complex", substitutability_reason="x964",
                reintegration="difficult",
            )  # fmt: skip
            for reference, alternatives in (("A-1", "Two EU providers"), ("A-2", None)):
                insert_row(
                    conn, contract, organisation_id=org_id, vendor_id=vendor_id,
                    reference=reference, alternatives=alternatives,
                )  # fmt: skip
        upgrade_to(engine, "head")
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
        downgrade_to(engine, "0005")  # and back down, for a rollback of the release
