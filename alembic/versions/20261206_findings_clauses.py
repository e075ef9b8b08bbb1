"""Art. 30 clause checklist per contract; provisional scores; why a finding has its severity

Revision ID: findings
Revises: aiact (rechain as needed: it depends on no table of that revision)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "findings"
down_revision: str | None = "aiact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contractclause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column("vendor_status", sqlmodel.AutoString(length=8), nullable=True),
        sa.Column("reference", sqlmodel.AutoString(length=300), nullable=True),
        sa.Column("stated_by_id", sa.Integer(), nullable=True),
        sa.Column("stated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("confirmed_status", sqlmodel.AutoString(length=8), nullable=True),
        sa.Column("review_note", sqlmodel.AutoString(length=1000), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["stated_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "code"),
    )
    op.create_index(
        "ix_contractclause_organisation_id", "contractclause", ["organisation_id"]
    )
    op.create_index("ix_contractclause_contract_id", "contractclause", ["contract_id"])
    with op.batch_alter_table("scoreresult") as batch:
        batch.add_column(
            sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("finding") as batch:
        batch.add_column(
            sa.Column("severity_reason", sqlmodel.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("severity_reason")
    with op.batch_alter_table("scoreresult") as batch:
        batch.drop_column("provisional")
    op.drop_index("ix_contractclause_contract_id", table_name="contractclause")
    op.drop_index("ix_contractclause_organisation_id", table_name="contractclause")
    op.drop_table("contractclause")
