"""Data survives a restart, and a ``kill -9`` during writes loses no committed write."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from matcher import Engine
from tests.api.conftest import (
    FORKLIFT,
    Keys,
    Server,
    admin_key,
    api_settings,
    free_port,
)
from tests.api.test_flows import seeker_with_credential


def test_restart_keeps_all_data(engine: Engine, tmp_path: Path) -> None:
    check_restart_keeps_all_data(engine, api_settings(engine, tmp_path / "svc"))


def check_restart_keeps_all_data(engine: Engine, settings: Any) -> None:
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        keys = Keys()
        for role in ("issuer", "employer", "job_seeker", "platform", "admin"):
            keys[role] = client.app.state.store.create_key(role, role, f"{role}-o")[1]
        me = seeker_with_credential(client, keys)
        client.post("/v1/me/candidate/skills", json={"uri": FORKLIFT},
                    headers=keys.headers("job_seeker"))
        req = client.post("/v1/requirements", json={"skills": [{"uri": FORKLIFT}]},
                          headers=keys.headers("employer")).json()
        client.post("/v1/search", json={"requirement_id": req["id"]},
                    headers=keys.headers("employer"))
        before = client.get("/v1/me/candidate/export", headers=keys.headers("job_seeker")).json()
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        after = client.get("/v1/me/candidate/export", headers=keys.headers("job_seeker")).json()
        assert after["candidate"] == before["candidate"]
        assert len(after["audit"]) == 1
        assert client.get(f"/v1/requirements/{req['id']}",
                          headers=keys.headers("employer")).status_code == 200
        r = client.post("/v1/search", json={"requirement_id": req["id"]},
                        headers=keys.headers("employer"))
        assert [c["candidate_id"] for c in r.json()["results"]] == [me["id"]]
        creds = client.get("/v1/credentials", headers=keys.headers("issuer")).json()
        assert len(creds) == 1 and creds[0]["links"]


def test_kill_9_during_writes_loses_no_committed_data(server_home: Path) -> None:
    check_kill_9(server_home, None)


def check_kill_9(server_home: Path, database_url: str | None) -> None:
    admin = admin_key(server_home, database_url)
    server = Server(server_home, free_port(), database_url).start()
    try:
        h = {"X-API-Key": admin}
        employer = httpx.post(server.url + "/v1/keys", json={"role": "employer", "name": "e"},
                              headers=h).json()["key"]
        acknowledged: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def write() -> None:
            with httpx.Client(base_url=server.url, timeout=5,
                              headers={"X-API-Key": employer}) as c:
                while not stop.is_set():
                    try:
                        r = c.post("/v1/requirements",
                                   json={"skills": [{"uri": FORKLIFT}], "title": "t"})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        with lock:
                            acknowledged.append(r.json()["id"])

        writers = [threading.Thread(target=write) for _ in range(4)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # SIGKILL while the writers are still sending
        stop.set()
        for w in writers:
            w.join(10)
        assert len(acknowledged) >= 50
        server.start()
        stored = httpx.get(server.url + "/v1/requirements", timeout=10,
                           headers={"X-API-Key": employer}).json()
        missing = set(acknowledged) - {r["id"] for r in stored}
        assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        server.stop()
