"""Quotas and the mapping pool (issue 13, row 4): a key over its request or mapping quota
gets 429 with Retry-After; a request's texts are capped; mapping runs in its own bounded
pool, so searches are answered while every mapping thread is busy, and mapping requests
past the pool's queue get 503 at once instead of piling up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from matcher import Engine
from tests.api.conftest import FORKLIFT, Keys, api_settings, make_keys


@contextmanager
def site(engine: Engine, tmp_path: Path, **limits: Any) -> Iterator[tuple[TestClient, Keys]]:
    settings = api_settings(engine, tmp_path / "svc").model_copy(update=limits)
    with TestClient(create_app(engine=engine, settings=settings),
                    raise_server_exceptions=False) as client:
        yield client, make_keys(client.app.state.store)  # type: ignore[attr-defined]


def refused(r: Any, status: int) -> None:
    assert r.status_code == status, r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert set(r.json()) == {"error", "message", "field"} and r.json()["message"]


def test_request_quota_per_key(engine: Engine, tmp_path: Path) -> None:
    with site(engine, tmp_path, rate_limit="5/minute") as (client, keys):
        for _ in range(5):
            assert client.get("/v1/me", headers=keys.headers("employer")).status_code == 200
        r = client.get("/v1/me", headers=keys.headers("employer"))
        refused(r, 429)
        assert "5 requests per minute" in r.json()["message"]
        # another key has its own quota
        assert client.get("/v1/me", headers=keys.headers("issuer")).status_code == 200


def test_counting_requests_does_not_start_a_thread_per_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """limits' MemoryStorage starts a timer thread on most hits; ours cleans up at most once
    a second, and the quota still counts every request."""
    from api.bulkhead import Quotas

    started = []

    class Counting(threading.Timer):
        def start(self) -> None:
            started.append(self)
            super().start()

    # A day's window: a minute's fixed window can turn over during the loop and count only
    # the hits since (CI saw 49 of 50 once).
    quotas = Quotas("1000/day", "1000/day")
    monkeypatch.setattr(threading, "Timer", Counting)
    for _ in range(50):
        quotas.request(1)
        time.sleep(0.002)  # past MemoryStorage's 10 ms timer every few hits
    assert len(started) <= 1
    stats = quotas._limiter.get_window_stats(quotas.requests, "requests", "1")
    assert stats.remaining == 1000 - 50


def test_mapping_quota_and_caps(engine: Engine, tmp_path: Path) -> None:
    with site(engine, tmp_path, mapping_rate_limit="3000/minute") as (client, keys):
        h = keys.headers("employer")
        text = "Deltagaren kan köra gaffeltruck säkert. " * 50  # 2,000 characters
        assert client.post("/v1/map", json={"texts": [text[:2000]]}, headers=h
                           ).status_code == 200
        refused(client.post("/v1/map", json={"texts": [text[:2000]]}, headers=h), 429)
        # an ad text in a requirement counts against the same quota
        refused(client.post("/v1/requirements", json={"ad_text": text[:2000]}, headers=h), 429)
        # searches need no mapping and go on
        r = client.post("/v1/search", json={"requirement": {"skills": [{"uri": FORKLIFT}]}},
                        headers=h)
        assert r.status_code == 200
        # caps per request: 100 texts, 2,000 characters each, 20,000 in all
        r = client.post("/v1/map", json={"texts": [text[:2000]] * 11},
                        headers=keys.headers("issuer"))
        assert r.status_code == 422 and "at most 20,000 per request" in r.json()["message"]


@pytest.fixture()
def blocked_mapping(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """map_outcomes waits for the event: the mapping pool stays busy until it is set."""
    release, started = threading.Event(), threading.Event()
    original = engine.map_outcomes

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "map_outcomes", slow)
    yield release, started
    release.set()


def test_mapping_pool_is_a_bulkhead(engine: Engine, tmp_path: Path,
                                    blocked_mapping: Any) -> None:
    release, started = blocked_mapping
    with site(engine, tmp_path, mapping_threads=1, mapping_queue=1, threads=2) as (client, keys):
        h = keys.headers("issuer")
        results: list[int] = []

        def heavy() -> None:
            results.append(client.post("/v1/map", json={"texts": ["köra truck"]},
                                       headers=h).status_code)

        workers = [threading.Thread(target=heavy) for _ in range(2)]  # one runs, one waits
        for w in workers:
            w.start()
        assert started.wait(10)
        pool = client.app.state.mapping_pool  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while pool.active < 2 and time.monotonic() < deadline:  # the second one is queued
            time.sleep(0.01)
        # the pool (1 thread) and its queue (1) are full: the next is refused at once
        refused(client.post("/v1/map", json={"texts": ["köra truck"]}, headers=h), 503)
        # ...and searches still have both request threads while mapping is stuck
        for _ in range(5):
            r = client.post("/v1/search", json={"requirement": {"skills": [{"uri": FORKLIFT}]}},
                            headers=keys.headers("employer"))
            assert r.status_code == 200
        release.set()
        for w in workers:
            w.join(30)
        assert results == [200, 200]
