"""The store on a real PostgreSQL server: migrations, the main flows, restart and kill -9.

Runs against a throwaway cluster started by the ``postgres`` fixture (skipped, saying why,
only when the PostgreSQL server binaries are not installed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.store import Store
from matcher import Engine
from tests.api.conftest import FORKLIFT, FORKLIFT_OPERATOR, Keys, api_settings
from tests.api.test_durability import check_kill_9, check_restart_keeps_all_data
from tests.api.test_flows import seeker_with_credential
from tests.api.test_pool import check_deltas


def test_migrations_on_postgres(pg_url: str) -> None:
    store = Store(pg_url)
    assert store.dialect == "postgresql" and "+psycopg" in store.url
    store.upgrade()
    store.upgrade()  # idempotent
    assert store.current_revision() == "0005"
    row, secret = store.create_key("employer", "pg", owner="o")
    assert store.find_key(secret).id == row.id  # type: ignore[union-attr]
    store.dispose()


def test_flow_on_postgres(engine: Engine, tmp_path: Path, pg_url: str) -> None:
    settings = api_settings(engine, tmp_path / "svc", pg_url)
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        assert client.get("/v1/health").json()["database"] == "postgresql"
        keys = Keys()
        for role in ("issuer", "employer", "job_seeker", "platform", "admin"):
            keys[role] = client.app.state.store.create_key(role, role, f"{role}-o")[1]
        me = seeker_with_credential(client, keys)
        r = client.post("/v1/search", json={"requirement": {"occupation": FORKLIFT_OPERATOR,
                                                            "must_have": [FORKLIFT]}},
                        headers=keys.headers("employer"))
        assert [c["candidate_id"] for c in r.json()["results"]] == [me["id"]]
        audit = client.get("/v1/me/audit", headers=keys.headers("job_seeker")).json()
        assert audit[0]["action"] == "candidate_search"
        assert client.delete("/v1/me/candidate", headers=keys.headers("job_seeker")
                             ).status_code == 204


def test_restart_on_postgres(engine: Engine, tmp_path: Path, pg_url: str) -> None:
    check_restart_keeps_all_data(engine, api_settings(engine, tmp_path / "svc", pg_url))


def test_kill_9_on_postgres(server_home: Path, pg_url: str) -> None:
    check_kill_9(server_home, pg_url)


def test_change_log_deltas_on_postgres(engine: Engine, tmp_path: Path, pg_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    check_deltas(engine, tmp_path, monkeypatch, pg_url)
