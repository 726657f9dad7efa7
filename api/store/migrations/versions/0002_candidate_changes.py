"""candidate change log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:40:00

One row per candidate whose findable profile may have changed, appended in the transaction of
the change; server processes apply the rows past the last one they saw (api/pool.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_changes",
        # BIGINT on PostgreSQL (a sequence that outlives 2^31 writes); SQLite's INTEGER
        # PRIMARY KEY is its 64-bit rowid.
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        # SQLite: AUTOINCREMENT, so a sequence number is never reused once pruning empties
        # the log (a plain rowid would start again after the largest remaining one).
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("candidate_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_changes_at"), ["at"], unique=False)
    # Writers lock the ``candidates`` counter's row to append to the log in commit order
    # (api.store.Store.log_changes): it must exist before two of them race to create it.
    for name in ("candidates", "candidate_changes_pruned"):
        op.execute(sa.text("INSERT INTO counters (name, value) SELECT :name, 0 WHERE NOT EXISTS "
                           "(SELECT 1 FROM counters WHERE name = :name)").bindparams(name=name))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM counters WHERE name = 'candidate_changes_pruned'"))
    with op.batch_alter_table("candidate_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_changes_at"))
    op.drop_table("candidate_changes")
