"""score results keep the claimed maturity; findings carry their framework and a closing note

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scoreresult") as batch:
        batch.add_column(sa.Column("claimed_maturity", sa.Float(), nullable=True))
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("framework", sqlmodel.AutoString(length=20), nullable=True))
        batch.add_column(sa.Column("note", sqlmodel.AutoString(length=2000), nullable=True))
        batch.create_index(batch.f("ix_finding_framework"), ["framework"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_index(batch.f("ix_finding_framework"))
        batch.drop_column("note")
        batch.drop_column("framework")
    with op.batch_alter_table("scoreresult") as batch:
        batch.drop_column("claimed_maturity")
