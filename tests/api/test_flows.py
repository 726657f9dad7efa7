"""End-to-end flows through the API: issuer → job seeker → employer, platform ads, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import api.audit
from api.schemas import SearchOut
from tests.api.conftest import (
    DEMENTIA,
    FORKLIFT,
    FORKLIFT_OPERATOR,
    Keys,
    ads_sample,
    credential_doc,
)
from tests.fixtures.esco_mini import SKILL


def issue(client: TestClient, keys: Keys, cid: str = "urn:test:cred:1") -> dict[str, Any]:
    r = client.post("/v1/credentials", json={"kind": "issued", "document": credential_doc(cid)},
                    headers=keys.headers("issuer"))
    assert r.status_code == 201, r.text
    return r.json()


def seeker_with_credential(client: TestClient, keys: Keys, *, consent: bool = True,
                           contact: dict[str, str] | None = None,
                           share: bool = False) -> dict[str, Any]:
    cred = issue(client, keys)
    body: dict[str, Any] = {"consent": consent, "share_contact": share}
    if contact:
        body["contact"] = contact
    r = client.post("/v1/me/candidate", json=body, headers=keys.headers("job_seeker"))
    assert r.status_code == 201, r.text
    r = client.post("/v1/me/candidate/credentials", json={"claim_code": cred["claim_code"]},
                    headers=keys.headers("job_seeker"))
    assert r.status_code == 201, r.text
    assert r.json()["verified"] is True
    return client.get("/v1/me/candidate", headers=keys.headers("job_seeker")).json()


def test_issuer_reviews_links(client: TestClient, keys: Keys) -> None:
    cred = issue(client, keys)
    assert cred["claim_code"] and cred["links"]
    assert {link["state"] for link in cred["links"]} == {"suggested"}
    link = cred["links"][0]
    h = keys.headers("issuer")
    r = client.patch(f"/v1/credentials/{cred['id']}/links/{link['id']}",
                     json={"state": "rejected"}, headers=h)
    assert r.status_code == 200
    assert next(lk for lk in r.json()["links"] if lk["id"] == link["id"])["state"] == "rejected"
    # a skill the mapping did not suggest for the outcome
    suggested = {lk["uri"] for lk in cred["links"] if lk["outcome_index"] == 1}
    extra = next(SKILL + name for name in ("welding", "solar", "cash", "booking", "dementia")
                 if SKILL + name not in suggested)
    r = client.post(f"/v1/credentials/{cred['id']}/links",
                    json={"outcome_index": 1, "uri": extra}, headers=h)
    assert r.status_code == 201
    added = [lk for lk in r.json()["links"] if lk["state"] == "added"]
    assert added and added[0]["uri"] == extra and added[0]["confidence"] == 1.0
    # the title's links have outcome_index -1 and name the title as their text
    title_links = [lk for lk in r.json()["links"] if lk["outcome_index"] == -1]
    assert title_links and title_links[0]["outcome"] == cred["title"]
    # the claim code is shown once only
    assert client.get(f"/v1/credentials/{cred['id']}", headers=h).json()["claim_code"] is None
    # unknown URI: 422 naming it; outcome out of range: 422
    r = client.post(f"/v1/credentials/{cred['id']}/links",
                    json={"outcome_index": 0, "uri": "http://example.org/nope"}, headers=h)
    assert r.status_code == 422 and "http://example.org/nope" in r.json()["message"]
    assert r.json()["error"] == "unknown_concept"
    r = client.post(f"/v1/credentials/{cred['id']}/links",
                    json={"outcome_index": 9, "uri": FORKLIFT}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "outcome_index"
    # the same id twice: 409
    r = client.post("/v1/credentials", json={"kind": "issued", "document": credential_doc()},
                    headers=h)
    assert r.status_code == 409


def test_invalid_credential_names_the_field(client: TestClient, keys: Keys) -> None:
    doc = credential_doc() | {"gender": "x"}
    r = client.post("/v1/credentials", json={"kind": "issued", "document": doc},
                    headers=keys.headers("issuer"))
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_credential" and "gender" in r.json()["message"]


def test_job_seeker_profile_consent_export_delete(client: TestClient, keys: Keys) -> None:
    me = seeker_with_credential(client, keys, consent=False)
    h = keys.headers("job_seeker")
    assert me["credentials"][0]["verified"] is True
    assert FORKLIFT in {s["uri"] for s in me["skills"]}
    assert client.app.state.pool.profiles() == {}  # type: ignore[attr-defined]
    r = client.patch("/v1/me/candidate", json={"consent": True}, headers=h)
    assert r.status_code == 200 and r.json()["consent"] is True
    assert me["id"] in client.app.state.pool.profiles()  # type: ignore[attr-defined]
    r = client.post("/v1/me/candidate/skills", json={"uri": DEMENTIA}, headers=h)
    assert r.status_code == 201 and DEMENTIA in r.json()["declared_skills"]
    r = client.post("/v1/me/candidate/skills", json={"uri": "http://x/unknown"}, headers=h)
    assert r.status_code == 422 and "http://x/unknown" in r.json()["message"]
    # an uploaded document is unverified
    r = client.post("/v1/me/candidate/credentials",
                    json={"credential": credential_doc("urn:test:own")}, headers=h)
    assert r.status_code == 201 and r.json()["verified"] is False
    export = client.get("/v1/me/candidate/export", headers=h).json()
    assert export["candidate"]["id"] == me["id"] and len(export["candidate"]["credentials"]) == 2
    r = client.get("/v1/me/suggestions", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["occupations"][0]["id"] == FORKLIFT_OPERATOR
    assert client.delete("/v1/me/candidate", headers=h).status_code == 204
    assert client.get("/v1/me/candidate", headers=h).status_code == 404
    assert client.app.state.pool.profiles() == {}  # type: ignore[attr-defined]


def test_employer_search_is_audited_and_consent_only(client: TestClient, keys: Keys,
                                                     store: Any) -> None:
    me = seeker_with_credential(client, keys, contact={"email": "a@example.org"}, share=False)
    _, other = store.create_key("job_seeker", "second", owner="seeker-2")
    r = client.post("/v1/me/candidate", json={"consent": False},
                    headers={"X-API-Key": other})
    hidden = r.json()["id"]
    client.post("/v1/me/candidate/skills", json={"uri": FORKLIFT}, headers={"X-API-Key": other})
    e = keys.headers("employer")
    r = client.post("/v1/search", json={"requirement": {"occupation": FORKLIFT_OPERATOR,
                                                        "must_have": [FORKLIFT]}}, headers=e)
    assert r.status_code == 200, r.text
    body = r.json()
    ids = [c["candidate_id"] for c in body["results"]]
    assert ids == [me["id"]] and hidden not in r.text
    assert "a@example.org" not in r.text  # not shared
    top = body["results"][0]
    assert top["must_haves_met"] is True and top["matched"][0]["uri"] == FORKLIFT
    # saved requirement, by id
    r = client.post("/v1/requirements", json={"skills": [{"uri": FORKLIFT, "must_have": True}],
                                              "title": "Truckförare"}, headers=e)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = client.post("/v1/search", json={"requirement_id": rid, "top_k": 5}, headers=e)
    assert r.status_code == 200 and r.json()["results"][0]["candidate_id"] == me["id"]
    # profile view: consenting only, audited
    assert client.get(f"/v1/candidates/{hidden}", headers=e).status_code == 404
    r = client.get(f"/v1/candidates/{me['id']}", headers=e)
    assert r.status_code == 200 and r.json().get("contact") is None
    # the person reads the entries that concern them: two searches and a view
    entries = client.get("/v1/me/audit", headers=keys.headers("job_seeker")).json()
    assert [e["action"] for e in entries] == ["profile_view", "candidate_search",
                                              "candidate_search"]
    assert all(e["actor"] == "employer-owner" for e in entries)
    assert client.get("/v1/me/audit", headers={"X-API-Key": other}).json() == []
    # sharing contact shows it to employers
    client.patch("/v1/me/candidate", json={"share_contact": True},
                 headers=keys.headers("job_seeker"))
    r = client.get(f"/v1/candidates/{me['id']}", headers=e)
    assert r.json()["contact"] == {"email": "a@example.org"}


def test_a_search_that_cannot_be_audited_shows_nobody(client: TestClient, keys: Keys,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search is in the audit log before its results are shown: when the entry cannot
    be committed, the employer gets an error and no candidate."""
    me = seeker_with_credential(client, keys)
    e = keys.headers("employer")
    search = {"requirement": {"skills": [{"uri": FORKLIFT}]}}
    r = client.post("/v1/search", json=search, headers=e)
    assert r.status_code == 200 and r.json()["results"][0]["candidate_id"] == me["id"]
    assert isinstance(r.json()["audit_id"], int)
    monkeypatch.setattr(api.audit, "_INSERT_ENTRIES", text("INSERT INTO no_such_table VALUES (1)"))
    r = client.post("/v1/search", json=search, headers=e)
    assert r.status_code == 500 and me["id"] not in r.text
    assert r.headers["content-type"].startswith("application/json")


def test_search_answer_names_each_required_skill_once(client: TestClient,
                                                      keys: Keys) -> None:
    me = seeker_with_credential(client, keys, contact={"phone": "040-1"}, share=True)
    welding, solar = SKILL + "welding", SKILL + "solar"
    r = client.post("/v1/search", json={"requirement": {"skills": [
        {"uri": FORKLIFT, "must_have": True}, {"uri": welding, "weight": 2},
        {"uri": solar}]}, "lang": "sv"}, headers=keys.headers("employer"))
    assert r.status_code == 200, r.text
    body = r.json()
    required = {q["uri"]: q for q in body["requirement"]["requirements"]}
    assert set(required) == {FORKLIFT, welding, solar}
    assert required[welding]["label"] == "MAG-svetsa" and required[welding]["weight"] == 2
    [result] = body["results"]
    assert result["candidate_id"] == me["id"] and result["contact"] == {"phone": "040-1"}
    assert [m["uri"] for m in result["matched"]] == [FORKLIFT]
    assert result["matched"][0]["evidence"][0]["strength"] == "verified"
    # Missing skills are URIs; their labels are in the requirement, once.
    assert sorted(result["missing"]) == sorted([welding, solar])
    assert r.text.count("MAG-svetsa") == 1
    # The answer is what the OpenAPI schema says (SearchOut), nulls left out.
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["SearchResult"]["properties"]["missing"]["items"] == {"type": "string"}
    assert set(result) <= set(schema["SearchResult"]["properties"])
    assert "null" not in r.text
    # Written straight to JSON (not re-validated on the way out): it must still validate.
    assert SearchOut.model_validate(body).model_dump(mode="json", exclude_none=True) == body


def test_requirement_from_ad_text_and_unknown_uri(client: TestClient, keys: Keys) -> None:
    e = keys.headers("employer")
    r = client.post("/v1/requirements", json={
        "ad_text": "Vi söker en truckförare. Du ska köra gaffeltruck och kontrollera truckar."},
        headers=e)
    assert r.status_code == 201, r.text
    assert FORKLIFT in {q["uri"] for q in r.json()["requirements"]}
    r = client.post("/v1/requirements", json={"occupation": "http://x/occ"}, headers=e)
    assert r.status_code == 422 and "http://x/occ" in r.json()["message"]
    r = client.post("/v1/search", json={"requirement": {"skills": [{"uri": "http://x/s"}]}},
                    headers=e)
    assert r.status_code == 422 and "http://x/s" in r.json()["message"]
    r = client.post("/v1/requirements", json={"occupation": FORKLIFT_OPERATOR,
                                              "ad_text": "both"}, headers=e)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"


def test_platform_imports_ads_bad_ones_reported(client: TestClient, keys: Keys) -> None:
    ads = ads_sample()
    ads[0]["description"]["text"] = "Du kör gaffeltruck och kontrollerar truckar varje dag."
    bad = {"id": "broken", "headline": "Ingen text"}
    p = keys.headers("platform")
    r = client.post("/v1/ads", json={"ads": [ads[0], bad]}, headers=p)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [a["external_id"] for a in out["imported"]] == [ads[0]["id"]]
    assert out["errors"][0]["field"] == "ads.1.description.text"
    # re-import replaces, not duplicates
    client.post("/v1/ads", json={"ads": [ads[0]]}, headers=p)
    assert len(client.get("/v1/ads", headers=p).json()) == 1
    seeker_with_credential(client, keys)
    s = client.get("/v1/me/suggestions", headers=keys.headers("job_seeker")).json()
    assert s["ads_source"] == "platforms" and s["ads"][0]["id"] == str(out["imported"][0]["id"])


def test_error_shapes(client: TestClient, keys: Keys) -> None:
    h = keys.headers("issuer")
    for r, status, code in [
        (client.get("/v1/nothing-here", headers=h), 404, "not_found"),
        (client.put("/v1/map", headers=h), 405, "method_not_allowed"),
        (client.post("/v1/map", content=b"{", headers=h | {"content-type": "application/json"}),
         422, "invalid_request"),
        (client.post("/v1/map", json={"texts": []}, headers=h), 422, "invalid_request"),
        (client.post("/v1/map", content=b"x" * 300_000, headers=h), 413, "payload_too_large"),
        (client.get("/v1/me"), 401, "unauthorized"),
        (client.get("/v1/me", headers={"X-API-Key": "mm_wrong"}), 401, "unauthorized"),
    ]:
        assert r.status_code == status, (r.status_code, r.text)
        body = r.json()
        assert set(body) == {"error", "message", "field"} and body["error"] == code
        assert body["message"]


def test_chunked_oversized_body_is_refused(client: TestClient, keys: Keys) -> None:
    def chunks():  # no Content-Length: the middleware counts the bytes
        for _ in range(30):
            yield b"x" * 10_000

    r = client.post("/v1/map", content=chunks(), headers=keys.headers("issuer"))
    assert r.status_code == 413


def test_health_and_page(client: TestClient) -> None:
    assert client.get("/v1/health").json()["status"] == "ok"
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert client.get("/docs").status_code == 200


def test_issuers_offerings_close_gaps_in_suggestions(client: TestClient, keys: Keys) -> None:
    from tests.api.conftest import credential_doc as doc

    offering = doc("urn:test:offering:demens", issued=False) | {
        "title": "Demensvård grund",
        "learning_outcomes": ["Deltagaren kan ge demensvård till äldre"]}
    r = client.post("/v1/credentials", json={"kind": "offering", "document": offering},
                    headers=keys.headers("issuer"))
    assert r.status_code == 201, r.text
    links = r.json()["links"]
    dementia = next(lk for lk in links if lk["uri"] == DEMENTIA)
    client.patch(f"/v1/credentials/{r.json()['id']}/links/{dementia['id']}",
                 json={"state": "confirmed"}, headers=keys.headers("issuer"))
    seeker_with_credential(client, keys)
    # Two of a care occupation's skills, so that it (which lists dementia care) is suggested
    # at all: one held skill is below the support floor.
    for skill in ("hygiene", "infosec"):
        r = client.post("/v1/me/candidate/skills", json={"uri": SKILL + skill},
                        headers=keys.headers("job_seeker"))
        assert r.status_code in (201, 409), r.text
    s = client.get("/v1/me/suggestions", params={"top_k": 10},
                   headers=keys.headers("job_seeker")).json()
    gaps = [g for o in s["occupations"] for g in o["missing"] if g["uri"] == DEMENTIA]
    assert gaps, s["occupations"]
    first = gaps[0]["courses"][0]
    assert first["title"] == "Demensvård grund" and first["source"] == "issuer"
    # A one-topic course on the job's own skill is about the job, and says how much of it.
    assert first["job_skills"] >= 1


def test_suggestions_follow_a_stated_interest(client: TestClient, keys: Keys) -> None:
    seeker_with_credential(client, keys)
    h = keys.headers("job_seeker")
    plain = client.get("/v1/me/suggestions", headers=h)
    assert plain.status_code == 200
    r = client.get("/v1/me/suggestions", params={"interest": "gaffeltruck och lager"}, headers=h)
    assert r.status_code == 200, r.text
    assert any("interest 'gaffeltruck och lager'" in n for n in r.json()["notes"])
    r = client.get("/v1/me/suggestions", params={"interest": "x" * 501}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "interest"


def test_map_reads_texts_in_the_language_the_caller_knows(client: TestClient,
                                                          keys: Keys) -> None:
    """One Swedish word ("truckkort") has nothing that says it is Swedish: told, the service
    glosses it; the labels follow ``lang`` as before."""
    h = keys.headers("issuer")
    guessed = client.post("/v1/map", json={"texts": ["truckkort"]}, headers=h).json()
    told = client.post("/v1/map", json={"texts": ["truckkort"], "written_in": "sv"},
                       headers=h).json()
    assert (guessed["outcomes"][0]["lang"], told["outcomes"][0]["lang"]) == ("en", "sv")
    r = client.post("/v1/map", json={"texts": ["truckkort"], "written_in": "de"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "written_in", r.json()


def test_a_course_named_for_the_occupation_lifts_its_holder_in_a_search_and_a_saved_one(
        client: TestClient, keys: Keys, store: Any) -> None:
    """The service orders an occupation search as the library does: the holder of a course
    named for the occupation comes first, the card says which title, the percentage stays
    the coverage; a saved requirement for the occupation ranks exactly as the direct search;
    a skill list is no occupation and lifts nobody."""

    def seeker(owner: str, title: str, outcomes: list[str]) -> str:
        _, secret = store.create_key("job_seeker", owner, owner=owner)
        h = {"Authorization": f"Bearer {secret}"}
        r = client.post("/v1/me/candidate", json={"consent": True}, headers=h)
        assert r.status_code == 201, r.text
        doc = credential_doc(f"urn:test:cred:{owner}") | {"title": title,
                                                           "learning_outcomes": outcomes}
        r = client.post("/v1/me/candidate/credentials", json={"credential": doc}, headers=h)
        assert r.status_code == 201, r.text
        return str(client.get("/v1/me/candidate", headers=h).json()["id"])

    named = seeker("named", "Truckförare – grundkurs", ["Deltagaren kan köra gaffeltruck"])
    wider = seeker("wider", "Receptionsarbete på hotell",
                   ["Deltagaren kan köra gaffeltruck", "Deltagaren kan läsa ritningar"])
    e = keys.headers("employer")

    def search(body: dict[str, Any]) -> list[tuple[str, float, str | None]]:
        r = client.post("/v1/search", json=body | {"top_k": 5}, headers=e)
        assert r.status_code == 200, r.text
        return [(c["candidate_id"], c["score"], c.get("title_points"))
                for c in r.json()["results"]]

    direct = search({"requirement": {"occupation": FORKLIFT_OPERATOR}})
    assert [c[:1] + c[2:] for c in direct] == [(named, "Truckförare – grundkurs"),
                                               (wider, None)]
    assert direct[0][1] == direct[1][1]  # the same coverage of the core, shown as such
    r = client.post("/v1/requirements", json={"occupation": FORKLIFT_OPERATOR}, headers=e)
    assert r.status_code == 201, r.text
    assert r.json()["occupation"] == FORKLIFT_OPERATOR
    assert search({"requirement_id": r.json()["id"]}) == direct
    # The occupation's skills as a list: the more complete profile first, no title named.
    skills = [{"uri": q["uri"], "weight": q["weight"]} for q in r.json()["requirements"]]
    listed = search({"requirement": {"skills": skills}})
    assert [c[0] for c in listed] == [wider, named] and not any(c[2] for c in listed)
