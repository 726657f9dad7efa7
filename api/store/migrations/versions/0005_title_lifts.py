"""credential titles as evidence of an occupation; a saved requirement's occupation

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:30:00

- ``held_credentials.title_names``: the occupations the credential's title comes close to
  (:func:`matcher.title_names.title_names`: ``[{uri, closeness, lexical}, …]``), worked out
  with the model when the credential is added, so the pool builds title lifts without it.
  NULL on rows added before (the migration cannot run the model): their titles lift nothing
  until ``matcher db title-names`` works them out.
- ``requirement_profiles.occupation``: the ESCO occupation a saved requirement was built
  from (its candidates are lifted by titles that point to it, as in a direct search).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("held_credentials") as batch_op:
        batch_op.add_column(sa.Column("title_names", sa.JSON(), nullable=True))
    with op.batch_alter_table("requirement_profiles") as batch_op:
        batch_op.add_column(sa.Column("occupation", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requirement_profiles") as batch_op:
        batch_op.drop_column("occupation")
    with op.batch_alter_table("held_credentials") as batch_op:
        batch_op.drop_column("title_names")
