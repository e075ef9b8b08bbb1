"""The groups migration on an existing organisation: its entity details and RoI settings become
the one entity of its register, the one maintaining it, so a standalone register is unchanged;
and the release can be rolled back. SQLite, or PostgreSQL with ASSAY_TEST_DATABASE_URL."""

from __future__ import annotations

import sqlalchemy as sa

from tests.register.migrations import database_at, downgrade_to, insert_row, tables, upgrade_to


def test_an_existing_organisation_becomes_the_one_entity_of_its_register(tmp_path):
    with database_at("roi2", tmp_path) as engine:
        org, vendor, contract = tables(engine, "organisation", "vendor", "contract")
        with engine.begin() as conn:
            org_id = insert_row(
                conn, org, slug="acme", name="Acme Bank AG", lei="529900ACMEBANK000093",
                country="DE", entity_type="x12",
                settings={"roi_hierarchy": "x53", "currency": "EUR", "total_assets": "1000000000"},
            )  # fmt: skip
            vendor_id = insert_row(conn, vendor, organisation_id=org_id, identifier="V1")
            insert_row(conn, contract, organisation_id=org_id, vendor_id=vendor_id, reference="A-1")
        upgrade_to(engine, "head")
        with engine.connect() as conn:
            entities = conn.execute(
                sa.text(
                    "SELECT organisation_id, lei, name, country, entity_type, hierarchy, "
                    "currency, total_assets, maintains_register, parent_id FROM groupentity"
                )
            ).all()
            uses = conn.execute(sa.text("SELECT entity_ids, signing_entity_id FROM contract"))
            [(entity_ids, signer)] = uses.all()
        [entity] = entities
        assert tuple(entity)[:7] == (
            org_id, "529900ACMEBANK000093", "Acme Bank AG", "DE", "x12", "x53", "EUR",
        )  # fmt: skip
        assert int(entity.total_assets) == 1000000000
        assert bool(entity.maintains_register) and entity.parent_id is None
        # the arrangement names no entity: the entity maintaining the register uses and signs it
        assert entity_ids in ([], "[]") and signer is None
        downgrade_to(engine, "roi2")  # and back down, for a rollback of the release
