"""Verifiable credentials: OB 3.0 and EDC out and back in, signed, checked and revocable.

The must-shows of issue 15: round trips that keep the skills, and every way of tampering
refused with a reason a person understands, one test per case.
"""

from __future__ import annotations

import copy
import json
import socket
from datetime import date

import pytest

from matcher.credentials import Credential, parse_credential
from matcher.evidence import STRENGTH_WEIGHT, TITLE, TextLink
from matcher.profiles import build_candidate_profile
from matcher.vc import (
    IssuerKey,
    StatusList,
    Verifier,
    export_credential,
    import_credential,
    link_differences,
    status_entry,
    verify_credential,
)
from matcher.vc.keys import did_key, parse_multibase_key, resolve_method
from matcher.vc.probes import schema_errors
from matcher.vc.proof import sign
from tests.fixtures.esco_mini import SKILL

LIST_URL = "https://meritmatch.example/v1/issuers/komvux/status/revocation"


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return IssuerKey.generate()


@pytest.fixture(scope="module")
def other_key() -> IssuerKey:
    return IssuerKey.generate()


def make_credential(**changes: object) -> Credential:
    data = {
        "id": "urn:meritmatch:credential:truck-1", "title": "Truckkort A och B",
        "learner": {"id": "urn:meritmatch:learner:amina"},
        "awarding_body": {"name": "Söderslätts folkhögskola"},
        "issuer_country": "SE", "issuer_region": "Skåne", "issued_on": "2025-05-20",
        "language": "sv",
        "learning_outcomes": ["Deltagaren kan köra gaffeltruck säkert.",
                              "Deltagaren kan tillämpa hygienrutiner på lagret."],
        "workload": {"ects": 3.0, "hours": 80}, "level": {"eqf": 3, "seqf": 3},
        "assessment_type": "Praktiskt prov", "participation_form": "onsite",
        "quality_assurance": "Intern och extern granskning",
    } | changes
    return parse_credential(data)


LINKS = [TextLink(0, SKILL + "forklift", 0.8, "confirmed"),
         TextLink(1, SKILL + "hygiene", 0.7, "added"),
         TextLink(TITLE, SKILL + "forklift-inspect", 0.9, "confirmed"),
         TextLink(1, SKILL + "cash", 0.4, "suggested"),     # not confirmed: not exported
         TextLink(0, SKILL + "drawings", 0.3, "rejected")]  # rejected: not exported
CONFIRMED = {SKILL + "forklift", SKILL + "hygiene", SKILL + "forklift-inspect"}


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["ob3", "elm"])
def test_issue_export_import_verify_gives_the_same_skills(fmt, key, engine) -> None:
    credential = make_credential()
    document = export_credential(credential, key, fmt=fmt, links=LINKS)
    received = json.loads(json.dumps(document))  # as it leaves the service and comes back

    verdict = verify_credential(received)
    imported = import_credential(received)

    assert verdict.verdict == "valid", verdict.reason
    assert verdict.issuer_name == "Söderslätts folkhögskola"
    assert set(imported.skills) == CONFIRMED
    # The export carries what the issuer vouches for: its confirmed and added links.
    vouched = [link for link in LINKS if link.state in ("confirmed", "added")]
    original = build_candidate_profile("c", [(credential, True, vouched)],
                                       taxonomy=engine.taxonomy)
    again = build_candidate_profile("c", [(imported.credential, verdict.verified,
                                           imported.links)], taxonomy=engine.taxonomy)
    assert {u: original.weight(u) for u in original.skills} == {
        u: again.weight(u) for u in again.skills}
    # Every Annex I element survives; the awarding body is now named by its key.
    before = credential.model_dump(mode="json")
    after = imported.credential.model_dump(mode="json")
    assert after["awarding_body"] == {"name": "Söderslätts folkhögskola", "id": key.did}
    assert {k: v for k, v in after.items() if k != "awarding_body"} == {
        k: v for k, v in before.items() if k != "awarding_body"}
    assert imported.notes == ()


def test_ob3_export_carries_the_confirmed_esco_alignments_and_validates_against_the_schema(
        key) -> None:
    document = export_credential(make_credential(), key, fmt="ob3", links=LINKS)
    achievement = document["credentialSubject"]["achievement"]
    esco = [a for a in achievement["alignment"] if a["targetFramework"] == "ESCO"]
    assert {a["targetUrl"] for a in esco} == CONFIRMED
    assert achievement["resultDescription"][0]["alignment"][0]["targetUrl"] == SKILL + "forklift"
    assert "Assessment: Praktiskt prov" in achievement["criteria"]["narrative"]
    assert {"targetFramework": "EQF", "targetCode": "3"}.items() <= next(
        a for a in achievement["alignment"] if a["targetFramework"] == "EQF").items()
    assert schema_errors(document) == []


def test_an_imported_badge_is_still_mapped_and_the_differences_are_listed(key, engine) -> None:
    # The issuer aligned the first outcome to cash handling: our mapping disagrees.
    links = [TextLink(0, SKILL + "cash", 1.0, "confirmed")]
    imported = import_credential(export_credential(make_credential(), key, links=links))
    mapping = engine.map_credential(imported.credential)
    differences = link_differences(imported.links, mapping.suggestions())
    assert any(d.kind == "stated_only" and d.uri == SKILL + "cash" for d in differences)
    assert any(d.kind == "suggested_only" and d.uri == SKILL + "forklift" for d in differences)


def test_a_foreign_badge_without_annex_elements_imports_with_notes() -> None:
    badge = {"@context": ["https://www.w3.org/ns/credentials/v2"],
             "type": ["VerifiableCredential", "OpenBadgeCredential"],
             "id": "urn:x:1", "issuer": {"id": "https://example.org/i", "name": "Example"},
             "validFrom": "2024-01-02T00:00:00Z",
             "credentialSubject": {"id": "did:example:123", "achievement": {
                 "name": "Forklift", "description": "Can drive a forklift safely.",
                 "alignment": [{"targetFramework": "ESCO", "targetUrl": SKILL + "forklift",
                                "targetName": "operate forklift"}]}}}
    imported = import_credential(badge)
    assert imported.credential.learning_outcomes == ["Can drive a forklift safely."]
    assert imported.links == (TextLink(TITLE, SKILL + "forklift", 1.0, "confirmed"),)
    assert imported.credential.issuer_country == "ZZ"
    assert any("issuer country not stated" in n for n in imported.notes)


# -- tampering: each refused, with the reason ------------------------------------------------
@pytest.fixture()
def signed(key) -> dict:
    return export_credential(make_credential(), key, fmt="ob3", links=LINKS)


def refused(document: dict, check: str, **verifier: object) -> str:
    verdict = Verifier(**verifier).verify(document)  # type: ignore[arg-type]
    assert verdict.verdict == "invalid"
    assert verdict.failed is not None and verdict.failed.name == check, verdict.reason
    return verdict.reason


def test_changed_outcome_text_is_refused(signed) -> None:
    signed["credentialSubject"]["achievement"]["resultDescription"][0]["name"] = (
        "Deltagaren kan köra alla fordon.")
    assert "changed after it was signed" in refused(signed, "proof")


def test_changed_esco_alignment_is_refused(signed) -> None:
    signed["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = SKILL + "dementia"
    assert "changed after it was signed" in refused(signed, "proof")


def test_changed_holder_is_refused(signed) -> None:
    signed["credentialSubject"]["id"] = "urn:meritmatch:learner:someone-else"
    assert "changed after it was signed" in refused(signed, "proof")


def test_swapped_issuer_is_refused(signed, other_key) -> None:
    signed["issuer"]["id"] = other_key.did
    signed["issuer"]["name"] = "Ett annat lärosäte"
    reason = refused(signed, "proof")
    assert "not of the credential's issuer" in reason and other_key.did in reason


def test_expired_credential_is_refused(key) -> None:
    document = export_credential(make_credential(), key, valid_until="2025-06-01T00:00:00Z")
    assert refused(document, "expiry") == "expired: valid until 2025-06-01T00:00:00Z"


def test_an_expired_credential_from_an_unknown_issuer_is_refused_as_expired(key, other_key) -> None:
    """An unknown issuer is an error the checks go past (the service would add such a badge as
    unverified); expiry is fatal and is the reason given, with the unknown issuer listed."""
    document = export_credential(make_credential(), other_key, valid_until="2025-06-01T00:00:00Z")
    verdict = Verifier(trusted_issuers={key.did: "Söderslätts folkhögskola"}).verify(document)
    assert verdict.failed is not None and verdict.failed.name == "expiry"
    assert [c.name for c in verdict.failures] == ["trust", "expiry"]
    assert not verdict.needs_network


def test_not_yet_valid_credential_is_refused(key) -> None:
    future = date.today().replace(year=date.today().year + 1).isoformat()
    document = export_credential(make_credential(issued_on=future), key)
    assert refused(document, "issuance").startswith("not yet valid: valid from")


def test_revoked_credential_is_refused(key) -> None:
    statuses = StatusList.new()
    document = export_credential(make_credential(), key,
                                 credential_status=status_entry(LIST_URL, 42))

    def published() -> dict:
        listing = statuses.credential(LIST_URL, key.did, "2025-01-01T00:00:00Z")
        return sign(listing, key)

    assert Verifier(status_lists={LIST_URL: published()}).verify(document).verdict == "valid"
    statuses.set(42)
    reason = refused(document, "status", status_lists={LIST_URL: published()})
    assert reason == "the issuer has revoked this credential"


def test_a_status_list_not_signed_by_the_issuer_is_refused(key, other_key) -> None:
    document = export_credential(make_credential(), key,
                                 credential_status=status_entry(LIST_URL, 1))
    forged = sign(StatusList.new().credential(LIST_URL, key.did, "2025-01-01T00:00:00Z"),
                  other_key)
    assert "not of the credential's issuer" in refused(document, "status",
                                                        status_lists={LIST_URL: forged})


def test_a_status_list_that_cannot_be_resolved_offline_is_refused_saying_so(key) -> None:
    document = export_credential(make_credential(), key,
                                 credential_status=status_entry(LIST_URL, 1))
    verdict = Verifier().verify(document)
    assert verdict.failed is not None and verdict.failed.name == "status"
    assert verdict.needs_network and "cannot be resolved offline" in verdict.reason


def test_wrong_key_is_refused(signed, other_key) -> None:
    claimed = signed["proof"]["verificationMethod"]
    forged = sign(signed, other_key)  # another key signs, but the proof names the issuer's
    forged["proof"]["verificationMethod"] = claimed
    assert "not signed with the key it names" in refused(forged, "proof")


def test_unknown_key_is_refused(key, other_key) -> None:
    stranger = export_credential(make_credential(), other_key)  # intact, self-consistent
    reason = refused(stranger, "trust", trusted_issuers={key.did: "Söderslätts folkhögskola"})
    assert reason.startswith("signed by an unknown key")
    ours = export_credential(make_credential(), key)
    verdict = Verifier(trusted_issuers={key.did: "Söderslätts folkhögskola"}).verify(ours)
    assert verdict.verdict == "valid" and "Söderslätts folkhögskola" in verdict.reason


def test_malformed_json_ld_is_refused(key) -> None:
    # An EDC: no JSON Schema stands before the JSON-LD check (an OB 3.0 badge's schema would
    # refuse the unknown property first).
    document = export_credential(make_credential(), key, fmt="elm")
    document["credentialSubject"]["skillLevel"] = "expert"  # no context defines this term
    reason = refused(sign(document, key), "jsonld")
    assert "'skillLevel'" in reason and "not defined" in reason
    broken = export_credential(make_credential(), key, fmt="elm")
    broken["@context"][1] = {**broken["@context"][1], "@version": "one"}
    assert "not valid JSON-LD" in refused(broken, "jsonld")


def test_unknown_context_is_refused_without_a_network_fetch(signed, monkeypatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the verifier tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    signed["@context"].append("https://evil.example/context.jsonld")
    reason = refused(signed, "context")
    assert "unknown @context 'https://evil.example/context.jsonld'" in reason
    assert "never fetches" in reason


def test_tampering_an_edc_is_refused_too(key) -> None:
    document = export_credential(make_credential(), key, fmt="elm", links=LINKS)
    outcome = document["credentialSubject"]["hasClaim"]["specifiedBy"]["learningOutcome"][0]
    outcome["relatedESCOSkill"] = [SKILL + "dementia"]
    assert "changed after it was signed" in refused(document, "proof")


# -- keys and status lists ---------------------------------------------------------------------
def test_a_did_key_names_the_public_key(key, tmp_path) -> None:
    assert key.did.startswith("did:key:z6Mk")
    assert did_key(parse_multibase_key(key.did[len("did:key:"):])) == key.did
    assert resolve_method(key.verification_method).controller == key.did
    path = tmp_path / "issuer.jwk"
    key.save(path)
    assert IssuerKey.load(path).did == key.did
    assert "d" not in key.public_jwk()


def test_status_list_bits_survive_encoding() -> None:
    statuses = StatusList.new()
    for index in (0, 7, 8, 131_071):
        statuses.set(index)
    again = StatusList.decode(statuses.encode())
    assert [i for i in (0, 1, 7, 8, 9, 131_071) if again.get(i)] == [0, 7, 8, 131_071]
    assert statuses.size == 131_072


def test_verified_evidence_counts_more_than_an_unverified_import(key, engine) -> None:
    credential = make_credential()
    verified = build_candidate_profile("a", [(credential, True, LINKS)],
                                       taxonomy=engine.taxonomy)
    unverified = build_candidate_profile("b", [(credential, False, LINKS)],
                                         taxonomy=engine.taxonomy)
    uri = SKILL + "forklift"
    assert verified.weight(uri) == STRENGTH_WEIGHT["verified"]
    assert unverified.weight(uri) == STRENGTH_WEIGHT["unverified"]


def test_documents_are_not_changed_by_verification(signed) -> None:
    before = copy.deepcopy(signed)
    verify_credential(signed)
    assert signed == before
