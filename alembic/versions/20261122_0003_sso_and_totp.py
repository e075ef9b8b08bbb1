"""per-organisation OIDC settings and single-use TOTP codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("oidc_issuer", sqlmodel.AutoString(length=500), nullable=True))
        batch.add_column(sa.Column("oidc_client_id", sqlmodel.AutoString(length=255), nullable=True))
        batch.add_column(
            sa.Column("oidc_client_secret", sqlmodel.AutoString(length=500), nullable=True)
        )
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("totp_last_step")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("oidc_client_secret")
        batch.drop_column("oidc_client_id")
        batch.drop_column("oidc_issuer")
