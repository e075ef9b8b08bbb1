"""the buyer's own AI Act classification per AI system

Revision ID: aiact
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "aiact"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("aisystem") as batch:
        batch.add_column(sa.Column("buyer_risk_class", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("annex_iii_use", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("buyer_role", sa.String(length=10), nullable=True))
        batch.create_index("ix_aisystem_buyer_risk_class", ["buyer_risk_class"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aisystem") as batch:
        batch.drop_index("ix_aisystem_buyer_risk_class")
        batch.drop_column("buyer_role")
        batch.drop_column("annex_iii_use")
        batch.drop_column("buyer_risk_class")
