"""account lifecycle: password resets, server-side sessions, token scopes, colleague invitations,
OIDC client secrets encrypted at rest

Existing API tokens keep working as read-and-write tokens that now expire 90 days after this
upgrade; existing clear OIDC client secrets are encrypted with the server's secret key.

Revision ID: accounts
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "accounts"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passwordreset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("passwordreset") as batch:
        batch.create_index(batch.f("ix_passwordreset_token_hash"), ["token_hash"], unique=True)
        batch.create_index(batch.f("ix_passwordreset_user_id"), ["user_id"], unique=False)

    op.create_table(
        "browsersession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("browsersession") as batch:
        batch.create_index(batch.f("ix_browsersession_key_hash"), ["key_hash"], unique=True)
        batch.create_index(batch.f("ix_browsersession_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("apitoken") as batch:
        batch.add_column(
            sa.Column(
                "scope",
                sa.String(length=16),
                nullable=False,
                server_default="write",  # what every existing token could do
            )
        )
    with op.batch_alter_table("apitoken") as batch:
        batch.alter_column("scope", server_default=None)
    apitoken = sa.table(
        "apitoken",
        sa.column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    op.execute(
        apitoken.update()
        .where(apitoken.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=90))
    )

    with op.batch_alter_table("invitation") as batch:
        batch.add_column(
            sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )

    _seal_clear_oidc_secrets()


def _seal_clear_oidc_secrets() -> None:
    """Encrypt the client secrets stored in clear, with the key of the server that migrates."""
    organisation = sa.table(
        "organisation", sa.column("id", sa.Integer()), sa.column("oidc_client_secret", sa.String())
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(organisation.c.id, organisation.c.oidc_client_secret).where(
            organisation.c.oidc_client_secret.is_not(None), organisation.c.oidc_client_secret != ""
        )
    ).all()
    if not rows:
        return
    from app.auth.secret_box import is_sealed, seal
    from app.config import get_settings

    server_secret = get_settings().resolved_secret_key()
    for org_id, stored in rows:
        if is_sealed(stored, server_secret=server_secret):
            continue
        bind.execute(
            organisation.update()
            .where(organisation.c.id == org_id)
            .values(oidc_client_secret=seal(stored, server_secret=server_secret))
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("revoked_at")
    with op.batch_alter_table("apitoken") as batch:
        batch.drop_column("scope")
    with op.batch_alter_table("browsersession") as batch:
        batch.drop_index(batch.f("ix_browsersession_user_id"))
        batch.drop_index(batch.f("ix_browsersession_key_hash"))
    op.drop_table("browsersession")
    with op.batch_alter_table("passwordreset") as batch:
        batch.drop_index(batch.f("ix_passwordreset_user_id"))
        batch.drop_index(batch.f("ix_passwordreset_token_hash"))
    op.drop_table("passwordreset")
