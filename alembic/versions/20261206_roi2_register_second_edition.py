"""Register of Information, second edition: the buyer's assessment per service, the
"alternatives identified" answer with its own "not assessed" state, subcontractors' ultimate
parents, the GLEIF golden copy imported for offline LEI checks, and the register's snapshots
per reference date

Revision ID: roi2
Revises: aiact
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "roi2"
down_revision: str | None = "review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT_COLUMNS = (
    ("alternatives_identified", 16),
    ("substitutability", 20),
    ("substitutability_reason", 8),
    ("reintegration", 16),
    ("discontinuation_impact", 16),
)
SUBCONTRACTOR_COLUMNS = (("parent_name", 300), ("parent_identifier", 50), ("parent_identifier_type", 8))


def upgrade() -> None:
    with op.batch_alter_table("contract") as batch:
        for name, length in CONTRACT_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))
    contract = sa.table(
        "contract",
        sa.column("id", sa.Integer),
        sa.column("vendor_id", sa.Integer),
        sa.column("alternatives", sa.String),
        sa.column("alternatives_identified", sa.String),
        sa.column("substitutability", sa.String),
        sa.column("substitutability_reason", sa.String),
        sa.column("reintegration", sa.String),
    )
    vendor = sa.table(
        "vendor",
        sa.column("id", sa.Integer),
        sa.column("substitutability", sa.String),
        sa.column("substitutability_reason", sa.String),
        sa.column("reintegration", sa.String),
    )
    # Named alternatives were an assessment; an empty field was never one (it is not "No").
    named = sa.and_(contract.c.alternatives.is_not(None), contract.c.alternatives != "")
    op.execute(contract.update().where(named).values(alternatives_identified="yes"))
    op.execute(
        contract.update()
        .where(contract.c.alternatives_identified.is_(None))
        .values(alternatives_identified="not_assessed")
    )
    # The vendor-wide assessment becomes each of its services' starting point, to be reviewed.
    for name in ("substitutability", "substitutability_reason", "reintegration"):
        op.execute(
            contract.update().values(
                {
                    name: sa.select(vendor.c[name])
                    .where(vendor.c.id == contract.c.vendor_id)
                    .scalar_subquery()
                }
            )
        )
    with op.batch_alter_table("contract") as batch:
        batch.alter_column(
            "alternatives_identified", existing_type=sa.String(16), nullable=False
        )
    with op.batch_alter_table("subcontractor") as batch:
        for name, length in SUBCONTRACTOR_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))
    op.create_table(
        "leirecord",
        sa.Column("lei", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("legal_name", sqlmodel.AutoString(length=500), nullable=False),
        sa.Column("status", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("next_renewal", sa.Date(), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("lei"),
    )
    op.create_table(
        "roisnapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("ref_date", sa.Date(), nullable=False),
        sa.Column("release", sqlmodel.AutoString(length=10), nullable=False),
        sa.Column("file_name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("package", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("arrangements", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roisnapshot") as batch:
        batch.create_index(batch.f("ix_roisnapshot_organisation_id"), ["organisation_id"])
        batch.create_index(batch.f("ix_roisnapshot_ref_date"), ["ref_date"])


def downgrade() -> None:
    op.drop_table("roisnapshot")
    op.drop_table("leirecord")
    with op.batch_alter_table("subcontractor") as batch:
        for name, _ in SUBCONTRACTOR_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("contract") as batch:
        for name, _ in CONTRACT_COLUMNS:
            batch.drop_column(name)
