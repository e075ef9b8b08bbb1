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


def _auto_resend_nullable(nullable: bool) -> None:
    """On SQLite, batch mode would rebuild `vendor`, and dropping a table that other rows point
    at fails with foreign keys on inside the migration's transaction. Adding or dropping NOT NULL
    changes no stored row, so SQLite's documented shortcut for it is used instead: edit the
    table's schema text and bump the schema version (sqlite.org/lang_altertable.html)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("vendor", "auto_resend", existing_type=sa.Boolean(), nullable=nullable)
        return
    strict, loose = "auto_resend BOOLEAN NOT NULL", "auto_resend BOOLEAN"
    old, new = (strict, loose) if nullable else (loose + ",", strict + ",")
    schema = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vendor'")
    ).scalar_one()
    if old not in schema:
        raise RuntimeError(f"vendor.auto_resend is not declared as expected: {old!r}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'vendor'"),
        {"sql": schema.replace(old, new, 1)},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


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
    _auto_resend_nullable(True)
    # "Off" used to mean "whatever the organisation says": keep that meaning.
    op.execute("UPDATE vendor SET auto_resend = NULL WHERE auto_resend = false")


def downgrade() -> None:
    op.execute("UPDATE vendor SET auto_resend = false WHERE auto_resend IS NULL")
    _auto_resend_nullable(False)
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint("fk_assessment_reviewer_id_user", type_="foreignkey")
        batch.drop_index("ix_assessment_reviewer_id")
        batch.drop_column("reviewer_id")
