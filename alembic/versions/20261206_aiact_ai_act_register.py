"""the buyer's own AI Act view per AI system, provider records, review decisions

Adds the buyer's classification, Annex III use, role and fundamental rights impact assessment to
each AI system; provider records with their name variants (existing free-text model and cloud
provider names become records); and the decisions recorded on a review.

Revision ID: aiact
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "aiact"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWN = ("in-house", "in house", "inhouse", "own ", "proprietary")


def _clean(name: object) -> str | None:
    """A provider name as the register compares it; None for blanks and the vendor's own."""
    if not isinstance(name, str):
        return None
    clean = " ".join(name.split())[:300]
    lowered = clean.lower()
    if not clean or lowered.startswith(_OWN) or " own " in f" {lowered} ":
        return None
    return clean


def upgrade() -> None:
    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.AutoString(length=300), nullable=False),
        sa.Column("lei", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("parent_name", sqlmodel.AutoString(length=300), nullable=True),
        sa.Column("parent_lei", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("country", sqlmodel.AutoString(length=2), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    with op.batch_alter_table("provider") as batch:
        batch.create_index("ix_provider_organisation_id", ["organisation_id"], unique=False)
        batch.create_index("ix_provider_lei", ["lei"], unique=False)
    op.create_table(
        "providername",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.AutoString(length=300), nullable=False),
        sa.Column("name", sqlmodel.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "key"),
    )
    with op.batch_alter_table("providername") as batch:
        batch.create_index("ix_providername_organisation_id", ["organisation_id"], unique=False)
        batch.create_index("ix_providername_provider_id", ["provider_id"], unique=False)
    op.create_table(
        "reviewdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("rationale", sqlmodel.AutoString(length=4000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reviewdecision") as batch:
        batch.create_index("ix_reviewdecision_organisation_id", ["organisation_id"], unique=False)
        batch.create_index("ix_reviewdecision_vendor_id", ["vendor_id"], unique=False)
        batch.create_index("ix_reviewdecision_assessment_id", ["assessment_id"], unique=False)
    with op.batch_alter_table("aisystem") as batch:
        batch.add_column(sa.Column("buyer_risk_class", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("annex_iii_use", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("buyer_role", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("fria_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("fria_outcome", sqlmodel.AutoString(length=2000), nullable=True))
        batch.add_column(sa.Column("fria_link", sqlmodel.AutoString(length=500), nullable=True))
        batch.add_column(sa.Column("model_provider_id", sa.Integer(), nullable=True))
        batch.create_index("ix_aisystem_buyer_risk_class", ["buyer_risk_class"], unique=False)
        batch.create_index("ix_aisystem_model_provider_id", ["model_provider_id"], unique=False)
        batch.create_foreign_key(
            "fk_aisystem_model_provider_id_provider", "provider", ["model_provider_id"], ["id"]
        )
    _providers_from_free_text()


def _providers_from_free_text() -> None:
    """Every model and cloud provider name already typed becomes a record of its organisation
    (one per spelling; the buyer links variants afterwards), and AI systems point at theirs."""
    conn = op.get_bind()
    meta = sa.MetaData()
    vendor = sa.Table("vendor", meta, autoload_with=conn)
    aisystem = sa.Table("aisystem", meta, autoload_with=conn)
    provider = sa.Table("provider", meta, autoload_with=conn)
    providername = sa.Table("providername", meta, autoload_with=conn)
    names: dict[tuple[int, str], str] = {}
    for org_id, clouds in conn.execute(sa.select(vendor.c.organisation_id, vendor.c.cloud_providers)):
        for cloud in clouds or ():
            if (clean := _clean(cloud)) is not None:
                names.setdefault((org_id, clean.casefold()), clean)
    systems = conn.execute(
        sa.select(aisystem.c.id, vendor.c.organisation_id, aisystem.c.model_provider).join(
            vendor, vendor.c.id == aisystem.c.vendor_id
        )
    ).all()
    for _, org_id, model_provider in systems:
        if (clean := _clean(model_provider)) is not None:
            names.setdefault((org_id, clean.casefold()), clean)
    ids: dict[tuple[int, str], int] = {}
    now = sa.func.current_timestamp()
    for (org_id, key), name in sorted(names.items()):
        provider_id = conn.execute(
            provider.insert()
            .values(organisation_id=org_id, name=name, created_at=now)
            .returning(provider.c.id)
        ).scalar_one()
        conn.execute(
            providername.insert().values(
                organisation_id=org_id, provider_id=provider_id, key=key, name=name
            )
        )
        ids[(org_id, key)] = provider_id
    for system_id, org_id, model_provider in systems:
        clean = _clean(model_provider)
        if clean is not None:
            conn.execute(
                aisystem.update()
                .where(aisystem.c.id == system_id)
                .values(model_provider_id=ids[(org_id, clean.casefold())])
            )


def downgrade() -> None:
    with op.batch_alter_table("aisystem") as batch:
        batch.drop_constraint("fk_aisystem_model_provider_id_provider", type_="foreignkey")
        batch.drop_index("ix_aisystem_model_provider_id")
        batch.drop_index("ix_aisystem_buyer_risk_class")
        for column in (
            "model_provider_id",
            "fria_link",
            "fria_outcome",
            "fria_date",
            "buyer_role",
            "annex_iii_use",
            "buyer_risk_class",
        ):
            batch.drop_column(column)
    op.drop_table("reviewdecision")
    op.drop_table("providername")
    op.drop_table("provider")
