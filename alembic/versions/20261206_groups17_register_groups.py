"""Register of Information for groups: the entities in the register's scope (B_01.02) and their
branches (B_01.03), which entities use and sign each arrangement, the arrangement an intra-group
one relies on (B_02.03), and vendors that are an entity of the group (B_03.03). Each existing
organisation's own entity details become its one entity, so a standalone register is unchanged.

Revision ID: groups17
Revises: roi2
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "groups17"
down_revision: str | None = "roi2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "groupentity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("lei", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.AutoString(length=2), nullable=True),
        sa.Column("entity_type", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("hierarchy", sqlmodel.AutoString(length=8), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("currency", sqlmodel.AutoString(length=3), nullable=False),
        sa.Column("total_assets", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("integrated_on", sa.Date(), nullable=True),
        sa.Column("deleted_on", sa.Date(), nullable=True),
        sa.Column("maintains_register", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name="fk_groupentity_organisation_id_organisation",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["groupentity.id"], name="fk_groupentity_parent_id_groupentity"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_groupentity"),
        sa.UniqueConstraint("organisation_id", "lei", name="uq_groupentity_organisation_id_lei"),
    )  # fmt: skip
    op.create_index("ix_groupentity_organisation_id", "groupentity", ["organisation_id"])
    op.create_table(
        "branch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.AutoString(length=50), nullable=False),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.AutoString(length=2), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_branch_organisation_id_organisation"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["groupentity.id"], name="fk_branch_entity_id_groupentity"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_branch"),
        sa.UniqueConstraint("organisation_id", "code", name="uq_branch_organisation_id_code"),
    )  # fmt: skip
    op.create_index("ix_branch_organisation_id", "branch", ["organisation_id"])
    op.create_index("ix_branch_entity_id", "branch", ["entity_id"])
    # Plain ADD COLUMN, no constraint: rebuilding these tables on SQLite would drop tables other
    # rows refer to. The service checks that a referenced entity is the organisation's own, as
    # it does for the lists. The lists' server default stays, so existing rows are valid.
    op.add_column("contract", sa.Column("entity_ids", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("contract", sa.Column("branch_ids", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("contract", sa.Column("signing_entity_id", sa.Integer(), nullable=True))
    op.add_column(
        "contract", sa.Column("linked_reference", sqlmodel.AutoString(length=100), nullable=True)
    )
    op.add_column("vendor", sa.Column("group_entity_id", sa.Integer(), nullable=True))
    _own_entities()


def _own_entities() -> None:
    """Each organisation's entity details (and its `roi_hierarchy`, `currency`, `total_assets`
    settings) become the one entity of its register, the one maintaining it."""
    conn = op.get_bind()
    meta = sa.MetaData()
    organisation = sa.Table("organisation", meta, autoload_with=conn)
    entity = sa.Table("groupentity", meta, autoload_with=conn)
    rows = conn.execute(
        sa.select(
            organisation.c.id, organisation.c.name, organisation.c.lei, organisation.c.country,
            organisation.c.entity_type, organisation.c.settings, organisation.c.created_at,
        )
    ).all()  # fmt: skip
    for org_id, name, lei, country, entity_type, settings, created_at in rows:
        settings = settings or {}
        assets = settings.get("total_assets") or None
        conn.execute(
            entity.insert().values(
                organisation_id=org_id,
                lei=lei,
                name=name,
                country=country,
                entity_type=entity_type,
                hierarchy=settings.get("roi_hierarchy") or "x21",
                currency=settings.get("currency") or "EUR",
                total_assets=assets,
                integrated_on=created_at.date() if hasattr(created_at, "date") else None,
                maintains_register=True,
                created_at=created_at,
            )
        )


def downgrade() -> None:
    for table, name in (
        ("vendor", "group_entity_id"),
        ("contract", "linked_reference"),
        ("contract", "signing_entity_id"),
        ("contract", "branch_ids"),
        ("contract", "entity_ids"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
    op.drop_table("branch")
    op.drop_table("groupentity")
