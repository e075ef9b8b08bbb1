"""vendors record why they are not or hardly substitutable (RoI B_07.01 c0060)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vendor") as batch:
        batch.add_column(
            sa.Column("substitutability_reason", sqlmodel.AutoString(length=8), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("vendor") as batch:
        batch.drop_column("substitutability_reason")
