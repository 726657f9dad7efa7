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
from api.store import Store
from matcher import Engine, Settings
from tests.fixtures.esco_mini import OCC, SKILL

ROLES = ("issuer", "employer", "job_seeker", "platform", "admin")
DEMO = Path(__file__).resolve().parents[2] / "matcher" / "demo_data"


def api_settings(engine: Engine, home: Path, database_url: str | None = None) -> Settings:
    return Settings(home=home, model="hashing", database_url=database_url,
                    max_body_bytes=200_000)


@pytest.fixture()
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return api_settings(engine, tmp_path / "svc")


@pytest.fixture()
def app(engine: Engine, settings: Settings) -> Any:
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
