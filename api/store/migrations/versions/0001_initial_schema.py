"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 14:41:06.985216
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_owner"), ["owner"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("actor_owner", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("requirement", sa.JSON(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_owner"), ["actor_owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "candidates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("share_contact", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner"),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("claim_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_hash"),
        sa.UniqueConstraint("owner", "external_id", name="uq_credentials_owner_ext"),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credentials_owner"), ["owner"], unique=False)

    op.create_table(
        "job_ads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("headline", sa.String(length=2000), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "external_id", name="uq_job_ads_owner_ext"),
    )
    with op.batch_alter_table("job_ads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_ads_owner"), ["owner"], unique=False)

    op.create_table(
        "requirement_profiles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("requirement_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_profiles_owner"), ["owner"], unique=False)

    op.create_table(
        "audit_subjects",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit_log.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audit_id", "candidate_id"),
    )
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_subjects_candidate", ["candidate_id", "audit_id"], unique=False
        )

    op.create_table(
        "credential_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("outcome_index", sa.Integer(), nullable=False),
        sa.Column("skill_uri", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=2000), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_links_credential_id"), ["credential_id"], unique=False
        )

    op.create_table(
        "declared_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("skill_uri", sa.String(length=300), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "skill_uri", name="uq_declared_skill"),
    )
    with op.batch_alter_table("declared_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declared_skills_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "held_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_held_credentials_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_held_credentials_credential_id"), ["credential_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_credentials_credential_id"))
        batch_op.drop_index(batch_op.f("ix_held_credentials_candidate_id"))

    op.drop_table("held_credentials")
    with op.batch_alter_table("declared_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declared_skills_candidate_id"))

    op.drop_table("declared_skills")
    with op.batch_alter_table("credential_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_links_credential_id"))

    op.drop_table("credential_links")
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_subjects_candidate")

    op.drop_table("audit_subjects")
    with op.batch_alter_table("requirement_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_profiles_owner"))

    op.drop_table("requirement_profiles")
    with op.batch_alter_table("job_ads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_ads_owner"))

    op.drop_table("job_ads")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_owner"))

    op.drop_table("credentials")
    op.drop_table("counters")
    op.drop_table("candidates")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_owner"))

    op.drop_table("audit_log")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_owner"))

    op.drop_table("api_keys")
