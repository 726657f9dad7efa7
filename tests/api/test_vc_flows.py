"""Verifiable credentials through the service (issue 15): an issuer signs and revokes, a job
seeker uploads from a wallet and sees "verifierad av …" or why not, an employer sees the
status on the evidence and revoked skills leave the search."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from matcher.credentials import parse_credential
from matcher.evidence import STRENGTH_WEIGHT, TextLink
from matcher.vc import IssuerKey, Verifier, export_credential
from tests.api.conftest import FORKLIFT, Keys, credential_doc
from tests.api.test_flows import issue

SEARCH = {"requirement": {"skills": [{"uri": FORKLIFT}]}, "top_k": 10}


def issued_with_forklift(client: TestClient, keys: Keys, cid: str = "urn:test:cred:1"
                         ) -> dict[str, Any]:
    """An issued credential whose issuer confirmed the forklift skill for its first outcome."""
    cred = issue(client, keys, cid)
    r = client.post(f"/v1/credentials/{cred['id']}/links",
                    json={"outcome_index": 0, "uri": FORKLIFT}, headers=keys.headers("issuer"))
    assert r.status_code == 201, r.text
    return r.json() | {"claim_code": cred["claim_code"]}  # shown once, at creation


def new_seeker(client: TestClient, store: Any, owner: str) -> dict[str, str]:
    _, secret = store.create_key("job_seeker", owner, owner=owner)
    headers = {"X-API-Key": secret}
    assert client.post("/v1/me/candidate", json={"consent": True},
                       headers=headers).status_code == 201
    return headers


def export(client: TestClient, keys: Keys, cred: dict[str, Any], fmt: str = "ob3") -> dict:
    r = client.post(f"/v1/credentials/{cred['id']}/export", params={"format": fmt},
                    headers=keys.headers("issuer"))
    assert r.status_code == 200, r.text
    return r.json()


def upload(client: TestClient, headers: dict[str, str], document: Any) -> Any:
    return client.post("/v1/me/candidate/credentials/verifiable", json={"document": document},
                       headers=headers)


def search(client: TestClient, keys: Keys) -> list[dict[str, Any]]:
    r = client.post("/v1/search", json=SEARCH, headers=keys.headers("employer"))
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def not_matched(results: list[dict[str, Any]]) -> bool:
    """No candidate is found holding the skill (one may still be listed, with score 0)."""
    return all(r["score"] == 0 and not r["matched"] for r in results)


def test_wallet_upload_is_verified_and_the_employer_sees_it(client, keys, store) -> None:
    cred = issued_with_forklift(client, keys)
    seeker = new_seeker(client, store, "seeker-a")
    for fmt in ("ob3", "elm"):
        r = upload(client, seeker, export(client, keys, cred, fmt))
        assert r.status_code == 201, r.text
        held = r.json()
        assert held["verified"] is True and held["source"] == fmt
        assert held["verification"]["label_sv"] == "verifierad av Komvux Testby"
        assert held["verification"]["label_en"] == "verified by Komvux Testby"
    me = client.get("/v1/me/candidate", headers=seeker).json()
    skill = next(s for s in me["skills"] if s["uri"] == FORKLIFT)
    assert skill["weight"] == STRENGTH_WEIGHT["verified"]
    [result] = search(client, keys)
    assert result["candidate_id"] == me["id"]
    profile = client.get(f"/v1/candidates/{me['id']}", headers=keys.headers("employer")).json()
    evidence = next(s for s in profile["skills"] if s["uri"] == FORKLIFT)["evidence"][0]
    assert evidence["strength"] == "verified"
    assert evidence["verification"]["label_sv"] == "verifierad av Komvux Testby"


def test_a_tampered_upload_is_refused_with_the_reason(client, keys, store) -> None:
    badge = export(client, keys, issued_with_forklift(client, keys))
    badge["credentialSubject"]["achievement"]["resultDescription"][0]["name"] = "Kan allt."
    r = upload(client, new_seeker(client, store, "seeker-t"), badge)
    assert r.status_code == 422
    assert r.json()["field"] == "proof"
    assert r.json()["message"].startswith("refused: the signature does not match the content")


def test_an_intact_badge_from_an_issuer_unknown_here_counts_as_unverified(client, keys,
                                                                          store) -> None:
    stranger = IssuerKey.generate()
    document = export_credential(parse_credential(credential_doc()), stranger,
                                 links=[TextLink(0, FORKLIFT, 1.0, "confirmed")])
    seeker = new_seeker(client, store, "seeker-u")
    r = upload(client, seeker, document)
    assert r.status_code == 201, r.text
    held = r.json()
    assert held["verified"] is False
    assert held["verification"]["label_en"].startswith("not verified: signed by an unknown key")
    me = client.get("/v1/me/candidate", headers=seeker).json()
    assert next(s for s in me["skills"] if s["uri"] == FORKLIFT)["weight"] == (
        STRENGTH_WEIGHT["unverified"])


def test_verified_evidence_ranks_above_an_unverified_import(client, keys, store) -> None:
    verified_seeker = new_seeker(client, store, "seeker-v")
    unverified_seeker = new_seeker(client, store, "seeker-w")
    badge = export(client, keys, issued_with_forklift(client, keys))
    assert upload(client, verified_seeker, badge).json()["verified"] is True
    same = export_credential(parse_credential(credential_doc()), IssuerKey.generate(),
                             links=[TextLink(0, FORKLIFT, 1.0, "confirmed")])
    assert upload(client, unverified_seeker, same).json()["verified"] is False
    ids = {h["X-API-Key"]: client.get("/v1/me/candidate", headers=h).json()["id"]
           for h in (verified_seeker, unverified_seeker)}
    results = search(client, keys)
    assert [r["candidate_id"] for r in results] == [ids[verified_seeker["X-API-Key"]],
                                                    ids[unverified_seeker["X-API-Key"]]]
    first, second = (r["score"] for r in results)
    assert second / first == STRENGTH_WEIGHT["unverified"] / STRENGTH_WEIGHT["verified"]


def test_revocation_takes_the_skills_out_of_profile_and_search(client, keys, store) -> None:
    cred = issued_with_forklift(client, keys)
    badge = export(client, keys, cred)
    seeker = new_seeker(client, store, "seeker-r")
    assert upload(client, seeker, badge).json()["verified"] is True
    me = client.get("/v1/me/candidate", headers=seeker).json()
    assert [r["candidate_id"] for r in search(client, keys)] == [me["id"]]  # before

    r = client.post(f"/v1/credentials/{cred['id']}/revoke", headers=keys.headers("issuer"))
    assert r.status_code == 200, r.text
    assert r.json()["holders_updated"] == 1

    assert not_matched(search(client, keys))  # after: at once, in this process
    me = client.get("/v1/me/candidate", headers=seeker).json()
    assert FORKLIFT not in {s["uri"] for s in me["skills"]}
    assert me["credentials"][0]["verification"]["label_sv"] == "återkallad av utfärdaren"
    # Verifiers elsewhere see it too: the published list has the bit set.
    url = badge["credentialStatus"]["statusListCredential"]
    listing = client.get(url).json()
    verdict = Verifier(status_lists={url: listing}).verify(badge)
    assert verdict.reason == "the issuer has revoked this credential"
    # and the badge cannot be uploaded again
    r = upload(client, seeker, badge)
    assert r.status_code == 422 and r.json()["field"] == "status"


def test_a_revoked_credential_cannot_be_claimed_and_leaves_claimed_profiles(client, keys,
                                                                            store) -> None:
    cred = issued_with_forklift(client, keys)
    seeker = new_seeker(client, store, "seeker-c")
    r = client.post("/v1/me/candidate/credentials", json={"claim_code": cred["claim_code"]},
                    headers=seeker)
    assert r.status_code == 201
    assert search(client, keys)
    client.post(f"/v1/credentials/{cred['id']}/revoke", headers=keys.headers("issuer"))
    assert not_matched(search(client, keys))
    other = issued_with_forklift(client, keys, "urn:test:cred:2")
    client.post(f"/v1/credentials/{other['id']}/revoke", headers=keys.headers("issuer"))
    r = client.post("/v1/me/candidate/credentials", json={"claim_code": other["claim_code"]},
                    headers=new_seeker(client, store, "seeker-d"))
    assert r.status_code == 409 and "revoked" in r.json()["message"]


def test_the_issuer_key_is_published_as_jwks(client, keys) -> None:
    badge = export(client, keys, issued_with_forklift(client, keys))
    key = client.get("/v1/issuer-key", headers=keys.headers("issuer")).json()
    assert badge["issuer"]["id"] == key["did"]
    jwks = client.get(key["jwks"]).json()  # public: no API key
    assert jwks["keys"][0]["kid"] == badge["proof"]["verificationMethod"]
    assert "d" not in jwks["keys"][0]


def test_migration_0003_creates_what_the_models_describe(tmp_path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from api.store import Store
    from api.store.models import Base

    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    store.upgrade()
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    store.dispose()
    ours = ("issuer_keys", "status_lists", "credential_statuses", "held_credentials")
    assert [d for d in diff if any(name in str(d) for name in ours)] == []
