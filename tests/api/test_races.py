"""Races and one-time codes (issue 13, rows 1, 2 and 6): concurrent requests on SQLite (one
app) and PostgreSQL (two apps on one database, as two servers), released together by a
barrier. One issued credential has one holder, a claim code stays spent, and a race that a
database constraint settles is a 409 with the JSON error body, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from matcher import Engine
from tests.api.conftest import FORKLIFT, Keys, api_settings, make_keys
from tests.api.test_flows import issue

N = 10


@pytest.fixture(params=["sqlite", "postgresql"])
def clients(request: pytest.FixtureRequest, engine: Engine,
            tmp_path: Path) -> Iterator[tuple[list[TestClient], Keys]]:
    """SQLite: one app. PostgreSQL: two apps (two servers) on one database."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    count = 2 if url else 1
    with ExitStack() as stack:
        apps = [create_app(engine=engine, settings=api_settings(engine, tmp_path / "svc", url))
                for _ in range(count)]
        clients = [stack.enter_context(TestClient(a, raise_server_exceptions=False))
                   for a in apps]
        yield clients, make_keys(apps[0].state.store)


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls in threads, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def seekers(client: TestClient, count: int) -> list[dict[str, str]]:
    """``count`` job seekers, each with a key and a candidate profile."""
    store: Any = client.app.state.store  # type: ignore[attr-defined]
    headers = []
    for i in range(count):
        secret = store.create_key("job_seeker", f"seeker {i}", owner=f"seeker-{i}")[1]
        h = {"X-API-Key": secret}
        assert client.post("/v1/me/candidate", json={}, headers=h).status_code == 201
        headers.append(h)
    return headers


def statuses(responses: list[httpx.Response]) -> list[int]:
    for r in responses:
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            body = r.json()
            assert set(body) == {"error", "message", "field"} and body["message"], body
    return sorted(r.status_code for r in responses)


def test_concurrent_claims_have_exactly_one_winner(
        clients: tuple[list[TestClient], Keys]) -> None:
    apps, keys = clients
    code = issue(apps[0], keys)["claim_code"]
    people = seekers(apps[0], N)
    responses = at_once([partial(apps[i % len(apps)].post, "/v1/me/candidate/credentials",
                                 json={"claim_code": code}, headers=h)
                         for i, h in enumerate(people)])
    assert statuses(responses) == [201] + [409] * (N - 1)
    assert all(r.json()["field"] == "claim_code" for r in responses if r.status_code == 409)
    holders = [h for h in people
               if apps[0].get("/v1/me/candidate", headers=h).json()["credentials"]]
    assert len(holders) == 1


def test_claim_code_stays_spent_after_removal_and_deletion(
        clients: tuple[list[TestClient], Keys]) -> None:
    apps, keys = clients
    client = apps[0]
    code = issue(client, keys)["claim_code"]
    first, second, third = seekers(client, 3)
    r = client.post("/v1/me/candidate/credentials", json={"claim_code": code}, headers=first)
    assert r.status_code == 201 and r.json()["verified"]
    # the holder removes the credential: the code does not work again, for anyone
    assert client.delete(f"/v1/me/candidate/credentials/{r.json()['id']}",
                         headers=first).status_code == 204
    for h in (second, first):
        r = apps[-1].post("/v1/me/candidate/credentials", json={"claim_code": code}, headers=h)
        assert r.status_code == 409 and "already been used" in r.json()["message"], r.text
    # a holder who deletes their profile does not free the code either
    code2 = issue(client, keys, "urn:test:cred:2")["claim_code"]
    assert client.post("/v1/me/candidate/credentials", json={"claim_code": code2},
                       headers=second).status_code == 201
    assert client.delete("/v1/me/candidate", headers=second).status_code == 204
    r = client.post("/v1/me/candidate/credentials", json={"claim_code": code2}, headers=third)
    assert r.status_code == 409
    assert client.get("/v1/me/candidate", headers=third).json()["credentials"] == []


def test_concurrent_profile_creation_and_skill_declaration_give_409(
        clients: tuple[list[TestClient], Keys]) -> None:
    apps, keys = clients
    h = keys.headers("job_seeker")
    responses = at_once([partial(apps[i % len(apps)].post, "/v1/me/candidate", json={},
                                 headers=h) for i in range(8)])
    assert statuses(responses) == [201] + [409] * 7
    responses = at_once([partial(apps[i % len(apps)].post, "/v1/me/candidate/skills",
                                 json={"uri": FORKLIFT}, headers=h) for i in range(8)])
    codes = statuses(responses)
    # Declaring is idempotent: those that saw the skill already answer 201 with the profile;
    # a race lost at the database is a 409 naming the skill, never a 500.
    assert 201 in codes and set(codes) <= {201, 409}
    assert all(r.json()["field"] == "uri" for r in responses if r.status_code == 409)
    declared = apps[0].get("/v1/me/candidate", headers=h).json()["declared_skills"]
    assert declared == [FORKLIFT]


def test_claim_code_expires_and_the_issuer_can_renew_it(engine: Engine, tmp_path: Path) -> None:
    settings = api_settings(engine, tmp_path / "svc")
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        keys = make_keys(client.app.state.store)  # type: ignore[attr-defined]
        cred = issue(client, keys)
        assert cred["claim_expires_at"] and not cred["claimed"]
        store: Any = client.app.state.store  # type: ignore[attr-defined]
        with store.engine.begin() as conn:
            from sqlalchemy import text

            conn.execute(text("UPDATE credentials SET claim_expires_at = '2001-01-01 00:00:00'"))
        (h,) = seekers(client, 1)
        r = client.post("/v1/me/candidate/credentials", json={"claim_code": cred["claim_code"]},
                        headers=h)
        assert r.status_code == 410 and "expired" in r.json()["message"]
        renewed = client.post(f"/v1/credentials/{cred['id']}/claim-code",
                              headers=keys.headers("issuer"))
        assert renewed.status_code == 200 and renewed.json()["claim_code"] != cred["claim_code"]
        r = client.post("/v1/me/candidate/credentials", json={"claim_code": cred["claim_code"]},
                        headers=h)
        assert r.status_code == 404  # the old code is gone
        r = client.post("/v1/me/candidate/credentials",
                        json={"claim_code": renewed.json()["claim_code"]}, headers=h)
        assert r.status_code == 201 and r.json()["verified"]
        again = client.post(f"/v1/credentials/{cred['id']}/claim-code",
                            headers=keys.headers("issuer"))
        assert again.status_code == 409 and "already claimed" in again.json()["message"]


def test_update_racing_a_deletion_is_never_a_500(
        clients: tuple[list[TestClient], Keys]) -> None:
    """A profile changed while another request deletes it: 200, 204, 404 or 409 (found by
    schemathesis with concurrent workers: StaleDataError was a 500)."""
    apps, keys = clients
    h = keys.headers("job_seeker")
    for _ in range(3):
        assert apps[0].post("/v1/me/candidate", json={}, headers=h).status_code == 201
        calls = [partial(apps[i % len(apps)].patch, "/v1/me/candidate",
                         json={"consent": bool(i % 2)}, headers=h) for i in range(6)]
        calls += [partial(apps[0].delete, "/v1/me/candidate", headers=h) for _ in range(2)]
        assert set(statuses(at_once(calls))) <= {200, 204, 404, 409}
