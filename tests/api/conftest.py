"""API fixtures: an app on the tiny taxonomy with the hashing embedder, a fresh SQLite store
per test, and one API key per role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ServiceSettings
from api.store import Store
from matcher import Engine
from tests.fixtures.esco_mini import OCC, SKILL

ROLES = ("issuer", "employer", "job_seeker", "platform", "admin")
DEMO = Path(__file__).resolve().parents[2] / "matcher" / "demo_data"


def api_settings(engine: Engine, home: Path,
                 database_url: str | None = None) -> ServiceSettings:
    # Quotas far above what the tests send (tests/api/test_quotas.py checks the quotas).
    return ServiceSettings(home=home, model="hashing", database_url=database_url,
                           max_body_bytes=200_000, rate_limit="100000/minute",
                           mapping_rate_limit="100000000/minute")


@pytest.fixture()
def settings(engine: Engine, tmp_path: Path) -> ServiceSettings:
    return api_settings(engine, tmp_path / "svc")


@pytest.fixture()
def app(engine: Engine, settings: ServiceSettings) -> Any:
    return create_app(engine=engine, settings=settings)


@pytest.fixture()
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


class Keys(dict[str, str]):
    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self[role]}"}


@pytest.fixture()
def keys(store: Store) -> Keys:
    out = Keys()
    for role in ROLES:
        _, secret = store.create_key(role, f"test {role}", owner=f"{role}-owner")
        out[role] = secret
    return out


def credential_doc(cid: str = "urn:test:cred:1", *, issued: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": cid,
        "title": "Truckkörning A och B",
        "awarding_body": {"name": "Komvux Testby", "id": "urn:test:issuer:komvux"},
        "issuer_country": "SE",
        "issuer_region": "Skåne",
        "language": "sv",
        "learning_outcomes": ["Deltagaren kan köra gaffeltruck",
                              "Deltagaren kan kontrollera truckar före användning"],
        "workload": {"hours": 40},
        "assessment_type": "Praktiskt prov",
        "participation_form": "onsite",
        "quality_assurance": "Intern granskning",
    }
    if issued:
        doc |= {"learner": {"id": "urn:test:learner:1"}, "issued_on": "2026-05-01"}
    return doc


def ads_sample() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DEMO / "ads.jsonl").read_text().splitlines()[:3]]


FORKLIFT = SKILL + "forklift"
DEMENTIA = SKILL + "dementia"
FORKLIFT_OPERATOR = OCC + "forklift-operator"


# -- a real server in a subprocess (durability and browser tests) ----------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server_home(mini_taxonomy: Any, tmp_path: Path) -> Path:
    """A MATCHER_HOME with the tiny taxonomy imported (the server runs the hashing model)."""
    from matcher.taxonomy import save_taxonomy

    home = tmp_path / "server-home"
    save_taxonomy(mini_taxonomy, home / "taxonomy")
    return home


class Server:
    """``matcher serve`` in a subprocess on a free loopback port."""

    def __init__(self, home: Path, port: int, database_url: str | None = None,
                 workers: int = 1) -> None:
        self.home, self.port, self.database_url = home, port, database_url
        self.workers = workers
        self.url = f"http://127.0.0.1:{port}"
        self.process: Any = None

    def start(self, timeout: float = 60.0) -> Server:
        import os
        import subprocess
        import sys
        import time

        import httpx

        env = {**os.environ, "MATCHER_HOME": str(self.home), "MATCHER_MODEL": "hashing"}
        if self.database_url:
            env["MATCHER_DATABASE_URL"] = self.database_url
        log = (self.home / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.home / 'server.log').read_text()}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        import signal

        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:  # noqa: BLE001
                self.kill()


def admin_key(home: Path, database_url: str | None = None) -> str:
    """Create an admin key in the server's store, as `matcher keys create` does."""
    settings = ServiceSettings(home=home, model="hashing", database_url=database_url)
    store = Store(settings.store_url)
    store.upgrade()
    _, secret = store.create_key("admin", "tests", owner="admin-owner")
    store.dispose()
    return secret


# -- a throwaway PostgreSQL server -----------------------------------------------------------
def _pg_bin() -> Path | None:
    import shutil

    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL cluster of its own (initdb + pg_ctl on a free loopback port), for the
    session; yields a URL template with ``{db}`` for the database name. Skips when the server
    binaries are absent (Debian: ``apt-get install -y postgresql``), except under CI."""
    import os
    import pwd
    import subprocess

    bin_dir = _pg_bin()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        message = ("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's "
                   "'postgresql' package to run the PostgreSQL tests")
        if os.environ.get("CI"):  # .ci/run installs it: there, a missing server is a failure
            pytest.fail(message)
        pytest.skip(message)
    import shutil
    import tempfile

    # Not under pytest's tmp dir: that one is private to the user running the tests, and the
    # server may run as another user.
    root = Path(tempfile.mkdtemp(prefix="meritmatch-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the 'postgres' user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL")
        for path in (root, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    init = subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U",
                           "meritmatch", "--auth=trust", "-E", "UTF8", "--no-sync"],
                          capture_output=True, text=True)
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr or init.stdout}")
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                    "-l", str(root / "server.log"), "-o",
                    f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=on",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://meritmatch@127.0.0.1:{port}/{{db}}"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def pg_url(postgres: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    import re

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    with psycopg.connect(postgres.format(db="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres.format(db=name)


# -- the app on a real socket, in this process ------------------------------------------------
class LiveServer:
    """uvicorn in a thread serving ``app`` on a free loopback port."""

    def __init__(self, app: Any) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def make_keys(store: Store) -> Keys:
    keys = Keys()
    for role in ROLES:
        keys[role] = store.create_key(role, f"test {role}", owner=f"{role}-owner")[1]
    return keys
