"""verifiable credentials: issuer keys, status lists, credential statuses, wallet uploads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:00:00

Issue 15: issuers sign OB 3.0 / EDC exports with an Ed25519 key (issuer_keys), revoke through a
Bitstring Status List they control (status_lists, credential_statuses); a job seeker's held
credential keeps the signed original, the verifier's verdict and the status entry it names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("did", sa.String(length=200), nullable=False),
        sa.Column("private_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("did"),
        sa.UniqueConstraint("owner"),
    )
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("encoded", sa.Text(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "credential_statuses",
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["list_id"], ["status_lists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("credential_id"),
    )
    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signed", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("verification", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("status_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_held_credentials_status_url"), ["status_url"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_credentials_status_url"))
        for column in ("revoked_at", "status_index", "status_url", "verification", "signed",
                       "source"):
            batch_op.drop_column(column)
    op.drop_table("credential_statuses")
    op.drop_table("status_lists")
    op.drop_table("issuer_keys")
