"""Text at the boundary (issue 13, rows 3 and 7): a lone surrogate in any text field of any
route is a 422 naming the field, and nothing poisoned is stored, so suggestions keep working;
a batch of ads with over-long fields imports the good ads and reports the bad ones, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from matcher import Engine
from tests.api.conftest import (
    FORKLIFT,
    FORKLIFT_OPERATOR,
    Keys,
    ads_sample,
    api_settings,
    credential_doc,
    make_keys,
)
from tests.api.test_flows import seeker_with_credential

BAD = "X\udfffY"


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, engine: Engine,
         tmp_path: Path) -> Iterator[tuple[TestClient, Keys]]:
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    app = create_app(engine=engine, settings=api_settings(engine, tmp_path / "svc", url))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, make_keys(app.state.store)


def bodies(state: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role, method, path, a valid body) for every route that takes a JSON body."""
    cred, ad = state["credential"], ads_sample()[0]
    ad["employer"] = {"name": "Lindgården"}
    ad["occupation"] = {"label": "Undersköterska"}
    ad["workplace_address"] = {"municipality": "Malmö", "region": "Skåne"}
    ad["publication_date"] = "2026-10-14T08:00:00"
    requirement = {"title": "Truck", "skills": [{"uri": FORKLIFT}], "must_have": [FORKLIFT],
                   "weights": {FORKLIFT: 2}}
    return [
        ("admin", "POST", "/v1/keys", {"role": "employer", "name": "n", "owner": "o"}),
        ("employer", "POST", "/v1/map", {"texts": ["köra truck"], "lang": "sv"}),
        ("issuer", "POST", "/v1/credentials", {"kind": "issued",
                                               "document": credential_doc("urn:x:2")}),
        ("issuer", "PATCH", f"/v1/credentials/{cred}/links/{state['link']}",
         {"state": "confirmed"}),
        ("issuer", "POST", f"/v1/credentials/{cred}/links", {"outcome_index": 0,
                                                             "uri": FORKLIFT}),
        ("job_seeker", "POST", "/v1/me/candidate", {"contact": {"email": "a@b.se",
                                                                "phone": "040-12345"}}),
        ("job_seeker", "PATCH", "/v1/me/candidate", {"contact": {"email": "a@b.se",
                                                                 "phone": "040-12345"}}),
        ("job_seeker", "POST", "/v1/me/candidate/credentials", {"claim_code": "abcdefghij"}),
        ("job_seeker", "POST", "/v1/me/candidate/credentials",
         {"credential": credential_doc("urn:x:3")}),
        ("job_seeker", "POST", "/v1/me/candidate/skills", {"uri": FORKLIFT}),
        ("employer", "POST", "/v1/requirements", requirement),
        ("employer", "POST", "/v1/requirements", {"ad_text": "Du kör truck.",
                                                  "title": "t"}),
        ("employer", "POST", "/v1/requirements", {"occupation": FORKLIFT_OPERATOR}),
        ("employer", "POST", "/v1/search", {"requirement": requirement}),
        ("employer", "POST", "/v1/search", {"requirement_id": "r_1"}),
        ("platform", "POST", "/v1/ads", {"ads": [ad]}),
    ]


def poisoned(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(dotted path, a copy of ``value`` with that text field poisoned) for every text field
    and every key of an object."""
    if isinstance(value, str):
        yield ".".join(path), value[:1] + BAD
    elif isinstance(value, dict):
        for key, item in value.items():
            for where, bad in poisoned(item, (*path, key)):
                yield where, {**value, key: bad}
            yield ".".join((*path, key + BAD)), {**{k: v for k, v in value.items() if k != key},
                                                 key + BAD: item}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for where, bad in poisoned(item, (*path, str(i))):
                yield where, [*value[:i], bad, *value[i + 1:]]


def send(client: TestClient, method: str, path: str, body: Any,
         headers: dict[str, str]) -> Any:
    # json.dumps writes a lone surrogate as its \\udfff escape, as a hostile client would
    return client.request(method, path, content=json.dumps(body).encode(),
                          headers=headers | {"content-type": "application/json"})


def test_a_surrogate_in_every_text_field_of_every_route_is_422(
        site: tuple[TestClient, Keys]) -> None:
    client, keys = site
    me = seeker_with_credential(client, keys)
    cred = client.get("/v1/credentials", headers=keys.headers("issuer")).json()[0]
    state = {"credential": cred["id"], "link": cred["links"][0]["id"]}
    checked = 0
    for role, method, path, body in bodies(state):
        for where, bad in poisoned(body):
            r = send(client, method, path, bad, keys.headers(role))
            assert r.status_code == 422, (method, path, where, r.status_code, r.text)
            out = r.json()
            # the field named, a key's bad characters shown as U+FFFD (the answer is UTF-8)
            shown = where.replace(BAD, "X" + "\ufffd" * 3 + "Y")
            assert out["error"] == "invalid_request" and out["field"] == shown, (where, out)
            assert "surrogate" in out["message"]
            checked += 1
    assert checked > 60
    # Nothing was stored: suggestions, the profile, ads and the audit log all still answer.
    seeker = keys.headers("job_seeker")
    assert client.get("/v1/me/suggestions", headers=seeker).status_code == 200
    assert client.get("/v1/me/candidate", headers=seeker).json()["id"] == me["id"]
    assert client.get("/v1/ads", headers=keys.headers("platform")).json() == []
    assert client.get("/v1/audit", headers=keys.headers("admin")).status_code == 200
    # a character outside the BMP (a valid surrogate pair in JSON) is text, and fine
    r = send(client, "POST", "/v1/map", {"texts": ["truck \U0001F69C"]},
             keys.headers("employer"))
    assert r.status_code == 200, r.text


def test_surrogate_in_an_ad_never_breaks_suggestions(site: tuple[TestClient, Keys]) -> None:
    client, keys = site
    seeker_with_credential(client, keys)
    good, bad = ads_sample()[:2]
    bad["employer"] = {"name": BAD}
    r = send(client, "POST", "/v1/ads", {"ads": [good, bad]}, keys.headers("platform"))
    assert r.status_code == 422 and r.json()["field"] == "ads.1.employer.name"
    r = client.post("/v1/ads", json={"ads": [good]}, headers=keys.headers("platform"))
    assert r.status_code == 200 and len(r.json()["imported"]) == 1
    r = client.get("/v1/me/suggestions", headers=keys.headers("job_seeker"))
    assert r.status_code == 200 and r.json()["ads_source"] == "platforms"


def test_long_ad_fields_skip_only_the_bad_ads(site: tuple[TestClient, Keys]) -> None:
    client, keys = site
    good, long_id, long_headline, long_employer = ads_sample()[:3] + [ads_sample()[0]]
    long_id["id"] = "x" * 301
    long_headline["headline"] = "H" * 2001
    long_employer["id"], long_employer["employer"] = "other", {"name": "E" * 501}
    r = client.post("/v1/ads", json={"ads": [good, long_id, long_headline, long_employer]},
                    headers=keys.headers("platform"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert [a["external_id"] for a in out["imported"]] == [good["id"]]
    assert [e["field"] for e in out["errors"]] == ["ads.1.id", "ads.2.headline",
                                                   "ads.3.employer.name"]
    assert "301 characters; at most 300" in out["errors"][0]["message"]
    assert len(client.get("/v1/ads", headers=keys.headers("platform")).json()) == 1


def test_an_import_whose_every_ad_is_refused_is_a_422(site: tuple[TestClient, Keys]) -> None:
    """A platform must not read 'nothing imported' as success: a 422 names the first refused
    ad and its field, and the ads already stored stay as they were."""
    client, keys = site
    good, no_text, long_id = ads_sample()[:3]
    assert client.post("/v1/ads", json={"ads": [good]},
                       headers=keys.headers("platform")).status_code == 200
    no_text.pop("description")
    long_id["id"] = "x" * 301
    r = client.post("/v1/ads", json={"ads": [no_text, long_id]},
                    headers=keys.headers("platform"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "ads.0.description.text"
    assert body["message"].startswith("no ad imported: ad #0: description.text is missing")
    assert "1 more ad(s) refused" in body["message"]
    stored = client.get("/v1/ads", headers=keys.headers("platform")).json()
    assert [a["external_id"] for a in stored] == [good["id"]]


def test_an_ad_the_database_refuses_is_skipped_alone(site: tuple[TestClient, Keys],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Were a check to miss something the database refuses (here: the headline limit raised
    past the column's 2,000 characters), that ad alone is rolled back and reported."""
    import matcher.jobs

    client, keys = site
    monkeypatch.setattr(matcher.jobs, "MAX_HEADLINE_CHARS", 5000)
    first, too_long, last = ads_sample()[:3]
    too_long["headline"] = "H" * 2001
    r = client.post("/v1/ads", json={"ads": [first, too_long, last]},
                    headers=keys.headers("platform"))
    assert r.status_code == 200, r.text
    out = r.json()
    stored = {a["external_id"] for a in client.get("/v1/ads",
                                                   headers=keys.headers("platform")).json()}
    if client.get("/v1/health").json()["database"] == "postgresql":
        assert {a["external_id"] for a in out["imported"]} == {first["id"], last["id"]}
        assert [e["field"] for e in out["errors"]] == ["ads.1"]
        assert "database refused" in out["errors"][0]["message"]
        assert stored == {first["id"], last["id"]}
    else:  # SQLite does not enforce VARCHAR lengths: all three are stored
        assert stored == {first["id"], too_long["id"], last["id"]}
