"""1EdTech's OB 3.0 conformance samples: the verdict their validator's tests expect, offline.

Reads the samples from ../shared/standards/ob3 (never copied into the repository). Every file
there has a row: 1EdTech's expected verdict and probe (from the README there, which follows
the validator's own tests) and ours -- the verdict, the check a person reads as the reason,
every check that failed, and whether only the network stands in the way.

1EdTech's validator, like ours, goes on after an error and stops at a fatal failure; its tests
assert that the expected probe is among those reporting. So for every sample that can be
checked offline the row asserts the same verdict and that 1EdTech's probe is among our failed
checks (and, where it is the only or the fatal one, that it is the reason we give first).
The rows that cannot be checked offline say why, and the test holds the reason to it.
"""

from __future__ import annotations

import json

import pytest

from matcher.vc import Verifier
from tests.conftest import run, shared_path

# 1EdTech probe → the check of matcher.vc.verify that refuses for the same reason
PROBE = {"TypePropertyProbe": "type", "EmbeddedProofProbe": "proof",
         "ExpirationProbe": "expiry", "ContextPropertyProbe": "context",
         "JsonSchemaProbe": "schema", "InlineJsonSchemaProbe": "inline",
         "CredentialSubjectProbe": "subject", "EvidenceProbe": "evidence",
         "IssuerProbe": "issuer", "IssuanceProbe": "issuance",
         "RevocationListProbe": "status", "BitstringStatusListProbe": "status",
         "JsonLDValidationProbe": "jsonld"}
STATUS_LIST = ("https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/"
               "refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist")
OK = "checked offline"
NETWORK = "needs the network"
# What the reason must say when the sample cannot be checked here.
SAYS = {NETWORK: "fetched"}
SUBJECT_ERRORS = ("subject", "jsonld", "proof")  # a type changed after signing
ISSUER_ERRORS = ("issuer", "jsonld", "proof")

# sample, 1EdTech verdict, 1EdTech probe, our verdict, our reason (check), every check that
# failed, how it was checked (OK / NETWORK)
SAMPLES = [
    ("simple.json", "valid", None, "valid", None, (), OK),
    ("simple.1ob", "valid", None, "valid", None, (), OK),
    ("simple_v1.json", "warning", None, "warning", "context", (), OK),
    ("simple-did-key-method.json", "valid", None, "valid", None, (), OK),
    ("simple-context-alias.json", "valid", None, "valid", None, (), OK),
    ("simple-context-version.json", "?", "ContextPropertyProbe", "warning", "context", (), OK),
    ("simple-eddsa-2022.json", "warning", None, "warning", "context", (), OK),
    ("simple-multiple-proofs.json", "?", "JsonLDValidationProbe", "invalid", "jsonld",
     ("jsonld",), OK),
    ("simple-err-type.json", "invalid", "TypePropertyProbe", "invalid", "type", ("type",), OK),
    ("simple-err-proof-method-no-scheme.json", "invalid", "EmbeddedProofProbe", "invalid",
     "proof", ("proof",), OK),
    ("simple-err-proof-method-unknown-scheme.json", "invalid", "EmbeddedProofProbe", "invalid",
     "proof", ("proof",), OK),
    ("simple-err-proof-method-unknown-did-method.json", "invalid", "EmbeddedProofProbe",
     "invalid", "proof", ("proof",), OK),
    ("simple-err-proof-value.json", "invalid", "EmbeddedProofProbe", "invalid", "proof",
     ("proof",), OK),
    ("simple-err-expired.json", "invalid", "ExpirationProbe", "invalid", "expiry", ("expiry",),
     OK),
    ("simple-err-context.json", "invalid", "ContextPropertyProbe", "invalid", "context",
     ("context",), OK),
    ("simple-err-issuer.json", "invalid", "JsonSchemaProbe", "invalid", "schema",
     ("schema", "subject", "issuer"), OK),
    ("simple-err-credential-subject-type.json", "invalid", "CredentialSubjectProbe", "invalid",
     "subject", SUBJECT_ERRORS, OK),
    ("simple-err-credential-subject-identifier-type.json", "invalid", "CredentialSubjectProbe",
     "invalid", "subject", SUBJECT_ERRORS, OK),
    ("simple-err-credential-subject-result-type.json", "invalid", "CredentialSubjectProbe",
     "invalid", "subject", SUBJECT_ERRORS, OK),
    ("simple-err-credential-subject-achievement-result-description-type.json", "invalid",
     "CredentialSubjectProbe", "invalid", "subject", SUBJECT_ERRORS, OK),
    ("simple-err-credential-subject-profile-type.json", "invalid", "CredentialSubjectProbe",
     "invalid", "subject", SUBJECT_ERRORS, OK),
    ("simple-err-evidence-type.json", "invalid", "EvidenceProbe", "invalid", "evidence",
     ("evidence", "jsonld", "proof"), OK),
    ("simple-err-issuer-type.json", "invalid", "IssuerProbe", "invalid", "issuer",
     ISSUER_ERRORS, OK),
    ("simple-err-issuer-parentorg-type.json", "invalid", "IssuerProbe", "invalid", "issuer",
     ISSUER_ERRORS, OK),
    ("simple-err-issuer-otheridentifier-type.json", "invalid", "IssuerProbe", "invalid",
     "issuer", ISSUER_ERRORS, OK),
    # No achievement (a schema and a subject error, as in 1EdTech), then the fatal one: its
    # validFrom is in 2040. Both validators go on after the errors and stop there.
    ("simple-err-issued.json", "invalid", "IssuanceProbe", "invalid", "issuance",
     ("schema", "subject", "issuance"), OK),
    # Expired in 2020 (fatal, in 1EdTech too: its revocation fetch only warns); the inline
    # schema it names is the one 1EdTech could not read (404), which we would have to fetch.
    ("complete_v1.json", "?", "InlineJsonSchemaProbe", "invalid", "expiry",
     ("inline", "jsonld", "proof", "status", "expiry"), OK),
    ("bit-string-list/credential-status-revoked.json", "invalid", "BitstringStatusListProbe",
     "invalid", "status", ("status",), OK),
    ("bit-string-list/credential-status-revoked-blank-nodes.json", "invalid",
     "BitstringStatusListProbe", "invalid", "status", ("status",), OK),
    # Signed by a key-in-fragment of its https issuer: verified offline (nothing in it needs
    # the network: the did:web is the subject's id, which no verifier resolves). It names its
    # subject, which VC 2.0 allows. (1EdTech's test for it is disabled.)
    ("simple-did-web-method.json", "valid", None, "valid", None, (), OK),
    # Selective disclosure: an ecdsa-sd-2023 derived proof (P-256 key in the fragment), and no
    # credential name, which VC 2.0 makes optional.
    ("sd/derivedcredential.json", "valid", None, "valid", None, (), OK),
    # -- cannot be checked offline, and why ---------------------------------------------------
    # Intact (key-in-fragment) and valid against the OB 3.0 schema it names, which we hold;
    # its status is a 1EdTechRevocationList at a web address. (1EdTech: the inline schema
    # reference could not be fetched, a network failure too.)
    ("complete.json", "?", "InlineJsonSchemaProbe", "invalid", "status", ("status",), NETWORK),
    # did:web key and a remote 1EdTechRevocationList, which 1EdTech fetches: revoked there.
    ("credential-status-revoked.json", "invalid", "RevocationListProbe", "invalid", "proof",
     ("proof", "status"), NETWORK),
    # A key-document URL (the fragment is not a key): 1EdTech fetches it and fails too.
    ("simple-err-proof-method.json", "invalid", "EmbeddedProofProbe", "invalid", "proof",
     ("proof",), NETWORK),
    # VC-JWT: the issuer's key would have to be fetched (1EdTech: invalid, no OB context).
    ("velocity.jwt", "invalid", None, "invalid", "parse", ("parse",), NETWORK),
    # -- not in 1EdTech's OB 3.0 table ------------------------------------------------------
    ("simple.jwt", None, None, "invalid", "parse", ("parse",), NETWORK),
    ("simple-noproof.json", None, None, "invalid", "subject", ("subject", "proof"), OK),
    ("endorsement-valid.json", None, None, "invalid", "type", ("type",), OK),
    ("endorsement-err-schema-status-refresh.json", None, None, "invalid", "type", ("type",),
     OK),
    ("bit-string-list/testlist", None, None, "invalid", "type", ("type",), OK),
]


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    testlist = shared_path("standards", "ob3", "samples", "bit-string-list", "testlist")
    return Verifier(status_lists={STATUS_LIST: json.loads(testlist.read_text())})


@pytest.mark.parametrize(("name", "theirs", "probe", "ours", "check", "failures", "how"),
                         SAMPLES, ids=[row[0] for row in SAMPLES])
def test_sample_verdict(verifier, name, theirs, probe, ours, check, failures, how) -> None:
    sample = shared_path("standards", "ob3", "samples", *name.split("/"))
    verdict = verifier.verify(sample.read_text(encoding="utf-8"))
    assert verdict.verdict == ours, verdict.reason
    reason = verdict.failed or next((c for c in verdict.checks if c.status == "warning"), None)
    assert (reason.name if reason else None) == check, verdict.reason
    assert tuple(c.name for c in verdict.failures) == failures
    assert verdict.needs_network is (how == NETWORK)
    if how != OK:
        assert SAYS[how] in verdict.reason and "Meritmatch" in verdict.reason
        return
    if theirs not in (None, "?"):
        assert verdict.verdict == theirs
    if probe is not None and verdict.verdict == "invalid":
        assert PROBE[probe] in failures
        if len(failures) == 1 or not any(c.fatal for c in verdict.failures):
            assert PROBE[probe] == check


@pytest.mark.parametrize(("name", "ours", "how"), [(r[0], r[3], r[6]) for r in SAMPLES],
                         ids=[row[0] for row in SAMPLES])
def test_the_cli_says_the_same(capsys, name, ours, how) -> None:
    """``matcher credentials verify`` (no status list given: the bit-string samples then need
    the network) exits 1 on a refusal, with the reason first and every other failure after."""
    sample = shared_path("standards", "ob3", "samples", *name.split("/"))
    verdict = Verifier().verify(sample.read_text(encoding="utf-8"))
    code, out, _ = run(capsys, "credentials", "verify", str(sample))
    lines = out.splitlines()
    assert code == (1 if ours == "invalid" else 0)
    assert lines[0] == ("REFUSED: " if code else "") + verdict.reason
    assert [line for line in lines if line.startswith("  also (")] == [
        f"  also ({c.name}): {c.message}" for c in verdict.failures if c is not verdict.failed]
    assert ("cannot be checked offline" in out) is verdict.needs_network
    if how != OK:
        assert verdict.needs_network is (how == NETWORK)


def test_every_offline_sample_gets_1edtechs_verdict() -> None:
    """Offline, every sample 1EdTech gives a verdict for gets the same one."""
    differ = {row[0] for row in SAMPLES if row[1] not in (None, "?") and row[1] != row[3]}
    assert differ == set()


def test_every_sample_is_in_the_table() -> None:
    folder = shared_path("standards", "ob3", "samples")
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert names == {row[0] for row in SAMPLES}
    assert len(SAMPLES) == len(names)


def test_the_revoked_bitstring_sample_needs_the_network_without_a_local_list() -> None:
    sample = shared_path("standards", "ob3", "samples", "bit-string-list",
                         "credential-status-revoked.json")
    verdict = Verifier().verify(sample.read_text(encoding="utf-8"))
    assert verdict.failed is not None and verdict.failed.name == "status"
    assert verdict.needs_network and "cannot be resolved offline" in verdict.reason


# -- selective disclosure (ecdsa-sd-2023): the derived sample, changed --------------------------

def _derived() -> dict:
    path = shared_path("standards", "ob3", "samples", "sd", "derivedcredential.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _refusal(document: dict) -> str:
    verdict = Verifier().verify(json.dumps(document))
    assert verdict.verdict == "invalid"
    assert verdict.failed is not None and verdict.failed.name == "proof"
    return verdict.reason


def test_a_changed_disclosed_statement_is_refused() -> None:
    derived = _derived()
    derived["credentialSubject"]["achievement"]["name"] = "Leadership"
    assert "changed after it was signed" in _refusal(derived)


def test_a_statement_added_to_a_derived_credential_is_refused() -> None:
    derived = _derived()
    derived["credentialSubject"]["achievement"]["criteria"]["narrative"] += " Also: leadership."
    derived["name"] = "Teamwork and leadership"
    assert "changed after it was signed" in _refusal(derived)


def test_a_dropped_statement_is_refused() -> None:
    derived = _derived()
    del derived["issuer"]["url"]
    assert "changed after it was signed" in _refusal(derived)


def test_a_derived_proof_checked_with_another_p256_key_is_refused() -> None:
    import base58
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    derived = _derived()
    proof = derived["proof"][0]
    issuer = proof["verificationMethod"].split("#")[0]
    proof["verificationMethod"] = (issuer + "#z"
                                   + base58.b58encode(b"\x80\x24" + other).decode("ascii"))
    assert "not signed with the key it names" in _refusal(derived)


def test_a_base_proof_is_refused_saying_it_is_for_the_holder() -> None:
    import base64

    derived = _derived()
    proof = derived["proof"][0]
    raw = base64.urlsafe_b64decode(proof["proofValue"][1:] + "==")
    proof["proofValue"] = "u" + base64.urlsafe_b64encode(
        b"\xd9\x5d\x00" + raw[3:]).rstrip(b"=").decode("ascii")
    assert "base proof" in _refusal(derived)


def test_a_malformed_derived_proof_value_is_refused_saying_why() -> None:
    derived = _derived()
    derived["proof"][0]["proofValue"] = "u2V0BhQ"  # the header and a truncated CBOR array
    assert "not valid CBOR" in _refusal(derived)
