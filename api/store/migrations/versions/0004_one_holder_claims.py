"""one holder per issued credential; claim codes that stay spent and expire; no stored
lone surrogates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 14:00:00

- ``credentials.claimed_at``: set when the claim code is used (and never unset), so a code
  cannot be used again after the holder removes the credential or deletes their profile.
  Backfilled from the first holder's ``added_at``.
- ``credentials.claim_expires_at``: a code not used by then is refused. Codes unused at the
  upgrade get :data:`UNUSED_CODE_DAYS` days from the upgrade (their issue date is the
  credential's, but the learner may not have been told that the code now expires).
- ``uq_held_credentials_credential``: at most one holder per issued credential. Before it is
  created, an issued credential held by several people (claimed in a race, issue 13) stays
  verified for its first holder (the lowest row id: the first claim committed); every later
  holder keeps the credential as an *unverified* document with the links it showed them (as
  when an issuer withdraws a credential) and their profile is logged as changed. Nothing is
  deleted.
- Text with a lone UTF-16 surrogate in a JSON column (stored through the standard library's
  encoder before the service refused it, issue 13) is repaired: each lone surrogate becomes
  U+FFFD, so reading the row can no longer fail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNUSED_CODE_DAYS = 90
# JSON columns that take text from requests: (table, primary key, column).
JSON_COLUMNS = (
    ("job_ads", "id", "document"), ("job_ads", "id", "requirements"),
    ("credentials", "id", "document"), ("held_credentials", "id", "document"),
    ("held_credentials", "id", "links"), ("candidates", "id", "contact"),
    ("requirement_profiles", "id", "requirements"), ("audit_log", "id", "requirement"),
)


def _clean(value: Any) -> Any:
    """``value`` with every lone surrogate replaced by U+FFFD (valid pairs are joined)."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _repair_surrogates(conn: sa.Connection) -> None:
    for table, key, column in JSON_COLUMNS:
        # Lone surrogates can only have been stored as \\udXXX escapes (the fallback encoder
        # writes ASCII): look at those rows only. ESCAPE '!' keeps the backslash literal in
        # both SQLite and PostgreSQL.
        rows = conn.execute(sa.text(
            f"SELECT {key}, CAST({column} AS TEXT) FROM {table} "  # noqa: S608 - constants
            f"WHERE CAST({column} AS TEXT) LIKE :pattern ESCAPE '!'"),
            {"pattern": "%\\ud%"}).all()
        for row_id, text in rows:
            value = json.loads(text)
            cleaned = _clean(value)
            if cleaned != value:
                conn.execute(sa.text(f"UPDATE {table} SET {column} = :value "  # noqa: S608
                                     f"WHERE {key} = :id"),
                             {"value": json.dumps(cleaned, ensure_ascii=False), "id": row_id})


def _demote_later_holders(conn: sa.Connection) -> None:
    duplicated = conn.execute(sa.text(
        "SELECT credential_id FROM held_credentials WHERE credential_id IS NOT NULL "
        "GROUP BY credential_id HAVING COUNT(*) > 1")).scalars().all()
    changed: list[str] = []
    for credential_id in duplicated:
        links = [{"outcome_index": o, "uri": u, "label": lb, "confidence": c, "state": s,
                  "reason": r}
                 for o, u, lb, c, s, r in conn.execute(sa.text(
                     "SELECT outcome_index, skill_uri, label, confidence, state, reason "
                     "FROM credential_links WHERE credential_id = :c ORDER BY id"),
                     {"c": credential_id})]
        later = conn.execute(sa.text(
            "SELECT id, candidate_id FROM held_credentials WHERE credential_id = :c "
            "ORDER BY id"), {"c": credential_id}).all()[1:]
        for held_id, candidate_id in later:
            conn.execute(sa.text(
                "UPDATE held_credentials SET credential_id = NULL, verified = :f, "
                "links = :links WHERE id = :id"),
                {"f": False, "links": json.dumps(links, ensure_ascii=False), "id": held_id})
            changed.append(candidate_id)
    if changed:
        now = datetime.now(UTC)
        conn.execute(sa.text("UPDATE counters SET value = value + 1 WHERE name = 'candidates'"))
        conn.execute(sa.text("INSERT INTO candidate_changes (candidate_id, at) VALUES (:c, :at)")
                     .bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                     [{"c": c, "at": now} for c in dict.fromkeys(changed)])


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claim_expires_at", sa.DateTime(timezone=True),
                                      nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE credentials SET claimed_at = (SELECT MIN(h.added_at) FROM held_credentials h "
        "WHERE h.credential_id = credentials.id) WHERE kind = 'issued' AND EXISTS "
        "(SELECT 1 FROM held_credentials h WHERE h.credential_id = credentials.id)"))
    conn.execute(sa.text(
        "UPDATE credentials SET claim_expires_at = :at WHERE kind = 'issued' "
        "AND claimed_at IS NULL AND claim_hash IS NOT NULL")
        .bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
        {"at": datetime.now(UTC) + timedelta(days=UNUSED_CODE_DAYS)})
    _demote_later_holders(conn)
    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_held_credentials_credential", ["credential_id"])
    _repair_surrogates(conn)


def downgrade() -> None:
    with op.batch_alter_table("held_credentials", schema=None) as batch_op:
        batch_op.drop_constraint("uq_held_credentials_credential", type_="unique")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("claim_expires_at")
        batch_op.drop_column("claimed_at")
