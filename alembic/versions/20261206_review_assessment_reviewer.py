"""every assessment has an assigned reviewer (existing ones default to the vendor's owner); a
vendor's automatic re-sending may follow the organisation's default for its tier (NULL)

Revision ID: review
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "review"
down_revision: str | None = "findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("reviewer_id", sa.Integer(), nullable=True))
        batch.create_index("ix_assessment_reviewer_id", ["reviewer_id"])
        batch.create_foreign_key(
            "fk_assessment_reviewer_id_user", "user", ["reviewer_id"], ["id"]
        )
    op.execute(
        "UPDATE assessment SET reviewer_id = "
        "(SELECT vendor.owner_id FROM vendor WHERE vendor.id = assessment.vendor_id)"
    )
    with op.batch_alter_table("vendor") as batch:
        batch.alter_column("auto_resend", existing_type=sa.Boolean(), nullable=True)
    # "Off" used to mean "whatever the organisation says": keep that meaning.
    op.execute("UPDATE vendor SET auto_resend = NULL WHERE auto_resend = false")


def downgrade() -> None:
    op.execute("UPDATE vendor SET auto_resend = false WHERE auto_resend IS NULL")
    with op.batch_alter_table("vendor") as batch:
        batch.alter_column("auto_resend", existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint("fk_assessment_reviewer_id_user", type_="foreignkey")
        batch.drop_index("ix_assessment_reviewer_id")
        batch.drop_column("reviewer_id")
