"""API keys (issue 13, rows 5 and 8): an admin cannot mint a key that acts as an existing
person, and a revoked key is refused at once by another server process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ServiceSettings
from matcher import Engine
from tests.api.conftest import Keys, Server, free_port, make_keys
from tests.api.test_flows import seeker_with_credential


def test_admin_cannot_mint_a_key_that_acts_as_a_person(client: TestClient, keys: Keys) -> None:
    me = seeker_with_credential(client, keys, contact={"email": "amina@example.se"},
                                share=False)
    admin = keys.headers("admin")
    for role in ("job_seeker", "employer", "issuer", "platform", "admin"):
        r = client.post("/v1/keys", json={"role": role, "name": "support",
                                          "owner": "job_seeker-owner"}, headers=admin)
        assert r.status_code == 409, (role, r.text)
        assert r.json()["field"] == "owner" and "job seeker" in r.json()["message"]
    # a person without a key left (profile still there) is still theirs alone
    r = client.post("/v1/keys", json={"role": "employer", "name": "x", "owner": "employer-owner"},
                    headers=admin)
    assert r.status_code == 201  # an organisation's second key of the same role
    r = client.post("/v1/keys", json={"role": "issuer", "name": "x", "owner": "employer-owner"},
                    headers=admin)
    assert r.status_code == 409 and "employer" in r.json()["message"]
    # nothing about the person leaked, and no key other than their own reads their profile
    keys_now = client.get("/v1/keys", headers=admin).json()
    assert [k["role"] for k in keys_now if k["owner"] == "job_seeker-owner"] == ["job_seeker"]
    assert client.get("/v1/me", headers=keys.headers("employer")).json()["candidate_id"] is None
    assert client.get("/v1/me", headers=keys.headers("job_seeker")).json()["candidate_id"] == \
        me["id"]


def test_a_deleted_keyless_person_is_not_taken_over(client: TestClient, keys: Keys,
                                                    store: Any) -> None:
    """A candidate profile whose owner has no live key is still a person."""
    from sqlalchemy import update

    from api.store.models import ApiKey

    seeker_with_credential(client, keys)
    with store.session() as session:
        session.execute(update(ApiKey).where(ApiKey.owner == "job_seeker-owner")
                        .values(owner="moved"))
    r = client.post("/v1/keys", json={"role": "job_seeker", "name": "x",
                                      "owner": "job_seeker-owner"},
                    headers=keys.headers("admin"))
    assert r.status_code == 409


def test_revoked_key_is_refused_at_once_by_another_process(
        engine: Engine, server_home: Path, tmp_path: Path) -> None:
    """Server A (in this process) revokes; server B (a second process on the same database)
    refuses the key on the very next request, as does a revocation with the CLI."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    settings = ServiceSettings(home=tmp_path / "a", model="hashing", database_url=url)
    with TestClient(create_app(engine=engine, settings=settings)) as a:
        keys = make_keys(a.app.state.store)  # type: ignore[attr-defined]
        victim = a.app.state.store.create_key("employer", "victim", "employer-owner")  # type: ignore[attr-defined]
        other = a.app.state.store.create_key("employer", "cli victim", "employer-owner")  # type: ignore[attr-defined]
        b = Server(server_home, free_port(), database_url=url).start()
        try:
            h = {"X-API-Key": victim[1]}
            for _ in range(20):  # B has seen (and, before issue 13, cached) the key
                assert httpx.get(b.url + "/v1/me", headers=h).status_code == 200
            assert a.delete(f"/v1/keys/{victim[0].id}",
                            headers=keys.headers("admin")).status_code == 204
            r = httpx.get(b.url + "/v1/me", headers=h)
            assert r.status_code == 401 and r.json()["error"] == "unauthorized"
            # the CLI's revocation (another process again) holds at once on A and B
            h2 = {"X-API-Key": other[1]}
            assert httpx.get(b.url + "/v1/me", headers=h2).status_code == 200
            assert a.get("/v1/me", headers=h2).status_code == 200
            import os
            import subprocess
            import sys

            env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_DATABASE_URL": url}
            subprocess.run([sys.executable, "-m", "matcher.cli", "keys", "revoke",
                            str(other[0].id)], env=env, check=True, capture_output=True)
            assert httpx.get(b.url + "/v1/me", headers=h2).status_code == 401
            assert a.get("/v1/me", headers=h2).status_code == 401
        finally:
            b.stop()
