"""Migration 0004 on data written before it (issue 13): an issued credential held by several
people (a race the old code lost) keeps its first holder verified and the others keep it
unverified; a claim code already used stays spent; an ad stored with a lone surrogate is
repaired; nothing is deleted. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from api.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path / 'old.db'}"


def test_upgrade_keeps_data_and_settles_duplicate_holders(url: str) -> None:
    store = Store(url)
    store.upgrade("0002")
    now = "2026-11-01 10:00:00"
    poisoned = '{"id": "a1", "headline": "H", "employer": {"name": "X\\udfffY"}}'
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO credentials (id, owner, kind, external_id, title, document, claim_hash,"
            " created_at, updated_at) VALUES "
            "(1, 'iss', 'issued', 'c1', 'T', '{}', 'h1', :t, :t),"
            "(2, 'iss', 'issued', 'c2', 'T', '{}', 'h2', :t, :t)"), {"t": now})
        conn.execute(text(
            "INSERT INTO credential_links (id, credential_id, outcome_index, skill_uri, label, "
            "confidence, reason, state) VALUES (1, 1, 0, 'urn:s', 'S', 0.9, 'r', 'confirmed')"))
        for i in range(3):
            conn.execute(text(
                "INSERT INTO candidates (id, owner, consent, share_contact, created_at, "
                "updated_at) VALUES (:id, :o, :t1, :f, :t, :t)"),
                {"id": f"c_{i}", "o": f"o{i}", "t1": True, "f": False, "t": now})
            conn.execute(text(
                "INSERT INTO held_credentials (candidate_id, credential_id, verified, document, "
                "links, added_at) VALUES (:c, 1, :v, '{}', '[]', :t)"),
                {"c": f"c_{i}", "v": True, "t": now})
        conn.execute(text(
            "INSERT INTO job_ads (owner, external_id, headline, document, requirements, "
            "imported_at) VALUES ('p', 'a1', 'H', :doc, '[]', :t)"), {"doc": poisoned, "t": now})
    store.upgrade()
    assert store.current_revision() == "0005"  # and on to the head
    with store.engine.connect() as conn:
        held = conn.execute(text("SELECT candidate_id, credential_id, verified, "
                                 "CAST(links AS TEXT) FROM held_credentials ORDER BY id")).all()
        creds = dict(conn.execute(text("SELECT id, claimed_at IS NOT NULL FROM credentials")
                                  ).all())
        expiring = conn.scalar(text("SELECT COUNT(*) FROM credentials "
                                    "WHERE claim_expires_at IS NOT NULL"))
        changed = set(conn.scalars(text("SELECT candidate_id FROM candidate_changes")))
        doc = conn.scalar(text("SELECT CAST(document AS TEXT) FROM job_ads"))
    assert [(c, cid, bool(v)) for c, cid, v, _ in held] == [
        ("c_0", 1, True), ("c_1", None, False), ("c_2", None, False)]
    assert all(json.loads(links)[0]["uri"] == "urn:s" for *_, links in held[1:])
    assert changed == {"c_1", "c_2"}
    assert creds == {1: True, 2: False} and expiring == 1
    assert json.loads(doc)["employer"]["name"] == "X\ufffdY"
    store.dispose()
