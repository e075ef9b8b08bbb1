"""The groups migration on an existing organisation: its entity details and RoI settings become
the one entity of its register, the one maintaining it, so a standalone register is unchanged;
and the release can be rolled back. SQLite, or PostgreSQL with ASSAY_TEST_DATABASE_URL."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrations import alembic_config
from tests.register.test_roi_migration import POSTGRES_URL, _insert


def test_an_existing_organisation_becomes_the_one_entity_of_its_register(tmp_path):
    if POSTGRES_URL:
        name = f"assay_groups_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'groups.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "roi2")
        meta = sa.MetaData()
        meta.reflect(engine, only=["organisation", "vendor", "contract"])
        org, vendor, contract = (meta.tables[n] for n in ("organisation", "vendor", "contract"))
        with engine.begin() as conn:
            org_id = _insert(
                conn, org, slug="acme", name="Acme Bank AG", lei="529900ACMEBANK000093",
                country="DE", entity_type="x12",
                settings={"roi_hierarchy": "x53", "currency": "EUR", "total_assets": "1000000000"},
            )  # fmt: skip
            vendor_id = _insert(conn, vendor, organisation_id=org_id, identifier="V1")
            _insert(conn, contract, organisation_id=org_id, vendor_id=vendor_id, reference="A-1")
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
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
        with engine.begin() as conn:  # and back down, for a rollback of the release
            command.downgrade(alembic_config(connection=conn), "roi2")
    finally:
        engine.dispose()
        if POSTGRES_URL:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
