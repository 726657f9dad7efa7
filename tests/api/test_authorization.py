"""The authorization matrix: every route × every role, no key and a wrong key.

Each route is called by each role against a store holding one of everything; the role the
route is for gets its success status, every other role 403, no key and a wrong key 401. The
test fails when a route exists that the matrix does not list, so new routes must be added.
Then: no leak of a non-consenting candidate, of another person's profile or of another
issuer's credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import DEMENTIA, FORKLIFT, FORKLIFT_OPERATOR, ROLES, Keys, ads_sample
from tests.api.test_flows import issue, seeker_with_credential

ALL = set(ROLES)
State = dict[str, Any]


def setup_state(client: TestClient, keys: Keys) -> State:
    """One of everything: a credential (claimed by the job seeker), a requirement, an ad."""
    me = seeker_with_credential(client, keys)
    cred = client.get("/v1/credentials", headers=keys.headers("issuer")).json()[0]
    req = client.post("/v1/requirements", json={"occupation": FORKLIFT_OPERATOR},
                      headers=keys.headers("employer")).json()
    ad = ads_sample()[0]
    ad["description"]["text"] = "Du kör gaffeltruck."
    imported = client.post("/v1/ads", json={"ads": [ad]}, headers=keys.headers("platform"))
    key_id = client.get("/v1/keys", headers=keys.headers("admin")).json()[-1]["id"]
    held_id = me["credentials"][0]["id"]
    badge = client.post(f"/v1/credentials/{cred['id']}/export",
                        headers=keys.headers("issuer")).json()
    issuer_key = client.get("/v1/issuer-key", headers=keys.headers("issuer")).json()
    return {"candidate": me["id"], "credential": cred["id"], "link": cred["links"][0]["id"],
            "requirement": req["id"], "ad": imported.json()["imported"][0]["id"],
            "key": key_id, "held": held_id, "badge": badge,
            "list": badge["credentialStatus"]["statusListCredential"].rsplit("/", 1)[-1],
            "issuer_key": issuer_key["jwks"].rsplit("/", 2)[-2]}


Call = Callable[[TestClient, dict[str, str], State], Any]

# (method, path as in the OpenAPI schema) → (roles admitted, success status, the call)
MATRIX: dict[tuple[str, str], tuple[set[str], int, Call]] = {
    ("GET", "/v1/health"): (ALL, 200, lambda c, h, s: c.get("/v1/health", headers=h)),
    ("GET", "/v1/me"): (ALL, 200, lambda c, h, s: c.get("/v1/me", headers=h)),
    ("POST", "/v1/keys"): ({"admin"}, 201, lambda c, h, s: c.post(
        "/v1/keys", json={"role": "employer", "name": "x"}, headers=h)),
    ("GET", "/v1/keys"): ({"admin"}, 200, lambda c, h, s: c.get("/v1/keys", headers=h)),
    ("DELETE", "/v1/keys/{key_id}"): ({"admin"}, 204, lambda c, h, s: c.delete(
        f"/v1/keys/{s['key']}", headers=h)),
    ("GET", "/v1/audit"): ({"admin"}, 200, lambda c, h, s: c.get("/v1/audit", headers=h)),
    ("GET", "/v1/taxonomy/skills"): (ALL, 200, lambda c, h, s: c.get(
        "/v1/taxonomy/skills", params={"q": "truck"}, headers=h)),
    ("GET", "/v1/taxonomy/occupations"): (ALL, 200, lambda c, h, s: c.get(
        "/v1/taxonomy/occupations", params={"q": "truck"}, headers=h)),
    ("GET", "/v1/taxonomy/concept"): (ALL, 200, lambda c, h, s: c.get(
        "/v1/taxonomy/concept", params={"uri": FORKLIFT_OPERATOR}, headers=h)),
    ("POST", "/v1/map"): (ALL, 200, lambda c, h, s: c.post(
        "/v1/map", json={"texts": ["köra truck"]}, headers=h)),
    ("POST", "/v1/credentials"): ({"issuer"}, 201, lambda c, h, s: c.post(
        "/v1/credentials", json={"kind": "offering", "document": _offering()}, headers=h)),
    ("GET", "/v1/credentials"): ({"issuer"}, 200, lambda c, h, s: c.get(
        "/v1/credentials", headers=h)),
    ("GET", "/v1/credentials/{credential_id}"): ({"issuer"}, 200, lambda c, h, s: c.get(
        f"/v1/credentials/{s['credential']}", headers=h)),
    ("DELETE", "/v1/credentials/{credential_id}"): ({"issuer"}, 204, lambda c, h, s: c.delete(
        f"/v1/credentials/{s['credential']}", headers=h)),
    ("PATCH", "/v1/credentials/{credential_id}/links/{link_id}"): (
        {"issuer"}, 200, lambda c, h, s: c.patch(
            f"/v1/credentials/{s['credential']}/links/{s['link']}",
            json={"state": "confirmed"}, headers=h)),
    ("POST", "/v1/credentials/{credential_id}/links"): ({"issuer"}, 201, lambda c, h, s: c.post(
        f"/v1/credentials/{s['credential']}/links", json={"outcome_index": 0, "uri": DEMENTIA},
        headers=h)),
    ("POST", "/v1/credentials/{credential_id}/claim-code"): (
        {"issuer"}, 409, lambda c, h, s: c.post(  # the job seeker has claimed it
            f"/v1/credentials/{s['credential']}/claim-code", headers=h)),
    ("POST", "/v1/me/candidate"): ({"job_seeker"}, 409, lambda c, h, s: c.post(
        "/v1/me/candidate", json={}, headers=h)),  # the job seeker already has one
    ("GET", "/v1/me/candidate"): ({"job_seeker"}, 200, lambda c, h, s: c.get(
        "/v1/me/candidate", headers=h)),
    ("PATCH", "/v1/me/candidate"): ({"job_seeker"}, 200, lambda c, h, s: c.patch(
        "/v1/me/candidate", json={"consent": False}, headers=h)),
    ("DELETE", "/v1/me/candidate"): ({"job_seeker"}, 204, lambda c, h, s: c.delete(
        "/v1/me/candidate", headers=h)),
    ("GET", "/v1/me/candidate/export"): ({"job_seeker"}, 200, lambda c, h, s: c.get(
        "/v1/me/candidate/export", headers=h)),
    ("POST", "/v1/me/candidate/credentials"): ({"job_seeker"}, 404, lambda c, h, s: c.post(
        "/v1/me/candidate/credentials", json={"claim_code": "no-such-code"}, headers=h)),
    ("DELETE", "/v1/me/candidate/credentials/{held_id}"): (
        {"job_seeker"}, 204, lambda c, h, s: c.delete(
            f"/v1/me/candidate/credentials/{s['held']}", headers=h)),
    ("POST", "/v1/me/candidate/skills"): ({"job_seeker"}, 201, lambda c, h, s: c.post(
        "/v1/me/candidate/skills", json={"uri": DEMENTIA}, headers=h)),
    ("DELETE", "/v1/me/candidate/skills"): ({"job_seeker"}, 404, lambda c, h, s: c.delete(
        "/v1/me/candidate/skills", params={"uri": DEMENTIA}, headers=h)),  # not declared
    ("GET", "/v1/me/audit"): ({"job_seeker"}, 200, lambda c, h, s: c.get(
        "/v1/me/audit", headers=h)),
    ("GET", "/v1/me/suggestions"): ({"job_seeker"}, 200, lambda c, h, s: c.get(
        "/v1/me/suggestions", headers=h)),
    ("POST", "/v1/requirements"): ({"employer"}, 201, lambda c, h, s: c.post(
        "/v1/requirements", json={"skills": [{"uri": FORKLIFT}]}, headers=h)),
    ("GET", "/v1/requirements"): ({"employer"}, 200, lambda c, h, s: c.get(
        "/v1/requirements", headers=h)),
    ("GET", "/v1/requirements/{requirement_id}"): ({"employer"}, 200, lambda c, h, s: c.get(
        f"/v1/requirements/{s['requirement']}", headers=h)),
    ("DELETE", "/v1/requirements/{requirement_id}"): (
        {"employer"}, 204, lambda c, h, s: c.delete(
            f"/v1/requirements/{s['requirement']}", headers=h)),
    ("POST", "/v1/search"): ({"employer"}, 200, lambda c, h, s: c.post(
        "/v1/search", json={"requirement_id": s["requirement"]}, headers=h)),
    ("GET", "/v1/candidates/{candidate_id}"): ({"employer"}, 200, lambda c, h, s: c.get(
        f"/v1/candidates/{s['candidate']}", headers=h)),
    ("GET", "/v1/searches"): ({"employer"}, 200, lambda c, h, s: c.get(
        "/v1/searches", headers=h)),
    ("POST", "/v1/ads"): ({"platform"}, 200, lambda c, h, s: c.post(
        "/v1/ads", json={"ads": ads_sample()[:1]}, headers=h)),
    ("GET", "/v1/ads"): ({"platform"}, 200, lambda c, h, s: c.get("/v1/ads", headers=h)),
    ("DELETE", "/v1/ads/{ad_id}"): ({"platform"}, 204, lambda c, h, s: c.delete(
        f"/v1/ads/{s['ad']}", headers=h)),
}
MATRIX |= {
    ("POST", "/v1/credentials/{credential_id}/export"): ({"issuer"}, 200, lambda c, h, s: c.post(
        f"/v1/credentials/{s['credential']}/export", params={"format": "elm"}, headers=h)),
    ("POST", "/v1/credentials/{credential_id}/revoke"): ({"issuer"}, 200, lambda c, h, s: c.post(
        f"/v1/credentials/{s['credential']}/revoke", headers=h)),
    ("GET", "/v1/issuer-key"): ({"issuer"}, 200, lambda c, h, s: c.get(
        "/v1/issuer-key", headers=h)),
    ("GET", "/v1/status-lists/{list_id}"): (ALL, 200, lambda c, h, s: c.get(
        f"/v1/status-lists/{s['list']}", headers=h)),
    ("GET", "/v1/issuers/{key_id}/jwks"): (ALL, 200, lambda c, h, s: c.get(
        f"/v1/issuers/{s['issuer_key']}/jwks", headers=h)),
    ("POST", "/v1/me/candidate/credentials/verifiable"): (
        {"job_seeker"}, 201, lambda c, h, s: c.post(
            "/v1/me/candidate/credentials/verifiable", json={"document": s["badge"]},
            headers=h)),
}
# Verifiers elsewhere read these without a key.
PUBLIC = {("GET", "/v1/health"), ("GET", "/v1/status-lists/{list_id}"),
          ("GET", "/v1/issuers/{key_id}/jwks")}


def _offering() -> dict[str, Any]:
    from tests.api.conftest import credential_doc

    return credential_doc("urn:test:offering:matrix", issued=False)


def test_matrix_lists_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    routes = {(method.upper(), path) for path, item in schema["paths"].items()
              for method in item}
    assert routes == set(MATRIX), (routes ^ set(MATRIX))


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_by_every_caller(route: tuple[str, str], client: TestClient, keys: Keys) -> None:
    admitted, success, call = MATRIX[route]
    state = setup_state(client, keys)
    expected = {role: (success if role in admitted else 403) for role in ROLES}
    callers: list[tuple[str, dict[str, str], int]] = [
        ("no key", {}, 200 if route in PUBLIC else 401),
        ("wrong key", {"Authorization": "Bearer mm_not-a-key"}, 200 if route in PUBLIC else 401),
    ]
    # the admitted role last: its call may delete what the others were refused
    for role in sorted(ROLES, key=lambda r: r in admitted):
        callers.append((role, keys.headers(role), expected[role]))
    seen = {}
    for name, headers, _status in callers:
        r = call(client, headers, state)
        seen[name] = r.status_code
        if r.status_code >= 400:
            assert set(r.json()) == {"error", "message", "field"}, r.text
    assert seen == {name: status for name, _, status in callers}


def test_no_leak_of_others(client: TestClient, keys: Keys, store: Any) -> None:
    mine = seeker_with_credential(client, keys, contact={"phone": "040-123456"})
    _, seeker2 = store.create_key("job_seeker", "other", owner="seeker-2")
    other = client.post("/v1/me/candidate", json={"consent": False},
                        headers={"X-API-Key": seeker2}).json()
    client.post("/v1/me/candidate/skills", json={"uri": FORKLIFT},
                headers={"X-API-Key": seeker2})
    # a job seeker sees only their own profile, export and audit
    got = client.get("/v1/me/candidate", headers={"X-API-Key": seeker2}).json()
    assert got["id"] == other["id"] and mine["id"] not in str(got)
    export = client.get("/v1/me/candidate/export", headers={"X-API-Key": seeker2}).text
    assert mine["id"] not in export and "040-123456" not in export
    # employers: the non-consenting candidate is never found, viewed or named
    e = keys.headers("employer")
    for body in ({"requirement": {"skills": [{"uri": FORKLIFT}]}, "top_k": 100},
                 {"requirement": {"occupation": FORKLIFT_OPERATOR}, "top_k": 100}):
        r = client.post("/v1/search", json=body, headers=e)
        assert other["id"] not in r.text and "040-123456" not in r.text
    assert client.get(f"/v1/candidates/{other['id']}", headers=e).status_code == 404
    audit = client.get("/v1/audit", headers=keys.headers("admin")).text
    assert other["id"] not in audit
    # withdrawing consent hides a candidate at once
    client.patch("/v1/me/candidate", json={"consent": False}, headers=keys.headers("job_seeker"))
    r = client.post("/v1/search", json={"requirement": {"skills": [{"uri": FORKLIFT}]}},
                    headers=e)
    assert r.json()["results"] == []
    assert client.get(f"/v1/candidates/{mine['id']}", headers=e).status_code == 404
    # another issuer cannot see or change the first issuer's credential
    _, issuer2 = store.create_key("issuer", "other school", owner="issuer-2")
    cred = issue(client, keys, "urn:test:cred:2")
    h2 = {"X-API-Key": issuer2}
    assert client.get(f"/v1/credentials/{cred['id']}", headers=h2).status_code == 404
    assert client.get("/v1/credentials", headers=h2).json() == []
    assert client.patch(f"/v1/credentials/{cred['id']}/links/{cred['links'][0]['id']}",
                        json={"state": "rejected"}, headers=h2).status_code == 404
    assert client.delete(f"/v1/credentials/{cred['id']}", headers=h2).status_code == 404
    # a revoked key stops working at once
    keys_list = client.get("/v1/keys", headers=keys.headers("admin")).json()
    kid = next(k["id"] for k in keys_list if k["owner"] == "seeker-2")
    client.delete(f"/v1/keys/{kid}", headers=keys.headers("admin"))
    assert client.get("/v1/me", headers={"X-API-Key": seeker2}).status_code == 401
